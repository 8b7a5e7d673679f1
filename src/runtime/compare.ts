/**
 * A total order over element values, for sortPartition, sortGroup and sorted output:
 * null < undefined < boolean < number < bigint < string < bytes < tuple < object;
 * tuples compare field by field, then by length. Among objects, plain ones come before the
 * built-in value types, which order as their canonical keys do (serde/key-codec.ts): Dates by
 * time, then RegExps, Maps, Sets, typed arrays.
 */
import { KeyEncoder, builtInKind, compareKeyBytes } from '../serde/key-codec.ts';
import { TypeRegistry } from '../serde/type-registry.ts';
function rank(v: unknown): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'undefined':
      return 1;
    case 'boolean':
      return 2;
    case 'number':
      return 3;
    case 'bigint':
      return 4;
    case 'string':
      return 5;
    default:
      if (v instanceof Uint8Array) return 6;
      if (Array.isArray(v)) return 7;
      return 8;
  }
}

export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 4:
      return (a as bigint) < (b as bigint) ? -1 : (a as bigint) > (b as bigint) ? 1 : 0;
    case 6: {
      const x = a as Uint8Array;
      const y = b as Uint8Array;
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
      return x.length - y.length;
    }
    case 7: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 8: {
      const ka = builtInKind(a as object);
      const kb = builtInKind(b as object);
      if (ka !== 0 || kb !== 0) return compareBuiltIns(a as object, ka, b as object, kb);
      const sa = String(a);
      const sb = String(b);
      if (sa !== '[object Object]' || sb !== '[object Object]') return sa < sb ? -1 : sa > sb ? 1 : 0;
      const ja = JSON.stringify(a);
      const jb = JSON.stringify(b);
      return ja < jb ? -1 : ja > jb ? 1 : 0;
    }
    default:
      return 0;
  }
}

let encoder: KeyEncoder | null = null;

function compareBuiltIns(a: object, ka: number, b: object, kb: number): number {
  if (ka !== kb) return (ka === 0 ? 2 : ka) < (kb === 0 ? 2 : kb) ? -1 : 1;
  if (a instanceof Date) return compareValues(a.getTime(), (b as Date).getTime());
  encoder ??= new KeyEncoder(new TypeRegistry());
  return compareKeyBytes(encoder.encode(a), encoder.encode(b));
}
