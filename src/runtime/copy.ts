/**
 * Snapshots of elements: taken where an element is held (exchange buffers, hash
 * tables, results), so a user function that mutates what it emitted cannot change what others see.
 */
import { MAX_DEPTH } from '../serde/record-format.ts';
import { RecordWriter } from '../serde/record-writer.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';

/**
 * A copy of `value`. What no copy can carry across a thread (a function, a symbol, a value nested
 * deeper than the record format allows, such as one that contains itself) is the same error here,
 * at p=1, as where a record crosses to a worker thread at p > 1: the binary format's own.
 */
export function copyRecord(value: unknown, types: TypeRegistry): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') cannotTravel(value, types);
    return value;
  }
  return copyValue(value, types, value, 0);
}

function copyValue(value: object, types: TypeRegistry, record: unknown, depth: number): unknown {
  if (depth >= MAX_DEPTH) cannotTravel(record, types);
  if (Array.isArray(value)) {
    // slice() copies the elements as they are laid out (unboxed numbers stay unboxed); only nested objects need more.
    const out = value.slice();
    for (let i = 0; i < out.length; i++) {
      const v = out[i];
      const t = typeof v;
      if (t === 'object') {
        if (v !== null) out[i] = copyValue(v, types, record, depth + 1);
      } else if (t === 'function' || t === 'symbol') cannotTravel(record, types);
      // A hole becomes undefined, as the record format carries it.
      else if (t === 'undefined' && !(i in out)) out[i] = undefined;
    }
    return out;
  }
  if (value instanceof Uint8Array) return value.slice();
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    for (const k of Object.keys(value)) out[k] = copyField((value as Record<string, unknown>)[k], types, record, depth);
    return out;
  }
  const registered = types.lookup(value);
  if (registered) return registered.deserializer.deserialize(registered.serializer.serialize(value));
  // The built-in classes the record format carries unregistered (serde/record-format.ts), by exact class.
  if (proto === Date.prototype) return new Date((value as Date).getTime());
  if (proto === Map.prototype) {
    return new Map([...(value as Map<unknown, unknown>)].map(([k, v]) => [copyField(k, types, record, depth), copyField(v, types, record, depth)]));
  }
  if (proto === Set.prototype) return new Set([...(value as Set<unknown>)].map((v) => copyField(v, types, record, depth)));
  if (proto === RegExp.prototype) return new RegExp(value as RegExp);
  if (proto === ArrayBuffer.prototype) return (value as ArrayBuffer).slice(0);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return (value as unknown as { slice(): unknown }).slice();
  // An unregistered class instance stays in this process and is passed on as it is; only crossing a thread or process boundary is an error.
  return value;
}

function copyField(v: unknown, types: TypeRegistry, record: unknown, depth: number): unknown {
  if (typeof v === 'object') return v === null ? v : copyValue(v, types, record, depth + 1);
  if (typeof v === 'function' || typeof v === 'symbol') cannotTravel(record, types);
  return v;
}

/** Throws the record format's error for `record` (with the place of what cannot travel in it). */
function cannotTravel(record: unknown, types: TypeRegistry): never {
  new RecordWriter(types).write(record);
  throw new TypeError('a record that cannot be copied was written (copy.ts and the record format disagree)');
}
