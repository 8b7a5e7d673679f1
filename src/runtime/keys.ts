/**
 * Keys at run time: extracting a key from a record (positions, dotted paths, selectors, whole
 * element), turning it into a value a `Map` compares by value (`groupKey`), and hashing it to a
 * partition. Keys compare by value, never by identity.
 */
import { TaskError, UserFunctionError } from '../errors/index.ts';
import type { KeySpec } from '../plan/nodes.ts';
import { fmix32 } from '../serde/key-codec.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';
import { describeRecord } from './describe-record.ts';

export type KeyExtractor = (record: unknown) => unknown;

/** Builds the function that reads a key from a record. */
export function compileKeyExtractor(spec: KeySpec, userObjects: ReadonlyMap<string, unknown>, operator: string): KeyExtractor {
  switch (spec.kind) {
    case 'whole':
      return (r) => r;
    case 'selector': {
      const sel = userObjects.get(spec.fn);
      const fn =
        typeof sel === 'function'
          ? (sel as (v: unknown) => unknown)
          : typeof (sel as { getKey?: unknown })?.getKey === 'function'
            ? (v: unknown) => (sel as { getKey(v: unknown): unknown }).getKey(v)
            : null;
      if (!fn) throw new TaskError(operator, 'the key selector is neither a function nor a KeySelector');
      return (r) => {
        let key: unknown;
        try {
          key = fn(r);
        } catch (e) {
          throw new UserFunctionError(operator, describeRecord(r), e);
        }
        // Strings and numbers first, inline: the check is per record.
        if (typeof key === 'string' || (typeof key === 'number' && key === key) || isKeyValue(key)) return key;
        throw badSelectorKey(operator, key, r);
      };
    }
    case 'fields': {
      const readers = spec.fields.map((f) => fieldReader(f, operator));
      if (readers.length === 1) return readers[0]!;
      const n = readers.length;
      return (r) => {
        const key = new Array(n);
        for (let i = 0; i < n; i++) key[i] = readers[i]!(r);
        return key;
      };
    }
  }
}

/**
 * What a key selector may return: a value that compares by value, the same in every
 * process. `undefined`, NaN (never equal to itself), functions and symbols are not: at p=1 they
 * would group by identity, across workers they cannot travel, so each fails the task wherever it runs.
 */
function isKeyValue(key: unknown): boolean {
  switch (typeof key) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return true;
    case 'number':
      return key === key;
    case 'object': {
      if (key === null) return true;
      if (Array.isArray(key)) {
        for (let i = 0; i < key.length; i++) {
          const v: unknown = key[i];
          if (typeof v !== 'string' && !(typeof v === 'number' && v === v) && !isKeyValue(v)) return false;
        }
        return true;
      }
      // Bytes and class instances are compared through their own (or their serializer's) form.
      if (!isPlainObject(key)) return true;
      for (const k in key) if (!isKeyValue((key as Record<string, unknown>)[k])) return false;
      return true;
    }
    default:
      return false;
  }
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function badSelectorKey(operator: string, key: unknown, record: unknown): TaskError {
  return new TaskError(
    operator,
    `the key selector returned ${describeKeyValue(key)} for the record ${describeRecord(record)}; a key must be a string, a number (not NaN), a boolean, a bigint, null, bytes, a tuple of these, an object or a registered custom type`,
  );
}

function describeKeyValue(v: unknown): string {
  if (typeof v === 'number') return 'NaN';
  if (Array.isArray(v)) return `a tuple holding ${describeKeyValue(v.find((k) => !isKeyValue(k)))}`;
  if (v !== null && typeof v === 'object') {
    const field = Object.keys(v).find((k) => !isKeyValue((v as Record<string, unknown>)[k]))!;
    return `an object holding ${describeKeyValue((v as Record<string, unknown>)[field])} in '${field}'`;
  }
  return typeof v === 'function' ? 'a function' : typeof v === 'symbol' ? 'a symbol' : 'undefined';
}

function fieldReader(field: number | string, operator: string): KeyExtractor {
  if (typeof field === 'number') {
    return (r) => {
      if (!Array.isArray(r)) throw new TaskError(operator, `key position ${field} needs a tuple, but the element is ${describeRecord(r)}`);
      if (field >= r.length) throw new TaskError(operator, `key position ${field} is out of range for a tuple of ${r.length} fields: ${describeRecord(r)}`);
      return r[field];
    };
  }
  const path = field.split('.');
  return (r) => {
    let v: unknown = r;
    for (const p of path) {
      if (v === null || typeof v !== 'object') throw new TaskError(operator, `key '${field}' cannot be read from ${describeRecord(r)}`);
      const idx = Array.isArray(v) && /^\d+$/.test(p) ? Number(p) : p;
      if (!(idx in (v as object))) throw new TaskError(operator, `key '${field}' does not exist in ${describeRecord(r)}`);
      v = (v as Record<string | number, unknown>)[idx];
    }
    return v;
  };
}

/**
 * A value that `Map` and `===` compare the way keys compare: primitives as they are, tuples,
 * bytes, objects and custom types as a canonical string (prefixed with NUL so no plain string collides).
 */
export function groupKey(key: unknown, types: TypeRegistry): unknown {
  if (typeof key === 'string') return key.charCodeAt(0) === 0 ? `\u0000s${key}` : key;
  if (typeof key !== 'object' || key === null) return key;
  // A tuple of strings, finite numbers, booleans and nulls: canonical() would build exactly
  // JSON's text, which the native JSON.stringify builds several times faster (measured on distinct).
  if (Array.isArray(key) && isFlatJsonTuple(key)) return `\u0000${JSON.stringify(key)}`;
  return `\u0000${canonical(key, types)}`;
}

function isFlatJsonTuple(key: unknown[]): boolean {
  for (let i = 0; i < key.length; i++) {
    const v = key[i];
    const t = typeof v;
    if (t === 'string' || t === 'boolean' || v === null) continue;
    if (t === 'number' && Number.isFinite(v) && !Object.is(v, -0)) continue;
    return false;
  }
  return true;
}

function canonical(v: unknown, types: TypeRegistry): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'U';
    default:
      break;
  }
  if (v === null) return 'N';
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + canonical(v[i], types);
    return `${s}]`;
  }
  if (v instanceof Uint8Array) return `b${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  const registered = types.lookup(v as object);
  if (registered) return `c${registered.id}:${Buffer.from(registered.serializer.serialize(v)).toString('hex')}`;
  // Built-in value types by value, as the record format carries them (Map and Set contents in any order).
  if (v instanceof Date) return `d${v.getTime()}`;
  if (v instanceof Map)
    return `M[${[...v]
      .map(([k, x]) => `${canonical(k, types)}=>${canonical(x, types)}`)
      .sort()
      .join(',')}]`;
  if (v instanceof Set)
    return `S[${[...v]
      .map((x) => canonical(x, types))
      .sort()
      .join(',')}]`;
  if (v instanceof RegExp) return `r${JSON.stringify(v.source)}/${v.flags}`;
  if (v instanceof ArrayBuffer) return `A${Buffer.from(v).toString('hex')}`;
  if (ArrayBuffer.isView(v)) return `t${v.constructor.name}:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  const keys = Object.keys(v as object).sort();
  let s = `{${(v as object).constructor?.name ?? ''}|`;
  for (const k of keys) s += `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k], types)},`;
  return `${s}}`;
}

/** A 32-bit hash of a group key (the result of `groupKey`), stable across processes. */
/**
 * The hash a HASH exchange routes a key by: `hashGroupKey(groupKey(key))`, except that a tuple of
 * int32s (a distinct's or a composite key's usual form) is hashed from its numbers, without
 * building its text form first — measured on the distinct bench at p=2, the text was most of the
 * partitioner's time. Any function of the group key routes correctly, as long as every exchange
 * uses the same one (all go through runtime/partitioner.ts).
 */
export function hashKey(key: unknown, types: TypeRegistry): number {
  if (Array.isArray(key) && key.length > 0) {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      const v = key[i];
      if (typeof v !== 'number' || (v | 0) !== v) return hashGroupKey(groupKey(key, types));
      h = Math.imul(h ^ fmix32(v | 0), 0x01000193);
    }
    return fmix32(h);
  }
  return hashGroupKey(groupKey(key, types));
}

export function hashGroupKey(gk: unknown): number {
  let s: string;
  if (typeof gk === 'string') s = gk;
  else if (typeof gk === 'number') {
    if (Number.isInteger(gk) && gk >= -2147483648 && gk <= 2147483647) return fmix32(gk | 0);
    s = Object.is(gk, -0) ? '0' : String(gk);
  } else s = String(gk);
  // FNV-1a over UTF-16 code units, then a murmur3 finaliser for spread.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}
