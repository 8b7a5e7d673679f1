/**
 * `join(other, JoinHint.…)` (Flink's JoinHint): every hint gives the same pairs, and the plan
 * runs the join as the hint says — which side is broadcast, or both repartitioned with which
 * build side. After Flink's JoinITCase, run with each hint.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JoinHint, PlanError } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { SMALL_TUPLE3, TUPLE5, get3TupleDataSet, get5TupleDataSet, parallelize } from './collection-data-sets.ts';

const expected = SMALL_TUPLE3.flatMap((l) => TUPLE5.filter((r) => r[1] === l[1]).map((r) => [l[2], r[3]]));

const planned: Record<JoinHint, { strategy: string; ships: string[] }> = {
  OPTIMIZER_CHOOSES: { strategy: '', ships: [] },
  BROADCAST_HASH_FIRST: { strategy: 'HASH_JOIN_BUILD_FIRST', ships: ['BROADCAST', 'FORWARD'] },
  BROADCAST_HASH_SECOND: { strategy: 'HASH_JOIN_BUILD_SECOND', ships: ['FORWARD', 'BROADCAST'] },
  REPARTITION_HASH_FIRST: { strategy: 'HASH_JOIN_BUILD_FIRST', ships: ['HASH', 'HASH'] },
  REPARTITION_HASH_SECOND: { strategy: 'HASH_JOIN_BUILD_SECOND', ships: ['HASH', 'HASH'] },
  REPARTITION_SORT_MERGE: { strategy: 'HASH_JOIN_BUILD_SECOND', ships: ['HASH', 'HASH'] },
};

for (const p of PARALLELISMS) {
  describe(`join hints at p=${p}`, () => {
    for (const hint of Object.values(JoinHint)) {
      test(`${hint}: the same pairs${hint === 'OPTIMIZER_CHOOSES' ? '' : ', run as the hint says'}`, async () => {
        const env = envAt(p);
        const joined = parallelize(get3TupleDataSet(env).filter((t) => t[0] <= 3))
          .join(parallelize(get5TupleDataSet(env)), hint)
          .where(1)
          .equalTo(1)
          .using((l, r) => [l[2], r[3]]);
        assertSameMultiset(await joined.collect(), expected);
        if (hint === 'OPTIMIZER_CHOOSES') return;
        joined.output();
        const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { id: string; kind: string; strategy: string }[]; edges: { target: string; ship: string; input: number }[] };
        const join = plan.nodes.find((n) => n.kind === 'Join')!;
        assert.equal(join.strategy, planned[hint].strategy);
        const ships = plan.edges
          .filter((e) => e.target === join.id)
          .sort((a, b) => a.input - b.input)
          .map((e) => e.ship);
        if (p > 1) assert.deepEqual(ships, planned[hint].ships);
      });
    }
  });
}

test('an unknown hint is a plan error naming the hints', () => {
  const env = envAt(1);
  assert.throws(
    () => env.fromElements(1).join(env.fromElements(2), 'FASTEST' as JoinHint),
    (e: unknown) => e instanceof PlanError && /unknown join hint .*JoinHint\.BROADCAST_HASH_FIRST/.test(e.message),
  );
});
