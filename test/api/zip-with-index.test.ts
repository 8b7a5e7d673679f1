/** `zipWithIndex()`: `[index, value]` with dense indices 0..n-1, at every parallelism. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Order } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE3, get3TupleDataSet, parallelize } from './collection-data-sets.ts';

function assertDense(indices: number[], n: number): void {
  assert.deepEqual(
    [...indices].sort((a, b) => a - b),
    Array.from({ length: n }, (_, i) => i),
  );
}

for (const p of PARALLELISMS) {
  describe(`zipWithIndex at p=${p}`, () => {
    test('indices are dense 0..n-1 and every element appears once', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .zipWithIndex()
        .collect();
      assert.equal(result.length, 21);
      assertDense(
        result.map((r) => r[0]),
        21,
      );
      assertSameMultiset(
        result.map((r) => r[1]),
        TUPLE3,
      );
    });

    test('over a parallel sequence', async () => {
      const result = await envAt(p).generateSequence(0, 999).zipWithIndex().collect();
      assertDense(
        result.map((r) => r[0]),
        1000,
      );
      assertSameMultiset(
        result.map((r) => r[1]),
        Array.from({ length: 1000 }, (_, i) => i),
      );
    });

    test('with empty partitions: still dense', async () => {
      const result = await envAt(p)
        .generateSequence(1, 100)
        .filter((n) => n > 90)
        .zipWithIndex()
        .collect();
      assertDense(
        result.map((r) => r[0]),
        10,
      );
    });

    test('consecutive indices follow the order within a partition', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .sortPartition(0, Order.DESCENDING)
        .setParallelism(1)
        .zipWithIndex()
        .collect();
      const byIndex = [...result].sort((a, b) => a[0] - b[0]);
      assert.deepEqual(
        byIndex.map((r) => r[1][0]),
        Array.from({ length: 21 }, (_, i) => 21 - i),
      );
    });

    test('an empty input: nothing', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .filter(() => false)
        .zipWithIndex()
        .collect();
      assert.deepEqual(result, []);
    });

    test('the index pairs feed further operators', async () => {
      const result = await envAt(p)
        .fromElements('a', 'b', 'c', 'd')
        .rebalance()
        .zipWithIndex()
        .map(([i]) => i)
        .reduce((a, b) => a + b)
        .collect();
      assert.deepEqual(result, [6]);
    });
  });
}

// After Flink's DataSetUtilsITCase.testZipWithUniqueId: the ids are unique (not dense), every element once.
for (const p of [1, 3, 4]) {
  describe(`zipWithUniqueId at p=${p}`, () => {
    test('ids are unique across the instances, each element appears once; at p=1 they are 0..n-1', async () => {
      const result = await envAt(p).generateSequence(1, 1000).zipWithUniqueId().collect();
      const ids = result.map((r) => r[0]);
      assert.equal(new Set(ids).size, 1000);
      assert.ok(ids.every((id) => Number.isSafeInteger(id) && id >= 0));
      assertSameMultiset(
        result.map((r) => r[1]),
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
      if (p === 1) assertDense(ids, 1000);
      // Subtask i of p gives i, i + 2^b, i + 2·2^b… with 2^b ≥ p: every id's residue names its subtask.
      const step = p === 1 ? 1 : 2 ** Math.ceil(Math.log2(p));
      assert.ok(ids.every((id) => id % step < p));
    });
  });
}
