/**
 * What the Flink target hands to Flink (runners/flink/plan-export.ts): which exchanges are keyed
 * (records with their canonical keys, partitioned by Flink) and which tasks' first operator
 * Flink runs, with which join hint.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { type Collector, Order } from '../../src/index.ts';
import { type FlinkPlanTask, exportFlinkPlan } from '../../src/runners/flink/plan-export.ts';
import type { FlinkTaskConfig, FlinkWorkerConfig } from '../../src/runners/flink/worker-frames.ts';
import { JobSinks } from '../../src/runtime/job-sinks.ts';
import { envAt } from '../helpers.ts';

/** A job's result data set: the plan its collect() would run is exported (nothing runs). */
type Job = (env: ReturnType<typeof envAt>) => { readonly env: ReturnType<typeof envAt>; readonly id: number };

async function exported(build: Job) {
  const ds = build(envAt(3));
  const plan = ds.env.collectPlan(ds.id);
  const { planFile, workerConfig } = exportFlinkPlan(plan, {
    workerCommand: ['node'],
    workerEnv: {},
    cwd: '/',
    retries: 0,
    sinks: new JobSinks(plan, 'test', tmpdir()),
    worker: {} as Omit<FlinkWorkerConfig, 'tasks'>,
    ship: null,
  });
  const task = (name: string): FlinkPlanTask => planFile.tasks.find((t) => t.name.startsWith(name))!;
  const config = (t: FlinkPlanTask): FlinkTaskConfig => workerConfig.tasks[String(t.id)]!;
  /** The output spec of the exchange into slot `slot` of task `t`. */
  const into = (t: FlinkPlanTask, slot: number) => config(planFile.tasks.find((x) => x.id === t.inputs[slot]!.task)!).outputs[t.inputs[slot]!.output]!;
  return { planFile, task, config, into };
}

const pairs = (env: ReturnType<typeof envAt>, n: number) => env.fromCollection(Array.from({ length: n }, (_, i) => [i % 10, `v${i}`] as [number, string]));

describe('Flink plan export: keys go to Flink', () => {
  test('joins: Flink joins with the hint of tsflink’s plan; both inputs keyed on the join keys', async () => {
    const cases: [string, Job, string, string][] = [
      ['joinWithTiny', (env) => pairs(env, 50).joinWithTiny(pairs(env, 5)).where(0).equalTo(0), 'INNER', 'BROADCAST_HASH_SECOND'],
      ['joinWithHuge', (env) => pairs(env, 5).joinWithHuge(pairs(env, 50)).where(0).equalTo(0), 'INNER', 'BROADCAST_HASH_FIRST'],
      ['join of equals', (env) => pairs(env, 50).join(pairs(env, 50)).where(0).equalTo(1), 'INNER', 'REPARTITION_HASH_SECOND'],
      [
        'leftOuterJoin',
        (env) =>
          pairs(env, 50)
            .leftOuterJoin(pairs(env, 50))
            .where(0)
            .equalTo(0)
            .using((l, r) => [l, r]),
        'LEFT_OUTER',
        'REPARTITION_HASH_SECOND',
      ],
      [
        'rightOuterJoin',
        (env) =>
          pairs(env, 50)
            .rightOuterJoin(pairs(env, 50))
            .where(0)
            .equalTo(0)
            .using((l, r) => [l, r]),
        'RIGHT_OUTER',
        'REPARTITION_HASH_FIRST',
      ],
      [
        'fullOuterJoin',
        (env) =>
          pairs(env, 50)
            .fullOuterJoin(pairs(env, 50))
            .where(0)
            .equalTo(0)
            .using((l, r) => [l, r]),
        'FULL_OUTER',
        'REPARTITION_SORT_MERGE',
      ],
    ];
    for (const [what, build, joinType, hint] of cases) {
      const { task, config, into } = await exported(build);
      const join = task('Join');
      assert.deepEqual(join.native, { kind: 'join', joinType, hint }, what);
      assert.deepEqual(
        join.inputs.map((i) => i.records),
        ['keyed', 'keyed'],
        what,
      );
      assert.equal(config(join).nativeHead, 'PAIRED');
      assert.deepEqual(into(join, 0).keyed, { keys: { kind: 'fields', fields: [0] }, sortKeys: [] }, what);
      assert.deepEqual(into(join, 1).keyed!.keys, { kind: 'fields', fields: [what === 'join of equals' ? 1 : 0] }, what);
    }
  });

  test('cross: Flink crosses, broadcasting the side tsflink broadcasts; records travel one by one', async () => {
    for (const [what, build, broadcast] of [
      ['crossWithTiny', (env) => pairs(env, 50).crossWithTiny(pairs(env, 5)), 'SECOND'],
      ['crossWithHuge', (env) => pairs(env, 5).crossWithHuge(pairs(env, 50)), 'FIRST'],
    ] as [string, Job, string][]) {
      const { task, into } = await exported(build);
      const cross = task('Cross');
      assert.deepEqual(cross.native, { kind: 'cross', broadcast }, what);
      assert.deepEqual(
        cross.inputs.map((i) => i.records),
        ['single', 'single'],
        what,
      );
      assert.deepEqual(into(cross, 1).keyed, { keys: null, sortKeys: [] }, what);
    }
  });

  test('broadcast sets are Flink’s broadcast variables, sent once by their producer; not inside iterations', async () => {
    const b = await exported((env) =>
      pairs(env, 50)
        .map((t) => t)
        .withBroadcastSet('small', pairs(env, 3)),
    );
    const map = b.task('Map');
    assert.deepEqual(
      map.inputs.map((i) => i.records),
      ['single', 'broadcast'],
    ); // its input: rebalanced from the p=1 source
    assert.equal(b.into(map, 1).flinkBroadcast, true);
    const it = await exported((env) => {
      const loop = pairs(env, 50).iterate(3);
      return loop.closeWith(loop.map((t) => t).withBroadcastSet('s', loop));
    });
    assert.ok(it.planFile.tasks.every((t) => t.inputs.every((i) => i.records === 'batches')));
  });

  test('distinct and first on (sorted) groups are Flink’s; the sort key travels with the records', async () => {
    const d = await exported((env) => pairs(env, 50).distinct(0));
    assert.deepEqual(d.task('Distinct').native, { kind: 'distinct' });
    assert.equal(d.config(d.task('Distinct')).nativeHead, 'PRECOMPUTED');
    assert.deepEqual(d.into(d.task('Distinct'), 0).keyed, { keys: { kind: 'fields', fields: [0] }, sortKeys: [] });
    const f = await exported((env) => pairs(env, 50).groupBy(0).sortGroup(1, Order.DESCENDING).first(2));
    assert.deepEqual(f.task('First').native, { kind: 'first', n: 2, sorted: true });
    assert.deepEqual(f.into(f.task('First'), 0).keyed!.sortKeys, [{ key: { kind: 'fields', fields: [1] }, order: 'DESCENDING' }]);
    // first(n) of the whole data set has no key: the worker does it.
    const all = await exported((env) => pairs(env, 50).first(3));
    assert.ok(all.planFile.tasks.every((t) => t.native === null && t.inputs.every((i) => i.records !== 'keyed')));
  });

  test('group reduces get Flink’s groups; hash exchanges into tsflink’s own operators are keyed; others and iterations stay batches', async () => {
    const g = await exported((env) =>
      pairs(env, 50)
        .rebalance()
        .groupBy(0)
        .reduceGroup((it, out: Collector<number>) => out.collect([...it].length)),
    );
    const reduce = g.task('GroupReduce');
    assert.deepEqual(reduce.native, { kind: 'groups', sorted: false });
    assert.equal(g.config(reduce).nativeHead, 'PREGROUPED');
    assert.deepEqual(
      reduce.inputs.map((i) => i.records),
      ['keyed'],
    );
    // reduce(): tsflink's own, on records Flink partitioned by key.
    const r = await exported((env) =>
      pairs(env, 50)
        .groupBy(0)
        .reduce((x, y) => [x[0], x[1] + y[1]]),
    );
    assert.equal(r.task('Reduce').native, null);
    assert.deepEqual(
      r.task('Reduce').inputs.map((i) => i.records),
      ['keyed'],
    );
    // A sorted group reduce: the sort key travels with the records.
    const s = await exported((env) =>
      pairs(env, 50)
        .groupBy(0)
        .sortGroup(1, Order.ASCENDING)
        .reduceGroup((it, out: Collector<number>) => out.collect([...it].length)),
    );
    assert.deepEqual(s.task('GroupReduce').native, { kind: 'groups', sorted: true });
    assert.deepEqual(s.into(s.task('GroupReduce'), 0).keyed!.sortKeys, [{ key: { kind: 'fields', fields: [1] }, order: 'ASCENDING' }]);
    // rebalance(): records one by one, without a key, which Flink rebalances.
    assert.deepEqual(
      g.task('Rebalance').inputs.map((i) => i.records),
      ['single'],
    );
    assert.deepEqual(g.into(g.task('Rebalance'), 0).keyed, { keys: null, sortKeys: [] });
    const it = await exported((env) => {
      const loop = pairs(env, 50).iterate(3);
      return loop.closeWith(
        loop
          .groupBy(0)
          .reduce((a, b) => [a[0], a[1] + b[1]])
          .join(pairs(env, 50))
          .where(0)
          .equalTo(0)
          .projectFirst(0, 1),
      );
    });
    assert.ok(it.planFile.tasks.every((t) => t.native === null && t.inputs.every((i) => i.records === 'batches')));
  });
});
