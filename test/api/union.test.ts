/** `union`: bag union, duplicates kept (cases after Flink's UnionITCase). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE3, get3TupleDataSet } from './collection-data-sets.ts';

for (const p of PARALLELISMS) {
  describe(`union at p=${p}`, () => {
    test('two identical data sets: every element twice', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env).union(get3TupleDataSet(env)).collect();
      assertSameMultiset(result, [...TUPLE3, ...TUPLE3]);
    });

    test('five identical data sets by chained unions', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env).union(get3TupleDataSet(env)).union(get3TupleDataSet(env)).union(get3TupleDataSet(env)).union(get3TupleDataSet(env)).collect();
      assertSameMultiset(result, [...TUPLE3, ...TUPLE3, ...TUPLE3, ...TUPLE3, ...TUPLE3]);
    });

    test('with an empty data set', async () => {
      const env = envAt(p);
      const empty = get3TupleDataSet(env).filter(() => false);
      assertSameMultiset(await get3TupleDataSet(env).union(empty).collect(), TUPLE3);
      assertSameMultiset(await empty.union(get3TupleDataSet(env)).collect(), TUPLE3);
    });

    test('three different sets, duplicates across them kept', async () => {
      const env = envAt(p);
      const a = env.fromElements('x', 'y');
      const b = env.generateSequence(1, 3).map((n) => `n${n}`);
      const c = env.fromElements('x', 'n1', 'x');
      const result = await a.union(b).union(c).collect();
      assertSameMultiset(result, ['x', 'y', 'n1', 'n2', 'n3', 'x', 'n1', 'x']);
    });

    test('a data set united with itself', async () => {
      const env = envAt(p);
      const ds = env.generateSequence(1, 10);
      const result = await ds.union(ds).collect();
      const once = Array.from({ length: 10 }, (_, i) => i + 1);
      assertSameMultiset(result, [...once, ...once]);
    });

    test('a union feeds a grouping', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env)
        .union(get3TupleDataSet(env).map((t) => [t[0] * 10, t[1], t[2]] as typeof t))
        .groupBy(1)
        .sum(0)
        .project(1, 0)
        .collect();
      assertSameMultiset(result, [
        [1, 11],
        [2, 55],
        [3, 165],
        [4, 374],
        [5, 715],
        [6, 1221],
      ]);
    });

    test('a union of parallel sources at different parallelisms', async () => {
      const env = envAt(p);
      const one = env.generateSequence(1, 50).setParallelism(1);
      const many = env.generateSequence(51, 100);
      const result = await one.union(many).collect();
      assert.equal(result.length, 100);
      assertSameMultiset(
        result,
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });
  });
}
