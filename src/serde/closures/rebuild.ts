/**
 * Rebuilds a packed value graph in a worker: imports the modules it names, evaluates each
 * function's source in a factory that declares its captured variables (set before the
 * function exists, so a class's static initialisers see them; cycles are closed afterwards),
 * and copies the rest.
 */
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { SUPER } from './analyze.ts';
import type { PackedGraph, PackedNode, PackedProperty } from './graph.ts';
import type { KnownRef } from './known-values.ts';

const requireHere = createRequire(import.meta.url);

const PENDING = Symbol('pending');

/** The roots of modules and CommonJS files a graph names, imported (ESM) or required. */
async function loadRoots(graph: PackedGraph): Promise<Map<string, unknown>> {
  const roots = new Map<string, unknown>();
  const wanted = new Set<string>();
  for (const n of graph.nodes) {
    if (n.k !== 'known') continue;
    if (n.ref.kind === 'esm') wanted.add(`esm:${n.ref.url}`);
    else if (n.ref.kind === 'cjs') wanted.add(`cjs:${n.ref.file}`);
  }
  for (const key of wanted) {
    const target = key.slice(4);
    roots.set(key, key.startsWith('esm:') ? await import(target) : requireHere(target));
  }
  return roots;
}

function follow(root: unknown, path: readonly string[], describe: string): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || v === undefined) throw new Error(`cannot find ${describe}`);
    v = (v as Record<string, unknown>)[p];
  }
  if (v === undefined && path.length > 0) throw new Error(`cannot find ${describe}: the worker's copy of it has no ${path.join('.')}`);
  return v;
}

function resolveKnown(ref: KnownRef, roots: Map<string, unknown>): unknown {
  switch (ref.kind) {
    case 'global':
      return follow(globalThis, ref.path, `global ${ref.path.join('.')}`);
    case 'builtin':
      return follow(requireHere(`node:${ref.module}`), ref.path, `${ref.path.join('.')} of node:${ref.module}`);
    case 'esm':
      return follow(roots.get(`esm:${ref.url}`), ref.path, `${ref.path.join('.') || 'the namespace'} of ${ref.url}`);
    case 'cjs':
      return follow(roots.get(`cjs:${ref.file}`), ref.path, `${ref.path.join('.') || 'the exports'} of ${ref.file}`);
  }
}

type Factory = (...args: unknown[]) => [object, (name: string, v: unknown) => void];

/**
 * A factory per function source, shared by the jobs of this thread. The factory itself is kept
 * (not only its compiled script): the functions it makes for each job then share its feedback,
 * and a hot loop over a rebuilt function is optimised once per thread, not once per job.
 */
const factories = new Map<string, Factory>();

function factoryOf(node: PackedNode & { k: 'function' }): Factory {
  const names = node.captures.map(([n]) => n);
  let source = node.source;
  if (node.heritage) source = `${source.slice(0, node.heritage.start)}${SUPER}${source.slice(node.heritage.end)}`;
  const expression = node.form.kind === 'expression' ? `(${source}\n)` : `Object.getOwnPropertyDescriptor({${source}\n}, Reflect.ownKeys({${source}\n})[0]).${node.form.accessor}`;
  const params = [SUPER, ...names.map((_, i) => `__tsflink$${i}`)].join(', ');
  const declare = names.length > 0 ? `let ${names.map((n, i) => `${n} = __tsflink$${i}`).join(', ')};\n` : '';
  const setter = names.length > 0 ? `(__tsflink$n, __tsflink$v) => { switch (__tsflink$n) { ${names.map((n) => `case ${JSON.stringify(n)}: ${n} = __tsflink$v; break;`).join(' ')} } }` : '() => {}';
  // The function's source starts on a line of its own, numbered as in its file.
  const code = `(function (${params}) {${node.strict ? " 'use strict';" : ''} ${declare}return [\n${expression}, ${setter}]; })`;
  const key = `${node.url}\n${node.line}\n${code}`;
  let factory = factories.get(key);
  if (!factory) {
    const lineOffset = node.line - (declare ? 2 : 1);
    factory = new vm.Script(code, { filename: node.url || 'tsflink-shipped-function', lineOffset }).runInThisContext() as Factory;
    if (factories.size > 2000) factories.clear();
    factories.set(key, factory);
  }
  return factory;
}

function bytesOf(type: string, base64: string): unknown {
  const buf = Buffer.from(base64, 'base64');
  if (type === 'Buffer') return buf;
  const copy = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  if (type === 'ArrayBuffer') return copy;
  const Ctor = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown>)[type]!;
  return new Ctor(copy);
}

/** Rebuilds the values of a graph; `get(i)` is node i's value. */
export async function rebuildGraph(graph: PackedGraph): Promise<((i: number) => unknown) & { nodeOf(fn: unknown): number | undefined }> {
  const roots = await loadRoots(graph);
  const values = new Map<number, unknown>();
  const closers: (() => void)[] = [];

  /** Gives `assign` node x's value: now, or once x (a function still being built: a cycle) exists. */
  const child = (x: number, assign: (v: unknown) => void): void => {
    if (values.get(x) === PENDING) closers.push(() => assign(get(x)));
    else assign(get(x));
  };

  const defineProps = (target: object, props: readonly PackedProperty[]): void => {
    for (const p of props) {
      const key = typeof p.key === 'number' ? (get(p.key) as symbol) : p.key;
      if ('value' in p) child(p.value, (value) => Object.defineProperty(target, key, { value, enumerable: p.enumerable, writable: p.writable, configurable: p.configurable }));
      else {
        Object.defineProperty(target, key, {
          get: p.get === null ? undefined : (get(p.get) as () => unknown),
          set: p.set === null ? undefined : (get(p.set) as (v: unknown) => void),
          enumerable: p.enumerable,
          configurable: p.configurable,
        });
      }
    }
  };

  const assignProps = (target: object, props: readonly PackedProperty[]): void => {
    for (const p of props) {
      const key = typeof p.key === 'number' ? (get(p.key) as symbol) : p.key;
      const existing = Object.getOwnPropertyDescriptor(target, key);
      if (existing && !existing.configurable) {
        if ('value' in p && existing.writable) (target as Record<string | symbol, unknown>)[key] = get(p.value);
        continue;
      }
      defineProps(target, [p]);
    }
  };

  const get = (i: number): unknown => {
    if (values.has(i)) {
      const v = values.get(i);
      if (v === PENDING) throw new Error('a cycle of classes and the values their definitions use cannot be rebuilt');
      return v;
    }
    const n = graph.nodes[i]!;
    switch (n.k) {
      case 'json':
        return n.v;
      case 'undefined':
        return undefined;
      case 'number':
        return n.v === 'NaN' ? NaN : n.v === 'Infinity' ? Infinity : n.v === '-Infinity' ? -Infinity : -0;
      case 'bigint':
        return BigInt(n.v);
      case 'symbol':
        return Symbol.for(n.key);
      case 'wellKnownSymbol':
        return (Symbol as unknown as Record<string, symbol>)[n.name];
      case 'known': {
        const v = resolveKnown(n.ref, roots);
        values.set(i, v);
        return v;
      }
      case 'require': {
        const v = createRequire(n.file);
        values.set(i, v);
        return v;
      }
      case 'jsonArray': {
        const v = [...n.v];
        values.set(i, v);
        return v;
      }
      case 'array': {
        const v: unknown[] = new Array(n.items.length);
        values.set(i, v);
        n.items.forEach((x, j) => {
          if (x !== null) child(x, (y) => (v[j] = y));
        });
        return v;
      }
      case 'object': {
        const v = n.nullProto ? Object.create(null) : {};
        values.set(i, v);
        defineProps(v, n.props);
        return v;
      }
      case 'map': {
        const v = new Map();
        values.set(i, v);
        for (const [k, x] of n.entries) v.set(get(k), get(x));
        return v;
      }
      case 'set': {
        const v = new Set();
        values.set(i, v);
        for (const x of n.items) v.add(get(x));
        return v;
      }
      case 'date': {
        const v = new Date(n.time);
        values.set(i, v);
        return v;
      }
      case 'regexp': {
        const v = new RegExp(n.source, n.flags);
        v.lastIndex = n.lastIndex;
        values.set(i, v);
        return v;
      }
      case 'bytes': {
        const v = bytesOf(n.type, n.base64);
        values.set(i, v);
        return v;
      }
      case 'error': {
        const Ctor = (globalThis as unknown as Record<string, ErrorConstructor>)[n.name];
        const v = typeof Ctor === 'function' && Ctor.prototype instanceof Error ? new Ctor(n.message) : new Error(n.message);
        if (n.stack !== undefined) v.stack = n.stack;
        values.set(i, v);
        defineProps(v, n.props);
        return v;
      }
      case 'instance': {
        const cls = get(n.cls) as { prototype: object };
        const v = Object.create(cls.prototype) as object;
        values.set(i, v);
        defineProps(v, n.props);
        return v;
      }
      case 'construct': {
        const Ctor = follow(globalThis, n.ctor, n.ctor.join('.')) as new (...a: unknown[]) => unknown;
        const v = new Ctor(...n.args.map(get));
        values.set(i, v);
        return v;
      }
      case 'bound': {
        values.set(i, PENDING);
        const target = get(n.target) as (...a: unknown[]) => unknown;
        const v = target.bind(get(n.boundThis), ...n.args.map(get));
        values.set(i, v);
        return v;
      }
      case 'function': {
        values.set(i, PENDING);
        const superclass = n.heritage ? get(n.heritage.superclass) : undefined;
        // Captures known now are passed in; one that is still being built (a cycle) is set after.
        const late: [string, number][] = [];
        const args = n.captures.map(([name, x]) => {
          const known = values.get(x);
          if (known === PENDING) {
            late.push([name, x]);
            return undefined;
          }
          return get(x);
        });
        const [fn, set] = factoryOf(n)(superclass, ...args);
        values.set(i, fn);
        for (const [name, x] of late) closers.push(() => set(name, get(x)));
        assignProps(fn, n.props);
        if (n.prototypeProps) defineProps((fn as { prototype: object }).prototype, n.prototypeProps);
        return fn;
      }
    }
  };

  const getter = (i: number) => {
    const v = get(i);
    for (let c = closers.pop(); c; c = closers.pop()) c();
    return v;
  };
  /** The node a rebuilt function (a class) was made from, or undefined (what a worker sends back names it so). */
  getter.nodeOf = (fn: unknown): number | undefined => {
    for (const [i, v] of values) if (v === fn && typeof v === 'function') return i;
    return undefined;
  };
  return getter;
}
