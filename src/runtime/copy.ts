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
  if (value instanceof Date) return new Date(value.getTime());
  // An unregistered class instance stays in this process and is passed on as it is (SPEC §9.15).
  return value;
}
