/**
 * Task order (src/optimizer/task-order.ts): tasks in the order they were placed, except that an
 * iteration's step tasks run together, just before the task that reads the iteration's result.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orderTasks } from '../../src/optimizer/task-order.ts';
import { envAt } from '../helpers.ts';
import { physicalPlanOf, taskWith } from './plans.ts';

test('orderTasks: step tasks moved just before their result task, the rest as placed', () => {
  const tasks = [0, 1, 2, 3, 4, 5, 6].map((id) => ({ id }));
  assert.deepEqual(
    orderTasks(tasks, [{ result: 5, tasks: [1, 3, 4] }]).map((t) => t.id),
    [0, 2, 1, 3, 4, 5, 6],
  );
  assert.deepEqual(
    orderTasks(tasks, [
      { result: 2, tasks: [1] },
      { result: 6, tasks: [4, 5] },
    ]).map((t) => t.id),
    [0, 1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(
    orderTasks(tasks, []).map((t) => t.id),
    [0, 1, 2, 3, 4, 5, 6],
  );
});

test("a step reading a data set placed after its head: the step's tasks contiguous, before the result, after what they read", () => {
  const env = envAt(2);
  const it = env.generateSequence(1, 9).name('src').iterate(3);
  const limit = env.generateSequence(1, 3).name('limit');
  const next = it
    .map((x) => x + 1)
    .name('step')
    .withBroadcastSet(limit, 'limit');
  it.closeWith(next).name('end').output();
  const plan = physicalPlanOf(env);
  const [iteration] = plan.iterations;
  const position = (id: number) => plan.tasks.findIndex((t) => t.id === id);
  const steps = iteration!.tasks.map(position);
  assert.deepEqual(iteration!.tasks, [taskWith(plan, 'Partial solution (iterate)').id, taskWith(plan, 'step').id]);
  assert.ok(taskWith(plan, 'limit').id > iteration!.heads[0]!, 'limit was placed after the head');
  assert.deepEqual(steps, [steps[0]!, steps[0]! + 1], 'contiguous');
  assert.equal(position(iteration!.result), steps[0]! + 2, 'just before the result task');
  assert.ok(position(taskWith(plan, 'limit').id) < steps[0]!, 'what the step reads runs before it');
  // Every task after what it reads, but for the head's input 1, fed back by its own step.
  for (const [i, t] of plan.tasks.entries()) {
    const reads = [...t.inputs.filter((_, k) => !(t.id === iteration!.heads[0] && k === 1)), ...t.broadcastInputs];
    for (const r of reads) assert.ok(position(r.fromTask) < i, `${t.name} after task ${r.fromTask}`);
  }
});
