/**
 * Snapshots of elements (SPEC §9.4): taken where an element is held (exchange buffers, hash
 * tables, results), so a user function that mutates what it emitted cannot change what others see.
 */
import type { TypeRegistry } from '../serde/type-registry.ts';

export function copyRecord(value: unknown, types: TypeRegistry): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    // slice() copies the elements as they are laid out (unboxed numbers stay unboxed); only nested objects need more.
    const out = value.slice();
    for (let i = 0; i < out.length; i++) {
      const v = out[i];
      if (typeof v === 'object' && v !== null) out[i] = copyRecord(v, types);
    }
    return out;
  }
  if (value instanceof Uint8Array) return value.slice();
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    for (const k of Object.keys(value)) out[k] = copyRecord((value as Record<string, unknown>)[k], types);
    return out;
  }
  const registered = types.lookup(value);
  if (registered) return registered.deserializer.deserialize(registered.serializer.serialize(value));
  // The built-in classes the record format carries unregistered (serde/record-format.ts), by exact class.
  if (proto === Date.prototype) return new Date((value as Date).getTime());
  if (proto === Map.prototype) return new Map([...(value as Map<unknown, unknown>)].map(([k, v]) => [copyRecord(k, types), copyRecord(v, types)]));
  if (proto === Set.prototype) return new Set([...(value as Set<unknown>)].map((v) => copyRecord(v, types)));
  if (proto === RegExp.prototype) return new RegExp(value as RegExp);
  if (proto === ArrayBuffer.prototype) return (value as ArrayBuffer).slice(0);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return (value as unknown as { slice(): unknown }).slice();
  // An unregistered class instance stays in this process and is passed on as it is (SPEC §9.15).
  return value;
}
