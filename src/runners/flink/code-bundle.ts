/**
 * What a job on a remote Flink cluster ships to its TaskManagers, so that they need only `node`
 * (flink-runner/…/ShippedCode.java is the other side):
 *
 * - the app folder: the user's modules the job's shipped code imports (never the entry script,
 *   whose functions travel as source), the modules named on `tsflink run <script> [modules…]`
 *   and the local modules they import, in their own layout, and worker.json;
 * - the runtime: `node_modules/tsflink` (package.json, dist, src) and every package tsflink
 *   depends on at run time, found as Node would find them (each package's `dependencies` and
 *   installed `optionalDependencies`, looked up in the `node_modules` folders above it). The
 *   binder zips it once per content key.
 *
 * On the TaskManager a worker runs in a folder with the app at `app/` and the runtime's
 * `node_modules` beside it, so `import 'tsflink'` in a shipped module resolves to the shipped copy.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface RuntimeEntry {
  /** The path in the zip. */
  readonly as: string;
  /** The file or folder it comes from (its own `node_modules` left out). */
  readonly from: string;
}

export interface ShipSpec {
  readonly appDir: string;
  readonly runtime: readonly RuntimeEntry[];
  /** Changes whenever a file of the runtime does (name, size, modification time). */
  readonly runtimeKey: string;
  /** The user's `registerCachedFile` files (name → client path): shipped to every TaskManager through Flink's distributed cache. */
  readonly cachedFiles: Readonly<Record<string, string>>;
}

/** The root of the tsflink package this module belongs to. */
export function tsflinkRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

/**
 * Copies into `appDir` the given files (the user's modules the shipped code imports, and the
 * modules named on `tsflink run <script> [modules…]`) and every local module they import
 * (relative specifiers, followed from file to file), keeping their layout below the folder they
 * all share; adds a package.json giving them the module type of their own package (`.ts`/`.js`
 * files are ES modules or CommonJS by it). Returns each copied file's path relative to the
 * worker's folder (`app/…`).
 */
export function stageApp(appDir: string, entries: readonly string[]): Map<string, string> {
  const staged = new Map<string, string>();
  writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ private: true, type: entries.length > 0 ? moduleTypeOf(entries[0]!) : 'module' }));
  if (entries.length === 0) return staged;
  const files = localModuleGraph(entries);
  const root = commonFolder([...files].map((f) => path.dirname(f)));
  for (const file of files) {
    const rel = path.relative(root, file);
    cpSync(file, path.join(appDir, rel), { recursive: true });
    staged.set(file, `app/${rel.split(path.sep).join('/')}`);
  }
  return staged;
}

/** The file a module of shipped code names: its file URL's path (query dropped), or the CommonJS file itself. */
export function moduleFile(m: string): string {
  return m.startsWith('file:') ? fileURLToPath(m.replace(/[?#].*$/, '')) : m;
}

/**
 * A module of shipped code (a file URL, or a CommonJS file) as a remote worker finds it, relative
 * to the folder it starts in (worker-frames.ts): an ES module as `./app/…` or `./node_modules/…`,
 * a CommonJS file as `app/…` or `node_modules/…`; unchanged when it is not shipped (the worker's
 * machine must have it where the client does).
 */
export function relocatedModule(m: string, staged: ReadonlyMap<string, string>): string {
  const file = moduleFile(m);
  if (!path.isAbsolute(file)) return m;
  const rel = staged.get(file) ?? (inRuntime(file) ? shippedPath(pathToFileURL(file).href) : null);
  if (rel === null) return m;
  return m.startsWith('file:') ? `./${rel}` : rel;
}

/** In the worker: a relocated module made absolute against the folder it started in (a file URL for `./…`, a path otherwise). */
export function absoluteModule(m: string, startDir: string): string {
  if (m.startsWith('./')) return pathToFileURL(path.resolve(startDir, m)).href;
  return /^[a-z][a-z0-9+.-]*:/i.test(m) || path.isAbsolute(m) ? m : path.resolve(startDir, m);
}

/** True for a file of the shipped runtime (tsflink's own `src`/`dist`, or an installed package): see `shippedPath`. */
export function inRuntime(file: string): boolean {
  const rel = path.relative(tsflinkRoot(), file);
  return file.split(path.sep).includes('node_modules') || (!rel.startsWith('..') && /^(src|dist)([\\/]|$)/.test(rel));
}

/** Relative specifiers of imports, exports, dynamic imports and requires in a module's text. */
const LOCAL_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const EXTENSIONS = ['', '.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];

/** The files (and named folders) reachable from `entries` through relative imports. */
function localModuleGraph(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!statSync(file).isFile()) return;
    for (const m of readFileSync(file, 'utf8').matchAll(LOCAL_IMPORT)) {
      const target = resolveLocal(path.resolve(path.dirname(file), m[1]!));
      if (target !== null) visit(target);
    }
  };
  for (const e of entries) visit(e);
  return seen;
}

/** A relative specifier's file, as tsx resolves it (`./x.js` may name `x.ts`). */
function resolveLocal(base: string): string | null {
  const stems = /\.[mc]?js$/.test(base) ? [base, base.replace(/\.([mc]?)js$/, '.$1ts')] : [base];
  for (const stem of stems) {
    for (const ext of EXTENSIONS) {
      const candidate = stem + ext;
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
  }
  return null;
}

function commonFolder(folders: readonly string[]): string {
  let common = folders[0]!;
  for (const f of folders) while (path.relative(common, f).startsWith('..')) common = path.dirname(common);
  return common;
}

function moduleTypeOf(file: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type ?? 'commonjs';
    if (path.dirname(dir) === dir) return 'commonjs';
  }
}

/** The packages to ship: tsflink and its run-time dependencies, each once. */
export function runtimeEntries(): RuntimeEntry[] {
  const root = tsflinkRoot();
  const entries: RuntimeEntry[] = [{ as: 'node_modules/tsflink/package.json', from: path.join(root, 'package.json') }];
  for (const dir of ['dist', 'src']) if (existsSync(path.join(root, dir))) entries.push({ as: `node_modules/tsflink/${dir}`, from: path.join(root, dir) });
  const seen = new Set<string>(['tsflink']);
  const visit = (fromDir: string): void => {
    const pkg = JSON.parse(readFileSync(path.join(fromDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    const names = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})];
    for (const name of names) {
      if (seen.has(name)) continue;
      const found = findPackage(name, fromDir);
      if (found === null) continue; // an optional dependency for another platform
      seen.add(name);
      entries.push({ as: `node_modules/${name}`, from: found });
      visit(found);
    }
  };
  visit(root);
  return entries;
}

/** Where Node would find package `name` from a package in `fromDir`. */
function findPackage(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** A key over every runtime file's path, size and modification time. */
export function runtimeKey(entries: readonly RuntimeEntry[]): string {
  const hash = createHash('sha256');
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (name !== 'node_modules' && name !== '.git') walk(path.join(p, name));
    } else hash.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
  };
  for (const e of entries) {
    hash.update(`${e.as}\0`);
    walk(e.from);
  }
  return hash.digest('hex').slice(0, 24);
}

/** A file of this install (tsflink's or a dependency's, as a file URL) as the shipped copy's path, relative to the worker's folder. */
export function shippedPath(fileUrl: string): string {
  const parts = fileURLToPath(fileUrl).split(path.sep);
  const i = parts.lastIndexOf('node_modules');
  if (i >= 0) return parts.slice(i).join('/'); // packages are shipped flat, as node_modules/<name>
  return `node_modules/tsflink/${path.relative(tsflinkRoot(), parts.join(path.sep)).split(path.sep).join('/')}`;
}
