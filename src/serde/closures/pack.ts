/**
 * Packs values for a worker: functions as their source and the values they capture (read
 * from V8's view of their scopes, inspect.ts), or as a module export the worker imports;
 * objects by copy; what a worker has already (globals, built-ins) by name. A value that cannot
 * travel is a PlanError naming where it was captured.
 */
import { realpathSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { types as utilTypes } from 'node:util';
import { PlanError } from '../../errors/index.ts';
import type { TypeRegistry } from '../type-registry.ts';
import { analyzeSource, importBindings } from './analyze.ts';
import type { PackedNode, PackedProperty } from './graph.ts';
import { inspectFunction, privateNames, scriptSource } from './inspect.ts';
import { BUILTIN_MODULES, isUserGlobal, type KnownRef, knownCommonJs, knownGlobal, moduleExportsLoaded, knownModuleExportSync, whyNotCopyable } from './known-values.ts';

/** Where a value was met, for errors: the operator, and the path of names from the operator's function to it. */
export interface Where {
  readonly operator: string;
  /** The function that captures the value, as `file:line` (null for the operator's own object). */
  readonly site: string | null;
  readonly path: string;
}

/** Modules whose exports must be looked at before packing can finish (then it starts again). */
export class NeedModules {
  readonly urls: ReadonlySet<string>;
  constructor(urls: ReadonlySet<string>) {
    this.urls = urls;
  }
}

const WELL_KNOWN_SYMBOLS = new Map<symbol, string>(
  Object.getOwnPropertyNames(Symbol)
    .filter((k) => typeof (Symbol as unknown as Record<string, unknown>)[k] === 'symbol')
    .map((k) => [(Symbol as unknown as Record<string, symbol>)[k]!, k]),
);

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
];

/** A script URL as a file URL when it names a file (CommonJS reports paths). */
export function normalizeUrl(url: string): string {
  if (url.startsWith('/')) return pathToFileURL(url).href;
  return url;
}

function stripQuery(url: string): string {
  return url.replace(/[?#].*$/, '');
}

/**
 * The modules that must not be imported in a worker: the entry script (its top-level code is
 * the user's program) and modules on the current stack (still running their top-level code).
 */
export function modulesNotToImport(stack: string): Set<string> {
  const out = new Set<string>();
  const entry = process.argv[1];
  if (entry) {
    try {
      out.add(pathToFileURL(entry).href);
      out.add(pathToFileURL(realpathSync(entry)).href);
    } catch {
      // not a file
    }
  }
  for (const m of stack.matchAll(/(file:\/\/[^\s):]+|\/[^\s):]+\.[cm]?[jt]sx?)(?::\d+)+/g)) out.add(stripQuery(normalizeUrl(m[1]!)));
  return out;
}

/** `file:line` of a definition, through the file's source map when it was compiled (tsx). */
function siteOf(url: string, line: number, column: number): string {
  try {
    const entry = (findSourceMap(url) ?? (url.startsWith('file:') ? findSourceMap(fileURLToPath(stripQuery(url))) : undefined))?.findEntry(line, column);
    if (entry && 'originalLine' in entry && typeof entry.originalLine === 'number') {
      line = entry.originalLine;
      if (entry.originalSource) url = entry.originalSource;
    }
  } catch {
    // no source map
  }
  let file = url;
  if (url.startsWith('file:')) {
    try {
      file = fileURLToPath(stripQuery(url));
    } catch {
      // keep the URL
    }
  }
  return `${file || '<eval>'}:${line + 1}`;
}

function describeValue(v: object): string {
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name ? `a ${name} instance` : 'an object';
}

const TRAVELS = Symbol.for('tsflink.travels');

/** Whether the class or one it extends is marked to travel anywhere (tsflink's rich functions and key selectors). */
function travelsAnywhere(cls: unknown): boolean {
  for (let c = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, TRAVELS)) return true;
  }
  return false;
}

/** An accumulator (the Accumulator interface): per-instance state a rich function holds, made to travel. */
function isAccumulator(obj: object): boolean {
  const a = obj as Record<string, unknown>;
  return ['add', 'getLocalValue', 'resetLocal', 'merge', 'clone'].every((m) => typeof a[m] === 'function');
}

const FUNCTION_OWN = new Set(['length', 'name', 'prototype', 'arguments', 'caller']);

export class Packer {
  readonly nodes: PackedNode[] = [];
  /** Module URLs and CommonJS files the packed values import. */
  readonly modules = new Set<string>();
  private readonly seen = new Map<unknown, number>();
  private readonly needed = new Set<string>();
  private readonly noImport: ReadonlySet<string>;
  private readonly types: TypeRegistry;

  constructor(noImport: ReadonlySet<string>, types: TypeRegistry) {
    this.noImport = noImport;
    this.types = types;
  }

  /** The functions packed (classes among them), by node: what a node a worker names stands for here. */
  functionsByNode(): Map<number, unknown> {
    const out = new Map<number, unknown>();
    for (const [v, i] of this.seen) if (typeof v === 'function') out.set(i, v);
    return out;
  }

  /** Throws NeedModules at the end when a module must be loaded first. */
  finish(): void {
    if (this.needed.size > 0) throw new NeedModules(this.needed);
  }

  private add(node: PackedNode): number {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  private fail(where: Where, what: string, hint: string): never {
    const at = where.site ? ` (a function defined at ${where.site})` : '';
    throw new PlanError(`${where.operator}: \`${where.path}\`${at} is ${what}; it cannot be sent to the worker threads or Flink workers that run the operator. ${hint}`);
  }

  /** Packs a user object at the root of an operator: a function, or an object with methods (any class). */
  packRoot(value: unknown, operator: string): number {
    const where: Where = { operator, site: null, path: typeof value === 'function' ? 'the function' : 'the function object' };
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return this.packInstance(value, where, true);
    return this.pack(value, where);
  }

  pack(value: unknown, where: Where): number {
    switch (typeof value) {
      case 'undefined':
        return this.add({ k: 'undefined' });
      case 'boolean':
      case 'string':
        return this.add({ k: 'json', v: value });
      case 'number':
        if (Number.isNaN(value)) return this.add({ k: 'number', v: 'NaN' });
        if (value === Infinity || value === -Infinity) return this.add({ k: 'number', v: value > 0 ? 'Infinity' : '-Infinity' });
        if (Object.is(value, -0)) return this.add({ k: 'number', v: '-0' });
        return this.add({ k: 'json', v: value });
      case 'bigint':
        return this.add({ k: 'bigint', v: value.toString() });
      case 'symbol': {
        const key = Symbol.keyFor(value);
        if (key !== undefined) return this.add({ k: 'symbol', key });
        const wk = WELL_KNOWN_SYMBOLS.get(value);
        if (wk !== undefined) return this.add({ k: 'wellKnownSymbol', name: wk });
        return this.fail(where, `a unique symbol (${value.description ?? ''})`, 'Use Symbol.for(…) for a symbol that means the same in every thread.');
      }
      default:
        break;
    }
    if (value === null) return this.add({ k: 'json', v: null });
    const obj = value as object;
    const done = this.seen.get(obj);
    if (done !== undefined) return done;
    const known = knownGlobal(obj);
    if (known) return this.remember(obj, { k: 'known', ref: known });
    if (typeof obj === 'function') return this.packFunction(obj as (...args: unknown[]) => unknown, where);
    return this.packObject(obj, where);
  }

  private remember(obj: object, node: PackedNode): number {
    const i = this.add(node);
    this.seen.set(obj, i);
    return i;
  }

  /** Reserves a node for an object whose children are packed next (cycles find it). */
  private reserve(obj: object): number {
    const i = this.add({ k: 'undefined' });
    this.seen.set(obj, i);
    return i;
  }

  private packObject(obj: object, where: Where): number {
    const why = whyNotCopyable(obj);
    if (why) return this.fail(where, why, 'Create it inside the function (in open() of a rich function), or mark the operator with runInClient().');
    if (utilTypes.isModuleNamespaceObject(obj)) return this.packNamespace(obj, where);
    const cjs = knownCommonJs(obj, null);
    if (cjs && !this.noImport.has(pathToFileURL((cjs as { file: string }).file).href)) {
      this.modules.add((cjs as { file: string }).file);
      return this.remember(obj, { k: 'known', ref: cjs });
    }
    if (Array.isArray(obj)) {
      if (obj.every((x) => typeof x === 'string' || typeof x === 'boolean' || x === null || (typeof x === 'number' && Number.isFinite(x) && !Object.is(x, -0)))) {
        return this.remember(obj, { k: 'jsonArray', v: obj as (string | number | boolean | null)[] });
      }
      const i = this.reserve(obj);
      const items: (number | null)[] = [];
      for (let j = 0; j < obj.length; j++) items.push(j in obj ? this.pack(obj[j], { ...where, path: `${where.path}[${j}]` }) : null);
      this.nodes[i] = { k: 'array', items };
      return i;
    }
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto === Object.prototype || proto === null) {
      const i = this.reserve(obj);
      this.nodes[i] = { k: 'object', nullProto: proto === null, props: this.packProps(obj, where, new Set()) };
      return i;
    }
    if (obj instanceof Map && proto === Map.prototype) {
      const i = this.reserve(obj);
      const entries: [number, number][] = [];
      for (const [k, v] of obj)
        entries.push([this.pack(k, { ...where, path: `${where.path} (a key)` }), this.pack(v, { ...where, path: `${where.path}.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})` })]);
      this.nodes[i] = { k: 'map', entries };
      return i;
    }
    if (obj instanceof Set && proto === Set.prototype) {
      const i = this.reserve(obj);
      const items: number[] = [];
      for (const v of obj) items.push(this.pack(v, { ...where, path: `${where.path} (an element)` }));
      this.nodes[i] = { k: 'set', items };
      return i;
    }
    if (obj instanceof Date && proto === Date.prototype) return this.remember(obj, { k: 'date', time: obj.getTime() });
    if (obj instanceof RegExp && proto === RegExp.prototype) return this.remember(obj, { k: 'regexp', source: obj.source, flags: obj.flags, lastIndex: obj.lastIndex });
    if (utilTypes.isArrayBuffer(obj)) return this.remember(obj, { k: 'bytes', type: 'ArrayBuffer', base64: Buffer.from(obj as ArrayBuffer).toString('base64') });
    if (ArrayBuffer.isView(obj)) {
      const type = Buffer.isBuffer(obj) ? 'Buffer' : TYPED_ARRAYS.find((t) => (globalThis as unknown as Record<string, { prototype: object }>)[t]!.prototype === proto);
      if (type) return this.remember(obj, { k: 'bytes', type, base64: Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64') });
    }
    if (obj instanceof Error && (proto === Error.prototype || knownGlobal(proto.constructor)?.kind === 'global')) {
      const i = this.reserve(obj);
      this.nodes[i] = { k: 'error', name: obj.name, message: obj.message, stack: obj.stack, props: this.packProps(obj, where, new Set(['stack', 'message'])) };
      return i;
    }
    return this.packInstance(obj, where, false);
  }

  private packNamespace(ns: object, where: Where): number {
    for (const v of Object.values(ns)) {
      if (typeof v !== 'function') continue;
      const url = inspectFunction(v as (...args: unknown[]) => unknown, new Set()).location?.url;
      if (!url) continue;
      const ref = this.moduleRef(ns, normalizeUrl(url));
      if (ref) return this.remember(ns, { k: 'known', ref });
    }
    if (this.needed.size > 0) return this.add({ k: 'undefined' }); // packed again once its module is looked at
    return this.fail(where, 'a module namespace that could not be found again', 'Import what the function needs by name.');
  }

  /** A built-in object with no state beyond what it was made with, as a construction; null for others. */
  private packConstruction(obj: object, where: Where): number | null {
    const make = (ctor: string[], args: unknown[]): number => {
      const i = this.reserve(obj);
      this.nodes[i] = { k: 'construct', ctor, args: args.map((a) => this.pack(a, where)) };
      return i;
    };
    if (obj instanceof TextEncoder) return make(['TextEncoder'], []);
    if (obj instanceof TextDecoder) return make(['TextDecoder'], [obj.encoding, { fatal: obj.fatal, ignoreBOM: obj.ignoreBOM }]);
    if (obj instanceof URL) return make(['URL'], [obj.href]);
    if (obj instanceof URLSearchParams) return make(['URLSearchParams'], [obj.toString()]);
    for (const name of ['Collator', 'DateTimeFormat', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'ListFormat', 'Segmenter'] as const) {
      const Ctor = (Intl as unknown as Record<string, new (...a: unknown[]) => { resolvedOptions(): { locale: string } }>)[name];
      if (Ctor && obj instanceof Ctor) {
        const options = (obj as InstanceType<typeof Ctor>).resolvedOptions();
        return make(['Intl', name], [options.locale, JSON.parse(JSON.stringify(options))]);
      }
    }
    return null;
  }

  /** An instance of a class: rich functions and registered types travel; other classes only at the root. */
  private packInstance(obj: object, where: Where, root: boolean): number {
    const made = this.packConstruction(obj, where);
    if (made !== null) return made;
    const proto = Object.getPrototypeOf(obj) as { constructor?: unknown } | null;
    const cls = proto?.constructor;
    if (proto !== null && typeof cls === 'function' && cls.prototype === proto) {
      const travels = root || this.types.lookup(obj) !== undefined || travelsAnywhere(cls) || isAccumulator(obj);
      if (!travels) {
        const name = cls.name || 'anonymous';
        const builtIn = knownGlobal(cls) !== undefined;
        const hint =
          name === 'DataSet' || name.endsWith('Environment') || name.endsWith('DataSet') || name.endsWith('Operator')
            ? 'A data set cannot be used inside a function: pass it as a broadcast set (withBroadcastSet) and read it with getBroadcastVariable.'
            : builtIn
              ? 'Create it inside the function (in open() of a rich function), or mark the operator with runInClient().'
              : `Register the class with env.registerCustomType(${name}, …), create the value inside the function (in open() of a rich function), or mark the operator with runInClient().`;
        return this.fail(where, builtIn ? `an instance of ${name} (it holds resources of this process)` : `an instance of class ${name}, which is not a registered type`, hint);
      }
      const priv = privateNames(obj);
      if (priv.length > 0)
        return this.fail(
          where,
          `an instance of class ${cls.name} with private fields (${priv.join(', ')})`,
          'A copy cannot reach private fields: use ordinary properties, or create the value inside the function.',
        );
      const i = this.reserve(obj);
      const clsIndex = this.pack(cls, { ...where, path: `${where.path}.constructor` });
      this.nodes[i] = { k: 'instance', cls: clsIndex, props: this.packProps(obj, where, new Set()) };
      return i;
    }
    if (root && proto !== null && Object.getPrototypeOf(proto) === Object.prototype) {
      // An object literal's methods (`{ map(x) {…} }`) with a prototype object of its own.
      const i = this.reserve(obj);
      this.nodes[i] = { k: 'object', nullProto: false, props: this.packProps(obj, where, new Set()) };
      return i;
    }
    return this.fail(where, describeValue(obj), 'Create it inside the function (in open() of a rich function), or mark the operator with runInClient().');
  }

  private packProps(obj: object, where: Where, skip: ReadonlySet<string>): PackedProperty[] {
    const props: PackedProperty[] = [];
    for (const key of Reflect.ownKeys(obj)) {
      if (typeof key === 'string' && skip.has(key)) continue;
      const d = Object.getOwnPropertyDescriptor(obj, key)!;
      const name = typeof key === 'string' ? key : `[${key.description ?? 'symbol'}]`;
      const k = typeof key === 'string' ? key : this.pack(key, { ...where, path: `${where.path} (a symbol key)` });
      const at: Where = { ...where, path: /^[A-Za-z_$][\w$]*$/.test(name) ? `${where.path}.${name}` : `${where.path}[${JSON.stringify(name)}]` };
      if ('value' in d) props.push({ key: k, value: this.pack(d.value, at), enumerable: !!d.enumerable, writable: !!d.writable, configurable: !!d.configurable });
      else props.push({ key: k, get: d.get ? this.pack(d.get, at) : null, set: d.set ? this.pack(d.set, at) : null, enumerable: !!d.enumerable, configurable: !!d.configurable });
    }
    return props;
  }

  /** A module's export that `value` is, when the module may be imported; null otherwise (pending: NeedModules). */
  private moduleRef(value: unknown, url: string): KnownRef | null {
    const bare = stripQuery(url);
    if (!bare.startsWith('file:') || this.noImport.has(bare)) return null;
    const file = fileURLToPath(bare);
    const cjs = knownCommonJs(value, file);
    if (cjs) {
      this.modules.add(file);
      return cjs;
    }
    if (!moduleExportsLoaded(url)) {
      this.needed.add(url);
      return null;
    }
    const ref = knownModuleExportSync(value, url);
    if (ref) this.modules.add(url);
    return ref ?? null;
  }

  /**
   * An import binding of a built-in module's primitive export (`threadId`, `isMainThread`,
   * `workerData`), which must mean the worker's own value, not a copy of this thread's; null
   * for anything else.
   */
  private builtinImport(scriptId: string, name: string): number | null {
    const binding = importBindings(scriptSource(scriptId)).get(name);
    if (!binding) return null;
    const module = binding.from.replace(/^node:/, '');
    if (!BUILTIN_MODULES.has(module)) return null;
    const path = binding.name === 'default' || binding.name === '*' ? [] : [binding.name];
    return this.add({ k: 'known', ref: { kind: 'builtin', module, path } });
  }

  private packFunction(fn: (...args: unknown[]) => unknown, where: Where): number {
    const source = Function.prototype.toString.call(fn);
    const analysis = analyzeSource(source);
    // Where it is defined first (remembered per function): an export of a module travels by name.
    const first = inspectFunction(fn, new Set());
    if (first.bound) {
      const i = this.reserve(fn);
      const target = this.pack(first.bound.target, { ...where, path: `${where.path} (bound target)` });
      const boundThis = this.pack(first.bound.boundThis, { ...where, path: `${where.path} (bound this)` });
      const args = first.bound.args.map((a, j) => this.pack(a, { ...where, path: `${where.path} (bound argument ${j + 1})` }));
      this.nodes[i] = { k: 'bound', target, boundThis, args };
      return i;
    }
    const url = first.location ? normalizeUrl(first.location.url) : '';
    const site = first.location ? siteOf(url, first.location.line, first.location.column) : null;
    const ref = url ? this.moduleRef(fn, url) : null;
    if (ref) return this.remember(fn, { k: 'known', ref });
    const view = typeof analysis === 'string' || analysis.free.size === 0 ? first : inspectFunction(fn, analysis.free);
    if (typeof analysis === 'string') {
      const what = url.startsWith('node:') ? `function ${fn.name || '(anonymous)'}, internal to Node.js` : `function ${fn.name || '(anonymous)'}, native code (built in, or from a native addon)`;
      return this.fail(where, what, 'Call it inside a function of your own that imports it, or mark the operator with runInClient().');
    }
    if (url.startsWith('node:')) return this.fail(where, `function ${fn.name || '(anonymous)'}, internal to Node.js`, 'Import it in a module of your own and call it from there.');
    if (analysis.unreachable) {
      return this.fail({ ...where, site }, `a function that uses ${analysis.unreachable}`, 'Copy what it needs into a local const first (e.g. `const factor = this.factor;`), and use that.');
    }
    const i = this.reserve(fn);
    const inner: Where = { operator: where.operator, site, path: '' };
    const captures: [string, number][] = [];
    for (const [name, c] of view.captured) {
      if (name === 'require' && typeof c.value === 'function' && url.startsWith('file:')) {
        captures.push([name, this.add({ k: 'require', file: fileURLToPath(stripQuery(url)) })]);
        continue;
      }
      const imported =
        c.scope === 'Module' && first.location && (typeof c.value !== 'object' || c.value === null) && typeof c.value !== 'function' ? this.builtinImport(first.location.scriptId, name) : null;
      captures.push([name, imported ?? this.pack(c.value, { ...inner, path: name })]);
    }
    // Globals the program made (a script's top-level functions and vars): a worker has none of them.
    for (const name of analysis.free) {
      if (!view.captured.has(name) && isUserGlobal(name)) captures.push([name, this.pack((globalThis as Record<string, unknown>)[name], { ...inner, path: name })]);
    }
    let heritage: { start: number; end: number; superclass: number } | null = null;
    if (analysis.heritage) {
      heritage = { ...analysis.heritage, superclass: this.pack(Object.getPrototypeOf(fn), { ...inner, path: `${fn.name || 'class'}'s superclass` }) };
    }
    const isClass = /^class\b/.test(source);
    const props = this.packProps(fn, { ...inner, path: fn.name || 'function' }, FUNCTION_OWN);
    let prototypeProps: PackedProperty[] | null = null;
    const proto = (fn as { prototype?: object }).prototype;
    if (!isClass && proto && typeof proto === 'object' && Reflect.ownKeys(proto).some((k) => k !== 'constructor')) {
      prototypeProps = this.packProps(proto, { ...inner, path: `${fn.name || 'function'}.prototype` }, new Set(['constructor']));
    }
    const strict = view.inModule || isClass || (analysis.form.kind === 'expression' && /^(async\s+)?function\b/.test(source) && !Object.hasOwn(fn, 'caller'));
    this.nodes[i] = { k: 'function', source, form: analysis.form, heritage, captures, strict, url, line: view.location?.line ?? 0, props, prototypeProps };
    return i;
  }
}
