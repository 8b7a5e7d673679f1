/** Record comparators for sortPartition and sortGroup: keys in order, each ascending or descending. */
import type { SortKey } from '../plan/nodes.ts';
import { compareValues } from './compare.ts';
import { compileKeyExtractor } from './keys.ts';

export type RecordComparator = (a: unknown, b: unknown) => number;

export function compileSortComparator(keys: readonly SortKey[], userObjects: ReadonlyMap<string, unknown>, operator: string): RecordComparator {
  const extractors = keys.map((k) => compileKeyExtractor(k.key, userObjects, operator));
  const signs = keys.map((k) => (k.order === 'DESCENDING' ? -1 : 1));
  const n = keys.length;
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const c = compareValues(extractors[i]!(a), extractors[i]!(b));
      if (c !== 0) return c * signs[i]!;
    }
    return 0;
  };
}
