/**
 * `combineGroup` on a data set and on a grouping (after Flink's GroupCombineITCase): the function
 * runs on each partition's own groups, with no shuffle, so a key may come out once per instance
 * holding some of it; followed by a reduceGroup it gives the full answer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, Order } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE3, type Tuple3, get3TupleDataSet, parallelize } from './collection-data-sets.ts';

const countsByKey = (rows: readonly Tuple3[]): [number, number][] => {
  const m = new Map<number, number>();
  for (const r of rows) m.set(r[1], (m.get(r[1]) ?? 0) + 1);
  return [...m];
};

for (const p of PARALLELISMS) {
  describe(`combineGroup at p=${p}`, () => {
    test('on a whole data set: one call per non-empty partition, the partial counts add up', async () => {
      const partials = await parallelize(get3TupleDataSet(envAt(p)))
        .combineGroup((values: Iterable<Tuple3>, out: Collector<number>) => {
          let n = 0;
          for (const _ of values) n++;
          out.collect(n);
        })
        .collect();
      assert.ok(partials.length >= 1 && partials.length <= p, String(partials));
      assert.equal(
        partials.reduce((a, b) => a + b, 0),
        21,
      );
    });

    test('on a grouping, then reduceGroup: the full count per key; alone, at most one partial per key and instance', async () => {
      const env = envAt(p);
      const partial = parallelize(get3TupleDataSet(env))
        .groupBy(1)
        .combineGroup((values: Iterable<Tuple3>, out: Collector<[number, number]>) => {
          let key = 0;
          let n = 0;
          for (const v of values) {
            key = v[1];
            n++;
          }
          out.collect([key, n] as [number, number]);
        });
      const partials = await partial.collect();
      assert.ok(partials.length >= 6 && partials.length <= 6 * p, String(partials.length));
      if (p === 1) assertSameMultiset(partials, countsByKey(TUPLE3));
      const full = await partial
        .groupBy(0)
        .reduceGroup((values: Iterable<[number, number]>, out: Collector<[number, number]>) => {
          let key = 0;
          let n = 0;
          for (const v of values) {
            key = v[0];
            n += v[1];
          }
          out.collect([key, n] as [number, number]);
        })
        .collect();
      assertSameMultiset(full, countsByKey(TUPLE3));
    });

    test('on a sorted grouping: each local group in the sort order', async () => {
      const firsts = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup(0, Order.DESCENDING)
        .combineGroup((values: Iterable<Tuple3>, out: Collector<boolean>) => {
          const ids = [...values].map((v) => v[0]);
          out.collect(ids.every((id, i) => i === 0 || ids[i - 1]! > id));
        })
        .collect();
      assert.ok(firsts.every(Boolean));
    });
  });
}

test('the plan: combineGroup reads its input where it is (FORWARD), grouping it locally', () => {
  const env = envAt(4);
  env
    .generateSequence(1, 10)
    .map((x) => [x % 3, x] as [number, number])
    .groupBy(0)
    .combineGroup((vs: Iterable<[number, number]>) => [...vs])
    .output();
  const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { id: string; kind: string; strategy: string }[]; edges: { target: string; ship: string }[] };
  const combine = plan.nodes.find((n) => n.kind === 'GroupCombine')!;
  assert.equal(combine.strategy, 'HASH_GROUP');
  assert.deepEqual(
    plan.edges.filter((e) => e.target === combine.id).map((e) => e.ship),
    ['FORWARD'],
  );
});
