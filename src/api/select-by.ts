/**
 * `minBy`/`maxBy` (Flink's `SelectByMinFunction`/`SelectByMaxFunction`): a reduce that keeps, of
 * two tuples, the one whose first field differs smaller (larger) — compared field by field in the
 * order given; on a tie in every field the first of the two. The function travels to the workers
 * like a user's (it captures only the field positions and the direction).
 */
import { planError } from './checks.ts';

export function checkSelectFields(fields: readonly unknown[], what: string): number[] {
  if (fields.length === 0) throw planError(what, 'needs at least one field position');
  for (const f of fields) if (typeof f !== 'number' || !Number.isInteger(f) || f < 0) throw planError(what, `${String(f)} is not a field position`);
  return [...(fields as number[])];
}

export function selectBy<T>(fields: readonly number[], max: boolean, what: string): (a: T, b: T) => T {
  return (a: T, b: T): T => {
    for (const i of fields) {
      if (!Array.isArray(a) || !Array.isArray(b) || i >= a.length || i >= b.length) {
        const bad = !Array.isArray(a) || i >= a.length ? a : b;
        throw new TypeError(`${what}: field ${i} is not in ${Array.isArray(bad) ? `a tuple of ${bad.length} fields` : `a ${typeof bad}`}; ${what} compares fields of tuples`);
      }
      const x: unknown = a[i];
      const y: unknown = b[i];
      if (x === null || x === undefined || y === null || y === undefined) throw new TypeError(`${what}: field ${i} is ${String(x ?? y)}; ${what} compares fields that hold values`);
      if (typeof x !== typeof y || (typeof x !== 'number' && typeof x !== 'string' && typeof x !== 'bigint' && typeof x !== 'boolean')) {
        throw new TypeError(`${what}: field ${i} holds ${typeof x} and ${typeof y}; ${what} compares numbers, strings, bigints or booleans of one type`);
      }
      if (x < y) return max ? b : a;
      if (x > y) return max ? a : b;
    }
    return a;
  };
}
