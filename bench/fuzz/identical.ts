/**
 * Identity of values after a round trip, stricter than `assert.deepStrictEqual` where it matters
 * here: numbers by `Object.is` (-0 is not 0, NaN is NaN), the same prototype at every level,
 * own keys in the same order, bytes as exact `Uint8Array`s, Dates by time, Maps and Sets by entries in order, typed arrays
 * by their bytes, RegExps by source and flags.
 */

/** Where `actual` first differs from `expected` ('' paths the root), or undefined when identical. */
export function difference(actual: unknown, expected: unknown, path = ''): string | undefined {
  const at = path === '' ? 'the value' : path;
  if (typeof actual !== typeof expected) return `${at}: ${describe(actual)} instead of ${describe(expected)}`;
  if (typeof expected !== 'object' || expected === null || actual === null) {
    return Object.is(actual, expected) ? undefined : `${at}: ${describe(actual)} instead of ${describe(expected)}`;
  }
  const a = actual as object;
  const e = expected as object;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(e)) return `${at}: prototype ${protoName(a)} instead of ${protoName(e)}`;
  if (e instanceof Uint8Array) {
    const x = a as Uint8Array;
    if (x.length !== e.length) return `${at}: ${x.length} bytes instead of ${e.length}`;
    for (let i = 0; i < e.length; i++) if (x[i] !== e[i]) return `${at}[${i}]: byte ${x[i]} instead of ${e[i]}`;
    return undefined;
  }
  if (e instanceof Date) {
    const t = (a as Date).getTime();
    return Object.is(t, e.getTime()) ? undefined : `${at}: Date ${t} instead of ${e.getTime()}`;
  }
  if (e instanceof Map) {
    const x = [...(a as Map<unknown, unknown>)];
    const y = [...e];
    if (x.length !== y.length) return `${at}: Map of ${x.length} entries instead of ${y.length}`;
    for (let i = 0; i < y.length; i++) {
      const d = difference(x[i]![0], y[i]![0], `${path}.entry(${i}).key`) ?? difference(x[i]![1], y[i]![1], `${path}.entry(${i}).value`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (e instanceof Set) {
    const x = [...(a as Set<unknown>)];
    const y = [...e];
    if (x.length !== y.length) return `${at}: Set of ${x.length} values instead of ${y.length}`;
    for (let i = 0; i < y.length; i++) {
      const d = difference(x[i], y[i], `${path}.value(${i})`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (e instanceof RegExp) {
    const x = a as RegExp;
    return x.source === e.source && x.flags === e.flags ? undefined : `${at}: /${x.source}/${x.flags} instead of /${e.source}/${e.flags}`;
  }
  if (e instanceof ArrayBuffer || ArrayBuffer.isView(e)) {
    const bytes = (v: object): Uint8Array =>
      v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array((v as ArrayBufferView).buffer, (v as ArrayBufferView).byteOffset, (v as ArrayBufferView).byteLength);
    const [x, y] = [bytes(a), bytes(e)];
    if (x.length !== y.length) return `${at}: ${x.length} bytes instead of ${y.length}`;
    for (let i = 0; i < y.length; i++) if (x[i] !== y[i]) return `${at}: byte ${i} is ${x[i]} instead of ${y[i]}`;
    return undefined;
  }
  if (Array.isArray(e)) {
    const x = a as unknown[];
    if (x.length !== e.length) return `${at}: ${x.length} fields instead of ${e.length}`;
    for (let i = 0; i < e.length; i++) {
      if (!(i in x) && i in e) return `${path}[${i}]: a hole instead of ${describe(e[i])}`;
      const d = difference(x[i], e[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const ka = Object.keys(a);
  const ke = Object.keys(e);
  if (ka.length !== ke.length || ka.some((k, i) => k !== ke[i])) return `${at}: keys ${JSON.stringify(ka)} instead of ${JSON.stringify(ke)}`;
  for (const k of ke) {
    const d = difference((a as Record<string, unknown>)[k], (e as Record<string, unknown>)[k], `${path}.${JSON.stringify(k)}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

function protoName(v: object): string {
  const p = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  return p === null ? 'null' : (p.constructor?.name ?? '(anonymous)');
}

function describe(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || v === undefined || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return `an instance of ${protoName(v)}`;
  return typeof v;
}
