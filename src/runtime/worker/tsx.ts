/**
 * tsx in workers: a worker thread or a Flink Node worker registers it when tsflink itself runs
 * from its .ts sources, when the client process has tsx loaded, or when a module the shipped
 * code imports is TypeScript.
 */
import type { ShippedCode } from '../../serde/closures/index.ts';
import type { TsxApis } from './protocol.ts';

/** A shipped module (URL or file) that is TypeScript. */
const TYPESCRIPT_MODULE = /\.[mc]?tsx?($|[?#])/;

/** tsx's registration APIs, resolved from tsflink (a dependency of it); null when not installed. */
export function tsxApis(): TsxApis | null {
  try {
    return { esm: import.meta.resolve('tsx/esm/api'), cjs: import.meta.resolve('tsx/cjs/api') };
  } catch {
    return null;
  }
}

/** True when workers of a job with this code must register tsx. */
export function needsTsx(code: ShippedCode): boolean {
  return clientHasTsx() || code.modules.some((m) => TYPESCRIPT_MODULE.test(m));
}

function clientHasTsx(): boolean {
  if (import.meta.url.endsWith('.ts')) return true;
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return /\btsx\b/.test(flags);
}
