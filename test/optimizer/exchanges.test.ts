/**
 * The one exchange numbering (src/optimizer/exchanges.ts): task by task in plan order, each
 * task's inputs in order, then its broadcast sets; and the Flink export's `output` indices are a
 * producer's exchanges in that order (what PlanBinder.java wires up).
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { exchangesOf } from '../../src/optimizer/exchanges.ts';
import { exportFlinkPlan } from '../../src/runners/flink/plan-export.ts';
import type { FlinkWorkerConfig } from '../../src/runners/flink/worker-frames.ts';
import { JobSinks } from '../../src/runtime/job-sinks.ts';
import { envAt } from '../helpers.ts';

function plan() {
  const env = envAt(2);
  const a = env.fromCollection<[number, string]>([[1, 'a']]);
  const b = env.fromCollection<[number, string]>([[1, 'b']]);
  const side = env.fromElements(7);
  const joined = a
    .join(b)
    .where(0)
    .equalTo(0)
    .using((l, r) => l[1] + r[1]);
  const result = joined
    .map((s: string) => s)
    .withBroadcastSet(side, 'side')
    .withBroadcastSet(a, 'a');
  return env.collectPlan(result.id);
}

test('exchanges are numbered task by task: inputs in order, then broadcast sets', () => {
  const p = plan();
  const list = exchangesOf(p);
  assert.deepEqual(
    list.map((x) => x.id),
    list.map((_, i) => i),
  );
  const expected = p.tasks.flatMap((t) => [
    ...t.inputs.map((i, index) => ({ from: i.fromTask, to: t.id, slot: { kind: 'input', index } })),
    ...t.broadcastInputs.map((b) => ({ from: b.fromTask, to: t.id, slot: { kind: 'broadcast', name: b.name } })),
  ]);
  assert.deepEqual(
    list.map(({ from, to, slot }) => ({ from, to, slot })),
    expected,
  );
  assert.ok(list.some((x) => x.slot.kind === 'broadcast' && x.input.ship === 'BROADCAST'));
  assert.ok(list.filter((x) => x.slot.kind === 'input' && x.to === list.find((y) => y.slot.kind === 'input' && y.slot.index === 1)!.to).length >= 2, 'a two-input task');
});

test("the Flink export's output indices are each producer's exchanges in that order", () => {
  const p = plan();
  const list = exchangesOf(p);
  const { planFile, workerConfig } = exportFlinkPlan(p, {
    workerCommand: ['node'],
    workerEnv: {},
    cwd: '/',
    retries: 0,
    sinks: new JobSinks(p, 'x', tmpdir()),
    worker: {} as Omit<FlinkWorkerConfig, 'tasks'>,
    ship: null,
  });
  for (const t of planFile.tasks) {
    const slots = workerConfig.tasks[String(t.id)]!.slots;
    t.inputs.forEach((ref, i) => {
      const x = list.filter((e) => e.from === ref.task)[ref.output]!;
      assert.equal(x.to, t.id);
      assert.deepEqual(x.slot, slots[i]);
    });
    assert.deepEqual(
      workerConfig.tasks[String(t.id)]!.outputs.map((o) => o.exchange),
      list.filter((e) => e.from === t.id).map((e) => e.id),
    );
  }
});
