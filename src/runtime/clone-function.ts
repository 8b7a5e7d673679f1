/**
 * A deep copy of a rich-function instance, prototypes kept: each parallel instance gets its
 * own state (counters, caches), as Flink gives every subtask its own deserialised copy.
 * Functions and class constructors are shared; cycles are preserved.
 */
export function cloneFunctionInstance<T extends object>(instance: T): T {
  return cloneValue(instance, new Map()) as T;
}

function cloneValue(v: unknown, seen: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(cloneValue(x, seen));
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(cloneValue(k, seen), cloneValue(x, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(cloneValue(x, seen));
    return out;
  }
  if (ArrayBuffer.isView(v)) {
    const copy = (v as unknown as { slice(): unknown }).slice?.() ?? v;
    seen.set(v, copy);
    return copy;
  }
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof RegExp || v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) return v;
  const out = Object.create(Object.getPrototypeOf(v));
  seen.set(v, out);
  for (const key of Reflect.ownKeys(v)) {
    const desc = Object.getOwnPropertyDescriptor(v, key)!;
    if ('value' in desc) desc.value = cloneValue(desc.value, seen);
    Object.defineProperty(out, key, desc);
  }
  return out;
}
