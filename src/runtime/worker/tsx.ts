/**
 * tsx in workers: a worker thread or a Flink Node worker registers it when tsflink itself runs
 * from its .ts sources, when the client process has tsx loaded, or when a module the shipped
 * code imports is TypeScript. Started from tsflink's .ts sources, a worker gets it from the
 * code that boots it (worker-pool.ts, flink-runner.ts: nothing of tsflink could load before);
 * a Flink Node worker also for a job whose modules need it. A worker thread started from dist
 * registers it for a job that needs it (`registerTsx`, through task-host.ts's `hostShippedJob`).
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

let registered: Promise<void> | null = null;

/** Registers tsx in this thread (both hooks, as `node --import tsx` does), once. */
export function registerTsx(tsx: TsxApis): Promise<void> {
  registered ??= (async () => {
    // tsflink's own modules first, while plain Node loads them: after tsx registers, every module
    // resolved and loaded goes through its hooks thread (measured: about 0.2 s for tsflink's).
    await import(new URL(`../../index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href);
    const [esm, cjs] = (await Promise.all([import(tsx.esm), import(tsx.cjs)])) as { register(): void }[];
    esm!.register();
    cjs!.register();
  })();
  return registered;
}
