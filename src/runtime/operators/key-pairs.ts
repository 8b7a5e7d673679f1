/**
 * How a key-selector reduction runs on `[key, record]` pairs (PhysicalOperator.onPairs), as
 * Flink's translation of selector keys does (KeyExtractingMapper, the unwrapping reduce
 * operators, KeyRemovingMapper): KEY_EXTRACT pairs every record with its key, the reduction
 * groups the pairs on field 0 with the user's function (and sort order) lifted onto them, and
 * KEY_REMOVE drops the key of a reduce's results. The drivers and outputs see ordinary records.
 */
import type { KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import type { UserCollector } from '../collector.ts';
import { emitReturned } from '../emit.ts';
import type { KeyExtractor } from '../keys.ts';
import type { RecordComparator } from '../sort.ts';

/** The key of a pair. */
export const PAIR_KEY: KeySpec = { kind: 'fields', fields: [0] };

/** KEY_EXTRACT: `record` → `[key(record), record]`. */
export class KeyExtractOutput implements Output {
  private readonly key: KeyExtractor;
  private readonly next: Output;
  constructor(key: KeyExtractor, next: Output) {
    this.key = key;
    this.next = next;
  }
  collect(record: unknown): void {
    this.next.collect([this.key(record), record]);
  }
  close(): void {
    this.next.close();
  }
}

/** KEY_REMOVE: `[key, value]` → `value`. */
export class KeyRemoveOutput implements Output {
  private readonly next: Output;
  constructor(next: Output) {
    this.next = next;
  }
  collect(pair: unknown): void {
    this.next.collect((pair as unknown[])[1]);
  }
  close(): void {
    this.next.close();
  }
}

type ReduceFn = (a: unknown, b: unknown) => unknown;
type GroupFn = (values: unknown[], out: UserCollector) => unknown;

/** A reduce function on pairs of one group: the records folded, the group's key kept. */
export function reduceOnPairs(f: ReduceFn): ReduceFn {
  return (a, b) => [(a as unknown[])[0], f((a as unknown[])[1], (b as unknown[])[1])];
}

/**
 * A group function on the pairs of one group: it sees the records; as a combiner (`rekey`),
 * what it emits or returns is paired with the group's key again, so the reducer finds it in
 * that group.
 */
export function groupReduceOnPairs(f: GroupFn, rekey: boolean, operator: string): GroupFn {
  if (!rekey) return (group, out) => f(group.map(value), out);
  return (group, out) => {
    const key = (group[0] as unknown[])[0];
    const keyed = { collect: (v: unknown) => out.collect([key, v]) } as UserCollector;
    const returned: unknown[] = [];
    emitReturned(f(group.map(value), keyed), { collect: (v) => returned.push([key, v]), close() {} }, operator);
    return returned;
  };
}

/** A sort order of records as the order of their pairs. */
export function comparatorOnPairs(compare: RecordComparator): RecordComparator {
  return (a, b) => compare((a as unknown[])[1], (b as unknown[])[1]);
}

function value(pair: unknown): unknown {
  return (pair as unknown[])[1];
}
