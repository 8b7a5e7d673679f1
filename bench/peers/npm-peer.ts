/**
 * Where the npm peers live: each package in a directory of its own under bench/data/npm-peers
 * (`npm install --no-save` there, by bench/harness/peers.ts), not in the project's node_modules,
 * so that installing one peer neither prunes another nor touches the project's dependencies.
 * The peer programs load their package from there.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NPM_PEERS_DIR = join(dirname(dirname(fileURLToPath(import.meta.url))), 'data', 'npm-peers');

/** The directory `pkg` is installed into: `<dir>/node_modules/<pkg>`. */
export function npmPeerDir(pkg: string): string {
  return join(NPM_PEERS_DIR, pkg.replaceAll('/', '+'));
}

/** `pkg` loaded with require (a CommonJS package). */
export function requirePeer(pkg: string): any {
  return createRequire(join(npmPeerDir(pkg), 'package.json'))(pkg);
}

/** `pkg` loaded with import() (an ES module package). */
export async function importPeer(pkg: string): Promise<any> {
  const entry = createRequire(join(npmPeerDir(pkg), 'package.json')).resolve(pkg);
  return import(pathToFileURL(entry).href);
}
