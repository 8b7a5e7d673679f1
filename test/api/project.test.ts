/** `project(...fields)`: a tuple of the chosen fields, in the given order (after Flink's ProjectITCase). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DataSet } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { SMALL_NESTED_TUPLES, TUPLE5, get3TupleDataSet, get5TupleDataSet, getSmallNestedTupleDataSet } from './collection-data-sets.ts';

for (const p of PARALLELISMS) {
  describe(`project at p=${p}`, () => {
    test('fields 3, 4, 2 of 5-tuples', async () => {
      const projected: DataSet<[string, number, number]> = get5TupleDataSet(envAt(p)).project(3, 4, 2);
      assertSameMultiset(await projected.collect(), [
        ['Hallo', 1, 0],
        ['Hallo Welt', 2, 1],
        ['Hallo Welt wie', 1, 2],
        ['Hallo Welt wie gehts?', 2, 3],
        ['ABC', 2, 4],
        ['BCD', 3, 5],
        ['CDE', 2, 6],
        ['DEF', 1, 7],
        ['EFG', 1, 8],
        ['FGH', 2, 9],
        ['GHI', 1, 10],
        ['HIJ', 3, 11],
        ['IJK', 3, 12],
        ['JKL', 2, 13],
        ['KLM', 2, 14],
      ]);
    });

    test('one field gives 1-tuples', async () => {
      const projected: DataSet<[number]> = get5TupleDataSet(envAt(p)).project(0);
      assertSameMultiset(
        await projected.collect(),
        TUPLE5.map((t) => [t[0]]),
      );
    });

    test('the same field twice', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .project(2, 0, 2)
        .filter((t) => t[1] <= 2)
        .collect();
      assertSameMultiset(result, [
        ['Hi', 1, 'Hi'],
        ['Hello', 2, 'Hello'],
      ]);
    });

    test('a field holding a nested tuple keeps the whole nested tuple', async () => {
      const projected: DataSet<[[number, number]]> = getSmallNestedTupleDataSet(envAt(p)).project(0);
      assertSameMultiset(
        await projected.collect(),
        SMALL_NESTED_TUPLES.map((t) => [t[0]]),
      );
    });

    test('a projection feeds a grouping on its new positions', async () => {
      const result = await get5TupleDataSet(envAt(p)).project(4, 1).groupBy(0).sum(1).collect();
      assertSameMultiset(result, [
        [1, 1 + 3 + 8 + 9 + 11],
        [2, 2 + 4 + 5 + 7 + 10 + 14 + 15],
        [3, 6 + 12 + 13],
      ]);
    });

    test('a position out of range fails the job with a clear error', async () => {
      const ds = envAt(p).fromElements<number[]>([1, 2], [3]).project(1);
      await assert.rejects(ds.collect(), /out of range/);
    });

    test('no fields is rejected when the plan is built', () => {
      const ds = get5TupleDataSet(envAt(p));
      assert.throws(() => ds.project(), /at least one field/);
    });
  });
}
