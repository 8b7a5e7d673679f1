/**
 * `minBy`/`maxBy` on a data set and on a grouping, as Flink's (SelectByMinFunction /
 * SelectByMaxFunction and their tests): fields compared in the order given, the first field that
 * differs decides, a tie in every field keeps the first; a bad field list is a plan error and a
 * record that is not a tuple of comparable fields a clear job error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JobExecutionError, PlanError } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE5, type Tuple5, get5TupleDataSet, parallelize } from './collection-data-sets.ts';

/** The reference: a left fold of the comparison Flink's functions make. */
function select(rows: readonly Tuple5[], fields: readonly number[], max: boolean): Tuple5 {
  return rows.reduce((a, b) => {
    for (const i of fields) {
      if (a[i]! < b[i]!) return max ? b : a;
      if (a[i]! > b[i]!) return max ? a : b;
    }
    return a;
  });
}

function byKey(rows: readonly Tuple5[]): Tuple5[][] {
  const groups = new Map<number, Tuple5[]>();
  for (const r of rows) groups.set(r[0], [...(groups.get(r[0]) ?? []), r]);
  return [...groups.values()];
}

for (const p of PARALLELISMS) {
  describe(`minBy and maxBy at p=${p}`, () => {
    test('on the whole set, by one field and by several (the first that differs decides)', async () => {
      const env = envAt(p);
      const ds = parallelize(get5TupleDataSet(env));
      assert.deepEqual(await ds.minBy(4, 1).collect(), [select(TUPLE5, [4, 1], false)]);
      assert.deepEqual(await ds.maxBy(4, 1).collect(), [select(TUPLE5, [4, 1], true)]);
      assert.deepEqual(await ds.maxBy(0, 2).collect(), [[5, 15, 14, 'KLM', 2]]);
      assert.deepEqual(await ds.minBy(3, 1).collect(), [[3, 5, 4, 'ABC', 2]]); // strings compare too
    });

    test('on a grouping: one tuple per group', async () => {
      const env = envAt(p);
      const ds = parallelize(get5TupleDataSet(env));
      assertSameMultiset(
        await ds.groupBy(0).minBy(4, 1).collect(),
        byKey(TUPLE5).map((g) => select(g, [4, 1], false)),
      );
      assertSameMultiset(
        await ds.groupBy(0).maxBy(4, 1).collect(),
        byKey(TUPLE5).map((g) => select(g, [4, 1], true)),
      );
    });

    test('a tie in every field keeps one of the tied tuples, whole', async () => {
      const env = envAt(p);
      const rows: [number, string][] = [
        [1, 'a'],
        [1, 'b'],
        [0, 'c'],
        [0, 'd'],
      ];
      const [min] = await parallelize(env.fromCollection(rows)).minBy(0).collect();
      assert.ok(min![0] === 0 && ['c', 'd'].includes(min![1]), String(min));
    });

    test('a record that is not a tuple, or a field of mixed types, is a job error naming minBy', async () => {
      const env = envAt(p);
      await assert.rejects(
        parallelize(env.fromElements(1, 2, 3))
          .minBy(0 as never)
          .collect(),
        (e: unknown) => e instanceof JobExecutionError && /minBy: field 0 is not in a number/.test(String((e as Error).message)),
      );
      const mixed = envAt(p).fromElements<[number | string]>([1], ['1']);
      await assert.rejects(mixed.maxBy(0).collect(), /maxBy: field 0 holds (number and string|string and number)/);
    });
  });
}

test('a bad field list is a plan error when the operator is defined', () => {
  const ds = envAt(1).fromElements<[number, number]>([1, 2]);
  assert.throws(() => ds.minBy(), PlanError);
  assert.throws(() => ds.maxBy(-1 as never), /maxBy.*-1 is not a field position/);
  assert.throws(() => ds.groupBy(0).minBy(1.5 as never), /groupBy\(\)\.minBy.*1\.5 is not a field position/);
});
