/** `first(n)`: any n elements; on a grouping n per group, respecting `sortGroup` (after Flink's FirstNITCase). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Order } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE3, TUPLE5, get3TupleDataSet, get5TupleDataSet, parallelize } from './collection-data-sets.ts';

const isInput = (t: readonly unknown[]): boolean => TUPLE3.some((u) => u.every((v, i) => v === t[i]));

for (const p of PARALLELISMS) {
  describe(`first at p=${p}`, () => {
    test('first(7) of an ungrouped set: seven elements', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .first(7)
        .map((): [number] => [1])
        .sum(0)
        .collect();
      assertSameMultiset(result, [[7]]);
    });

    test('first(n) returns input elements, each at most once', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .first(5)
        .collect();
      assert.equal(result.length, 5);
      for (const t of result) assert.ok(isInput(t));
      assert.equal(new Set(result.map((t) => t[0])).size, 5);
    });

    test('first(n) with n larger than the set returns everything', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .first(100)
        .collect();
      assertSameMultiset(result, TUPLE3);
    });

    test('first(4) per group', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(1)
        .first(4)
        .map((t): [number, number] => [t[1], 1])
        .groupBy(0)
        .sum(1)
        .collect();
      assertSameMultiset(result, [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 4],
        [6, 4],
      ]);
    });

    test('first(3) per group in sortGroup order (descending)', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup(0, Order.DESCENDING)
        .first(3)
        .project(1, 0)
        .collect();
      assertSameMultiset(result, [
        [1, 1],
        [2, 3],
        [2, 2],
        [3, 6],
        [3, 5],
        [3, 4],
        [4, 10],
        [4, 9],
        [4, 8],
        [5, 15],
        [5, 14],
        [5, 13],
        [6, 21],
        [6, 20],
        [6, 19],
      ]);
    });

    test('first(2) per group with chained sort keys', async () => {
      // 5-tuples grouped on field 0, sorted by field 4 descending, then field 1 ascending
      const result = await parallelize(get5TupleDataSet(envAt(p)))
        .groupBy(0)
        .sortGroup(4, Order.DESCENDING)
        .sortGroup(1, Order.ASCENDING)
        .first(2)
        .project(0, 4, 1)
        .collect();
      assertSameMultiset(result, [
        [1, 1, 1],
        [2, 2, 2],
        [2, 1, 3],
        [3, 3, 6],
        [3, 2, 4],
        [4, 2, 7],
        [4, 2, 10],
        [5, 3, 12],
        [5, 3, 13],
      ]);
    });

    test('first(1) per group by selectors (group and sort keys)', async () => {
      const env = envAt(p);
      const b = env.fromElements('a', 'b');
      const firsts = await b
        .groupBy(() => 1)
        .sortGroup(() => 1.0, Order.DESCENDING)
        .first(1)
        .collect();
      assert.equal(firsts.length, 1);
      assert.ok(firsts[0] === 'a' || firsts[0] === 'b');
      assertSameMultiset(await b.collect(), ['a', 'b']);
    });

    test('first(1) per group picks the smallest with an ascending sort on objects', async () => {
      const result = await parallelize(envAt(p).fromCollection(TUPLE5.map(([a, b, c, d, e]) => ({ a, b, c, d, e }))))
        .groupBy('e')
        .sortGroup('c', Order.ASCENDING)
        .first(1)
        .map((o) => [o.e, o.d])
        .collect();
      assertSameMultiset(result, [
        [1, 'Hallo'],
        [2, 'Hallo Welt'],
        [3, 'BCD'],
      ]);
    });

    test('n must be a positive integer', () => {
      const ds = get3TupleDataSet(envAt(p));
      assert.throws(() => ds.first(0), /positive integer/);
      assert.throws(() => ds.groupBy(1).first(-1), /positive integer/);
    });
  });
}
