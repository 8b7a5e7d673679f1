/**
 * Values a worker has already, found by identity so that they travel as a name instead of a
 * copy: globals (`Math.max`, `JSON`, `console`), exports of Node's built-in modules
 * (`readFileSync`), and exports of the user's (or a library's) modules, which the worker imports.
 */
import { builtinModules, createRequire } from 'node:module';
import { types } from 'node:util';

/** Where a worker finds a value: a property path from a root it has or imports. */
export type KnownRef =
  | { readonly kind: 'global'; readonly path: readonly string[] }
  | { readonly kind: 'builtin'; readonly module: string; readonly path: readonly string[] }
  /** An ES module, imported by URL ([] is its namespace). */
  | { readonly kind: 'esm'; readonly url: string; readonly path: readonly string[] }
  /** A CommonJS module, required by file path ([] is its `module.exports`). */
  | { readonly kind: 'cjs'; readonly file: string; readonly path: readonly string[] };

const require = createRequire(import.meta.url);

/** Node's built-in module names (`node -e` and the REPL also expose them as globals). */
export const BUILTIN_MODULES: ReadonlySet<string> = new Set(builtinModules);

/** The built-in modules whose exports are indexed (loading each is free: Node has them). */
const BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'querystring',
  'readline',
  'stream',
  'string_decoder',
  'timers',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

let index: Map<unknown, KnownRef> | null = null;

function add(map: Map<unknown, KnownRef>, value: unknown, ref: KnownRef): void {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    if (!map.has(value)) map.set(value, ref);
  }
}

function ownValues(obj: object): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const key of Object.getOwnPropertyNames(obj)) {
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (d && 'value' in d) out.push([key, d.value]);
  }
  return out;
}

function buildIndex(): Map<unknown, KnownRef> {
  const map = new Map<unknown, KnownRef>();
  map.set(globalThis, { kind: 'global', path: [] });
  const globals = ownValues(globalThis);
  // Lazily defined globals (process, Buffer, crypto, …) are getters: read them once; not the
  // built-in modules `node -e` and the REPL expose as globals (reading loads them, with warnings).
  for (const key of Object.getOwnPropertyNames(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, key);
    if (d && !('value' in d) && d.get && !BUILTIN_MODULES.has(key)) {
      try {
        globals.push([key, (globalThis as Record<string, unknown>)[key]]);
      } catch {
        // not readable here
      }
    }
  }
  const standard = globals.filter(([key]) => !isUserGlobal(key));
  for (const [key, v] of standard) add(map, v, { kind: 'global', path: [key] });
  for (const [key, v] of standard) {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || v === globalThis) continue;
    for (const [k2, v2] of ownValues(v)) {
      add(map, v2, { kind: 'global', path: [key, k2] });
      if (k2 === 'prototype' && v2 !== null && typeof v2 === 'object') {
        for (const [k3, v3] of ownValues(v2)) add(map, v3, { kind: 'global', path: [key, k2, k3] });
      }
    }
  }
  for (const name of BUILTINS) {
    const exports = require(`node:${name}`) as Record<string, unknown>;
    add(map, exports, { kind: 'builtin', module: name, path: [] });
    for (const [k, v] of ownValues(exports)) add(map, v, { kind: 'builtin', module: name, path: [k] });
  }
  return map;
}

/** Globals Node defines as enumerable properties (user globals are told apart from them). */
const NODE_ENUMERABLE_GLOBALS = new Set(Object.keys(globalThis));

/**
 * Whether a free name is a global the user's program made (a top-level `var` or function of a
 * script, as in `node -e`, or an assignment to globalThis), which a worker does not have.
 */
export function isUserGlobal(name: string): boolean {
  const d = Object.getOwnPropertyDescriptor(globalThis, name);
  if (!d || name === 'undefined' || name === 'NaN' || name === 'Infinity' || name === 'globalThis') return false;
  if (BUILTIN_MODULES.has(name)) return false;
  return !d.configurable || (!!d.enumerable && !NODE_ENUMERABLE_GLOBALS.has(name));
}

/** The global or built-in value `value` is, if it is one. */
export function knownGlobal(value: unknown): KnownRef | undefined {
  index ??= buildIndex();
  return index.get(value);
}

/** Exports of modules looked at so far, by module URL or file. */
const moduleExports = new Map<string, Map<unknown, string>>();

function exportsOf(namespace: object): Map<unknown, string> {
  const byValue = new Map<unknown, string>();
  for (const key of Object.keys(namespace)) {
    let v: unknown;
    try {
      v = (namespace as Record<string, unknown>)[key];
    } catch {
      continue; // an export not initialised yet
    }
    if (((typeof v === 'object' && v !== null) || typeof v === 'function') && !byValue.has(v)) byValue.set(v, key);
  }
  return byValue;
}

/** Loaded CommonJS modules whose exports are `value` or hold it as a property. */
export function knownCommonJs(value: unknown, file: string | null): KnownRef | undefined {
  const cache = require.cache;
  const files = file !== null ? [file] : Object.keys(cache);
  for (const f of files) {
    const m = cache[f];
    if (!m?.loaded) continue;
    if (m.exports === value) return { kind: 'cjs', file: f, path: [] };
    if (file === null) continue;
    let byValue = moduleExports.get(`cjs:${f}`);
    if (!byValue) moduleExports.set(`cjs:${f}`, (byValue = typeof m.exports === 'object' || typeof m.exports === 'function' ? exportsOf(m.exports as object) : new Map()));
    const key = byValue.get(value);
    if (key !== undefined) return { kind: 'cjs', file: f, path: [key] };
  }
  return undefined;
}

/** Whether the exports of the ES module at `url` have been looked at (loadModuleExports). */
export function moduleExportsLoaded(url: string): boolean {
  return moduleExports.has(url);
}

/**
 * Looks at the exports of ES modules, importing each (it is loaded already: it defined a live
 * function; a module still running its top-level code is not waited for past `waitMs`).
 */
export async function loadModuleExports(urls: Iterable<string>, waitMs = 2000): Promise<void> {
  await Promise.all(
    [...urls].map(async (url) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), waitMs);
        timer.unref();
      });
      let namespace: object | null = null;
      try {
        namespace = await Promise.race([import(url) as Promise<object>, late]);
      } catch {
        namespace = null;
      } finally {
        clearTimeout(timer);
      }
      const byValue = namespace ? exportsOf(namespace) : new Map<unknown, string>();
      if (namespace) byValue.set(namespace, '');
      moduleExports.set(url, byValue);
    }),
  );
}

/** The export of the ES module at `url` that `value` is (or its namespace); needs loadModuleExports first. */
export function knownModuleExportSync(value: unknown, url: string): KnownRef | undefined {
  const key = moduleExports.get(url)?.get(value);
  if (key === undefined) return undefined;
  return { kind: 'esm', url, path: key === '' ? [] : [key] };
}

/** Whether a value is of a kind that has no copy (it lives in this thread's engine or OS). */
export function whyNotCopyable(value: object): string | null {
  if (types.isPromise(value)) return 'a Promise';
  if (types.isProxy(value)) return 'a Proxy';
  if (types.isExternal(value)) return 'a native (addon) object';
  if (types.isWeakMap(value) || types.isWeakSet(value)) return 'a weak collection';
  if (value instanceof WeakRef || value instanceof FinalizationRegistry) return 'a weak reference';
  if (types.isGeneratorObject(value)) return 'a running generator';
  if (types.isSharedArrayBuffer(value)) return 'a SharedArrayBuffer';
  if (types.isBoxedPrimitive(value)) return 'a boxed primitive';
  return null;
}
