/**
 * `partitionByRange(key)`, as Flink's: elements with smaller keys go to lower partitions, each
 * partition holding about as many. As Flink does, the data is sampled first: a sample of keys
 * (sampleWithSize) gives up to RANGES − 1 boundaries, sorted, which every producer reads as a
 * broadcast set to tag each element with its range; the ranges are then spread over the
 * consumers in order (a CUSTOM exchange), and the tag dropped. Built from the API's own
 * operators, so it runs the same on every target; the functions are tsflink's exported
 * classes and travel by name.
 */
import { type Collector, GroupReduceFunction, MapFunction } from './functions.ts';

/** How many ranges the boundaries cut the keys into (spread over the consumers, however many). */
export const RANGES = 1024;

/** The key of an element: a field, several fields (as an array), or a selector's result. */
export type RangeKey = (value: unknown) => unknown;

/** Keys in order: numbers, bigints, strings, booleans and Dates each among their kind, arrays field by field. */
export function compareKeys(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareKeys(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  const kinds = ['number', 'bigint', 'string', 'boolean'];
  if (!kinds.includes(typeof x) || !kinds.includes(typeof y) || (typeof x === 'string') !== (typeof y === 'string') || (typeof x === 'boolean') !== (typeof y === 'boolean')) {
    throw new TypeError(`partitionByRange orders keys that are numbers, bigints, strings, booleans or Dates of one kind; got ${typeof a} and ${typeof b}`);
  }
  if (typeof x === 'number' && x !== x) throw new TypeError('partitionByRange cannot order a NaN key');
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

/** Extracts each element's key, for the sample. */
export class RangeKeyFunction<T> extends MapFunction<T, unknown> {
  readonly key: RangeKey;
  constructor(key: RangeKey) {
    super();
    this.key = key;
  }
  map(value: T): unknown {
    return this.key(value);
  }
}

/** The sorted sample → up to RANGES − 1 boundaries (one array element). */
export class RangeBoundariesFunction extends GroupReduceFunction<unknown, unknown[]> {
  reduce(keys: Iterable<unknown>, out: Collector<unknown[]>): void {
    const sorted = [...keys].sort(compareKeys);
    const n = Math.min(RANGES, sorted.length + 1);
    const boundaries: unknown[] = [];
    for (let i = 1; i < n; i++) boundaries.push(sorted[Math.floor((i * sorted.length) / n)]);
    out.collect(boundaries);
  }
}

/** `[range, element]`: the range is the number of boundaries at or below the key. */
export class RangeTagFunction<T> extends MapFunction<T, [number, T]> {
  readonly key: RangeKey;
  private boundaries: unknown[] = [];
  constructor(key: RangeKey) {
    super();
    this.key = key;
  }
  override open(): void {
    this.boundaries = (this.context.getBroadcastVariable<unknown[]>('tsflink.rangeBoundaries')[0] ?? []) as unknown[];
  }
  map(value: T): [number, T] {
    const k = this.key(value);
    let lo = 0;
    let hi = this.boundaries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(this.boundaries[mid], k) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return [lo, value];
  }
}

/** Ranges 0…RANGES − 1 spread over the partitions in order. */
export function rangeToPartition(range: number, numPartitions: number): number {
  return Math.min(numPartitions - 1, Math.floor((range * numPartitions) / RANGES));
}

export class UntagFunction<T> extends MapFunction<[number, T], T> {
  map(tagged: [number, T]): T {
    return tagged[1];
  }
}
