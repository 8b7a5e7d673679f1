/**
 * `partitionCustom(partitioner, key)` (Flink's partitionCustom, after its PartitionITCase): every
 * element lands in the partition the partitioner names for its key — a function or an object with
 * partition() — and a partitioner returning no valid index is a clear error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, JobExecutionError, MapPartitionFunction, PlanError } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE3, type Tuple3, get3TupleDataSet } from './collection-data-sets.ts';

/** `[subtask, key]` for each element: where it was after the partitioning. */
class WhereIs extends MapPartitionFunction<Tuple3, [number, number]> {
  mapPartition(values: Iterable<Tuple3>, out: Collector<[number, number]>): void {
    for (const v of values) out.collect([this.context.getIndexOfThisSubtask(), v[1]]);
  }
}

for (const p of PARALLELISMS) {
  describe(`partitionCustom at p=${p}`, () => {
    test('by a field, with a function: each key in the partition it names', async () => {
      const placed = await get3TupleDataSet(envAt(p))
        .partitionCustom((key: number, n) => key % n, 1)
        .mapPartition(new WhereIs())
        .collect();
      assert.equal(placed.length, TUPLE3.length);
      for (const [subtask, key] of placed) assert.equal(subtask, key % p, `key ${key} in partition ${subtask}`);
    });

    // At p > 1 the partitioner runs in the workers, where `asked` is a copy: checked at p=1 only.
    test('the partitioner is asked for every element, also at p=1', { skip: p !== 1 }, async () => {
      const asked: unknown[] = [];
      await get3TupleDataSet(envAt(p))
        .partitionCustom((key: number, n) => {
          asked.push(key);
          return key % n;
        }, 1)
        .collect();
      assert.deepEqual(asked.sort(), TUPLE3.map((t) => t[1]).sort());
    });

    test('by a key selector, with a Partitioner object: every element once', async () => {
      const partitioner = { partition: (key: string, n: number): number => key.length % n };
      const out = await get3TupleDataSet(envAt(p))
        .partitionCustom(partitioner, (t) => t[2])
        .collect();
      assertSameMultiset(out, TUPLE3);
    });

    test('a partitioner returning an index out of range fails the job naming the operator', async () => {
      await assert.rejects(
        get3TupleDataSet(envAt(p))
          .partitionCustom(() => p, 0)
          .collect(),
        (e: unknown) => e instanceof JobExecutionError && new RegExp(`the partitioner returned ${p} for key .*from 0 to ${p - 1}`).test(String((e as Error).message)),
      );
    });
  });
}

test('a partitioner that is not one, or two key fields, is a plan error', () => {
  const ds = envAt(2).fromElements<[number, number]>([1, 2]);
  assert.throws(() => ds.partitionCustom(42 as never, 0), PlanError);
  assert.throws(() => ds.partitionCustom((k: unknown, n) => 0 * n, [0, 1] as never), PlanError);
});
