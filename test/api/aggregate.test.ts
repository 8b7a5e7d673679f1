/**
 * `aggregate(Aggregation.Sum|Min|Max, field).andAgg(...)` and the `sum/min/max` sugar
 * (and, beyond Flink's SUM/MIN/MAX, `Aggregation.Count`/`Avg` with `avg`, `andAvg`, `andCount`):
 * full set → one tuple, grouped → one per group; the other fields come from some element of the
 * group. After Flink's AggregateITCase and SumMinMaxITCase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Aggregation, type DataSet } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE3, TUPLE3_SUM_BY_KEY, type Tuple3, type Tuple5, get3TupleDataSet, get5TupleDataSet, parallelize } from './collection-data-sets.ts';

for (const p of PARALLELISMS) {
  describe(`aggregate at p=${p}`, () => {
    test('full aggregate: SUM of field 0 and MAX of field 1', async () => {
      const result = await get3TupleDataSet(envAt(p)).aggregate(Aggregation.Sum, 0).andAgg(Aggregation.Max, 1).project(0, 1).collect();
      assertSameMultiset(result, [[231, 6]]);
    });

    test('grouped aggregate: SUM of field 0 per field 1', async () => {
      const result = await get3TupleDataSet(envAt(p)).groupBy(1).aggregate(Aggregation.Sum, 0).project(1, 0).collect();
      assertSameMultiset(result, TUPLE3_SUM_BY_KEY);
    });

    test('nested aggregate: grouped MIN, then MIN over everything', async () => {
      const result = await get3TupleDataSet(envAt(p)).groupBy(1).aggregate(Aggregation.Min, 0).aggregate(Aggregation.Min, 0).project(0).collect();
      assertSameMultiset(result, [[1]]);
    });

    test('sugar: sum(0).andMax(1)', async () => {
      const result = await get3TupleDataSet(envAt(p)).sum(0).andMax(1).project(0, 1).collect();
      assertSameMultiset(result, [[231, 6]]);
    });

    test('sugar: groupBy(1).sum(0)', async () => {
      const result = await get3TupleDataSet(envAt(p)).groupBy(1).sum(0).project(1, 0).collect();
      assertSameMultiset(result, TUPLE3_SUM_BY_KEY);
    });

    test('sugar: groupBy(1).min(0).min(0)', async () => {
      const result = await get3TupleDataSet(envAt(p)).groupBy(1).min(0).min(0).project(0).collect();
      assertSameMultiset(result, [[1]]);
    });

    test('sugar: groupBy(1).max(0)', async () => {
      const result = await get3TupleDataSet(envAt(p)).groupBy(1).max(0).project(1, 0).collect();
      assertSameMultiset(result, [
        [1, 1],
        [2, 3],
        [3, 6],
        [4, 10],
        [5, 15],
        [6, 21],
      ]);
    });

    test('several aggregations chained: sum, andMin, andMax, andSum', async () => {
      const result = await get5TupleDataSet(envAt(p)).groupBy(0).sum(1).andMin(2).andMax(4).project(0, 1, 2, 4).collect();
      assertSameMultiset(result, [
        [1, 1, 0, 1],
        [2, 5, 1, 2],
        [3, 15, 3, 3],
        [4, 34, 6, 2],
        [5, 65, 10, 3],
      ]);
      const totals = await get5TupleDataSet(envAt(p)).min(0).andSum(2).andMax(1).project(0, 1, 2).collect();
      assertSameMultiset(totals, [[1, 15, 105]]);
    });

    test('MIN and MAX of a string field compare strings', async () => {
      const result = await get3TupleDataSet(envAt(p)).groupBy(1).min(2).project(1, 2).collect();
      assertSameMultiset(result, [
        [1, 'Hi'],
        [2, 'Hello'],
        [3, 'Hello world, how are you?'],
        [4, 'Comment#1'],
        [5, 'Comment#5'],
        [6, 'Comment#10'],
      ]);
      const max = await get3TupleDataSet(envAt(p)).max(2).project(2).collect();
      assertSameMultiset(max, [['Luke Skywalker']]);
    });

    test('fields not aggregated or grouped come from some element of the group', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(1)
        .sum(0)
        .collect();
      assert.equal(result.length, 6);
      const expectedSums = new Map(TUPLE3_SUM_BY_KEY);
      for (const [sum, key, text] of result) {
        assert.equal(sum, expectedSums.get(key));
        assert.ok(
          TUPLE3.some((t) => t[1] === key && t[2] === text),
          `${text} is not the string of an element of group ${key}`,
        );
      }
    });

    test('a full aggregate keeps the other fields of one element', async () => {
      const [row] = await parallelize(get5TupleDataSet(envAt(p)))
        .max(1)
        .collect();
      assert.ok(row);
      assert.equal(row[1], 15);
      assert.equal(typeof row[3], 'string');
    });

    test('the result keeps the tuple type', async () => {
      const ds: DataSet<Tuple3> = get3TupleDataSet(envAt(p)).groupBy(1).sum(0);
      const rows: Tuple3[] = await ds.filter((t) => t[0] > 50).collect();
      assert.deepEqual(rows.map((r) => r[1]).sort(), [5, 6]);
    });

    test('on an empty input: nothing, full set and grouped', async () => {
      const env = envAt(p);
      const empty = get3TupleDataSet(env).filter(() => false);
      assertSameMultiset(await empty.sum(0).collect(), []);
      assertSameMultiset(await empty.groupBy(1).max(0).collect(), []);
    });

    test('grouped on two fields', async () => {
      const result = await get5TupleDataSet(envAt(p)).groupBy(0, 4).sum(1).project(0, 4, 1).collect();
      assertSameMultiset(result, [
        [1, 1, 1],
        [2, 1, 3],
        [2, 2, 2],
        [3, 2, 9],
        [3, 3, 6],
        [4, 1, 17],
        [4, 2, 17],
        [5, 1, 11],
        [5, 2, 29],
        [5, 3, 25],
      ]);
    });

    test('sums over a parallel sequence of pairs', async () => {
      const result = await envAt(p)
        .generateSequence(1, 100)
        .map((n): [number, number] => [n % 2, n])
        .groupBy(0)
        .sum(1)
        .collect();
      assertSameMultiset(result, [
        [0, 2550],
        [1, 2500],
      ]);
    });

    test('COUNT and AVG: grouped, over everything, with other aggregations, combined before the shuffle', async () => {
      // TUPLE3's field 1 is the group (1 once, 2 twice, …, 6 six times), field 0 runs 1…21.
      const grouped = await get3TupleDataSet(envAt(p)).groupBy(1).avg(0).andCount(1).collect();
      const expected = [1, 2, 3, 4, 5, 6].map((g) => {
        const ids = TUPLE3.filter((t) => t[1] === g).map((t) => t[0]);
        return [ids.reduce((a, b) => a + b, 0) / ids.length, ids.length];
      });
      // The grouping field is counted here, so the group is the first's id range.
      assertSameMultiset(
        grouped.map((t) => [t[0], t[1]]),
        expected,
      );
      const all = await get3TupleDataSet(envAt(p)).aggregate(Aggregation.Avg, 0).andAgg(Aggregation.Count, 1).andMax(2).project(0, 1).collect();
      assertSameMultiset(all, [[11, 21]]);
      const pairs = await envAt(p)
        .generateSequence(1, 1000)
        .map((n): [number, number, number] => [n % 3, n, 0])
        .groupBy(0)
        .avg(1)
        .andSum(2)
        .collect();
      assertSameMultiset(
        pairs.map((t) => [t[0], t[1]]),
        [
          [0, 501],
          [1, 500.5],
          [2, 500],
        ],
      );
      assert.deepEqual(
        await envAt(p)
          .fromElements<[number, number]>([1, 2])
          .filter(() => false)
          .avg(1)
          .collect(),
        [],
      );
    });

    test('AVG of a field that is not a number is a clear error naming it', async () => {
      await assert.rejects(envAt(p).fromElements<[string, unknown]>(['a', 1], ['a', 'x']).groupBy(0).aggregate(Aggregation.Avg, 1).collect(), /cannot average field 1: .*x.* is not a number/);
    });

    test('aggregate on a 5-tuple stays a 5-tuple', async () => {
      const rows: Tuple5[] = await get5TupleDataSet(envAt(p)).groupBy(0).max(2).collect();
      assert.equal(rows.length, 5);
      for (const r of rows) assert.equal(r.length, 5);
    });
  });
}

describe('aggregate on untyped tuples too short for its fields', () => {
  for (const p of [1, 2]) {
    test(`names the grouping key when it is the field out of range, else the aggregated field, at p=${p}`, async () => {
      const rows = (): DataSet<unknown[]> => envAt(p).fromElements<unknown[]>([1, 2], [3, 4]);
      await assert.rejects(
        rows()
          .groupBy(5 as never)
          .sum(1 as never)
          .collect(),
        /the grouping key field 5 is out of range for a tuple of 2 fields/,
      );
      await assert.rejects(
        rows()
          .groupBy(0 as never)
          .sum(3 as never)
          .collect(),
        /aggregate field 3 is out of range for a tuple of 2 fields/,
      );
    });
  }
});

test("Aggregation's upper-case names (as Order.ASCENDING, Flink's Aggregations.SUM) are the same aggregations", async () => {
  assert.deepEqual([Aggregation.SUM, Aggregation.MIN, Aggregation.MAX, Aggregation.COUNT, Aggregation.AVG], [Aggregation.Sum, Aggregation.Min, Aggregation.Max, Aggregation.Count, Aggregation.Avg]);
  const env = envAt(2);
  const ds = env.fromCollection<[string, number]>([
    ['a', 1],
    ['a', 3],
    ['b', 5],
  ]);
  assertSameMultiset(await ds.groupBy(0).aggregate(Aggregation.SUM, 1).collect(), [
    ['a', 4],
    ['b', 5],
  ]);
  assertSameMultiset(await ds.groupBy(0).aggregate(Aggregation.MAX, 1).collect(), [
    ['a', 3],
    ['b', 5],
  ]);
});
