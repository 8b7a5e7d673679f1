/**
 * The plan file between the TypeScript client and the Java plan binder (flink-plan.json) as a
 * shared vector: the export of a fixed program — a join, a grouped sum, a broadcast set, a bulk
 * iteration, collect() — must equal test/vectors/flink-plan.json, which the binder's tests bind
 * (flink-runner/src/test/java/tsflink/flink/PlanFileTest.java, run by `mvn package`). A change to
 * the format changes the vector (UPDATE_VECTORS=1 rewrites it) and the version with it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { exportFlinkPlan } from '../../src/runners/flink/plan-export.ts';
import type { FlinkWorkerConfig } from '../../src/runners/flink/worker-frames.ts';
import { JobSinks } from '../../src/runtime/job-sinks.ts';
import { envAt } from '../helpers.ts';

const vectorPath = new URL('../vectors/flink-plan.json', import.meta.url).pathname;

function exportedPlan(): unknown {
  const env = envAt(2);
  const orders = env.fromCollection<[number, number]>([
    [1, 10],
    [2, 20],
    [1, 5],
  ]);
  const customers = env.fromCollection<[number, string]>([
    [1, 'ann'],
    [2, 'bob'],
  ]);
  const totals = orders
    .join(customers)
    .where(0)
    .equalTo(0)
    .using(([, amount], [, name]): [string, number] => [name, amount])
    .groupBy(0)
    .sum(1);
  const limit = env.fromElements(100);
  const it = totals.iterate(3);
  const next = it.map(([n, v]: [string, number]): [string, number] => [n, v * 2]).withBroadcastSet(limit, 'limit');
  const result = it.closeWith(next);
  const plan = env.collectPlan(result.id);
  const { planFile } = exportFlinkPlan(plan, {
    workerCommand: ['node', 'worker.js'],
    workerEnv: { TSFLINK_WORKER_CONFIG: 'worker.json' },
    cwd: '/app',
    retries: 1,
    sinks: new JobSinks(plan, 'vector', tmpdir()),
    worker: {} as Omit<FlinkWorkerConfig, 'tasks'>,
    ship: null,
  });
  // Operator names carry the call site (this file's line numbers): not part of the format.
  return JSON.parse(JSON.stringify(planFile).replace(/ at plan-vectors\.test\.ts:\d+/g, ''));
}

test('the exported plan file equals the shared vector the Java binder binds', () => {
  const plan = exportedPlan();
  if (process.env.UPDATE_VECTORS === '1') writeFileSync(vectorPath, `${JSON.stringify(plan, null, 2)}\n`);
  const vector = JSON.parse(readFileSync(vectorPath, 'utf8')) as { version: number };
  assert.deepEqual(plan, vector);
  assert.equal(vector.version, 1);
});
