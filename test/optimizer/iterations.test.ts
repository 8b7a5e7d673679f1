/**
 * Iteration discovery (src/optimizer/iterations.ts) on programs built through the API: which
 * nodes make up each iteration's step, the plan errors of a step that leaks or is never closed,
 * and which tasks the optimized plan runs once per superstep.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findSteps, stepTaskIds } from '../../src/optimizer/iterations.ts';
import { optimize } from '../../src/optimizer/optimizer.ts';
import type { PhysicalOperator } from '../../src/optimizer/physical-plan.ts';
import type { LogicalPlan, NodeParams, PlanNode } from '../../src/plan/nodes.ts';
import { envAt } from '../helpers.ts';
import { logicalPlanOf, taskWith } from './plans.ts';

const shortName = (n: PlanNode) => n.name.replace(/ at .*$/, '');

/** Each iteration's step as the names of its nodes, by the name of its end node. */
function stepsByName(plan: LogicalPlan): Record<string, string[]> {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  return Object.fromEntries([...findSteps(plan)].map(([end, step]) => [shortName(byId.get(end)!), [...step].map((id) => shortName(byId.get(id)!)).sort()]));
}

test("a bulk iteration's step: its partial solution and what is computed from it, not what it reads from outside", () => {
  const env = envAt(2);
  const it = env.generateSequence(1, 9).name('src').iterate(3);
  const limit = env.fromElements(5).name('limit');
  const next = it
    .map((x) => x + 1)
    .name('step')
    .withBroadcastSet(limit, 'limit')
    .filter(() => true)
    .name('keep');
  it.closeWith(next)
    .name('end')
    .map((x) => x)
    .name('after')
    .output();
  assert.deepEqual(stepsByName(logicalPlanOf(env)), { end: ['Partial solution (iterate)', 'keep', 'step'] });
});

test("a delta iteration's step: solution set, workset and what reads them; two iterations, two steps", () => {
  const env = envAt(2);
  const start = env.fromCollection<[number, number]>([[1, 0]]).name('start');
  const it = start.iterateDelta(start, 3, 0);
  const delta = it
    .getWorkset()
    .join(it.getSolutionSet())
    .where(0)
    .equalTo(0)
    .using(([k, v]: [number, number]): [number, number] => [k, v + 1])
    .name('delta');
  const result = it.closeWith(delta, delta.filter(([, v]) => v < 3).name('next')).name('end');
  const bulk = result.iterate(2);
  bulk
    .closeWith(bulk.map((x) => x).name('again'))
    .name('end2')
    .output();
  const steps = stepsByName(logicalPlanOf(env));
  assert.deepEqual(Object.keys(steps).sort(), ['end', 'end2']);
  assert.equal(steps.end!.length, 4);
  assert.ok(steps.end!.includes('delta') && steps.end!.includes('next'));
  assert.ok(!steps.end!.includes('start'));
  assert.deepEqual(steps.end2, ['Partial solution (iterate)', 'again']);
});

test('plan errors: a step read from outside, a placeholder never closed, a step closed with data from outside', () => {
  {
    const env = envAt(2);
    const it = env.generateSequence(1, 9).iterate(3);
    const next = it.map((x) => x + 1).name('leaks');
    it.closeWith(next).output();
    next
      .map((x) => x)
      .name('outside')
      .output();
    assert.throws(() => findSteps(logicalPlanOf(env)), /outside reads the step of .* from outside it/);
  }
  {
    const env = envAt(2);
    env
      .generateSequence(1, 9)
      .iterate(3)
      .map((x) => x)
      .name('open')
      .output();
    assert.throws(() => findSteps(logicalPlanOf(env)), /reads Partial solution \(iterate\).*, whose iteration is never closed/);
  }
  {
    const env = envAt(2);
    const it = env.generateSequence(1, 9).iterate(3);
    it.closeWith(env.generateSequence(1, 2).name('other')).name('end').output();
    assert.throws(() => findSteps(logicalPlanOf(env)), /end: closeWith got other, which is not computed from the iteration's partial solution/);
  }
});

test("stepTaskIds: the tasks running a step's nodes and the iteration's own tasks, in the order given", () => {
  const op = (id: number): PhysicalOperator => ({ node: { id, name: `n${id}`, inputs: [], broadcastInputs: [], parallelism: null, params: { kind: 'Map', fn: 'u0' } as NodeParams }, strategy: 'MAP' });
  const tasks = [
    { id: 0, operators: [op(0)] },
    { id: 1, operators: [op(1), op(2)] },
    { id: 2, operators: [op(3)] },
    { id: 3, operators: [op(4)] },
    { id: 4, operators: [op(5)] },
  ];
  assert.deepEqual(stepTaskIds(new Set([2, 5]), tasks, [2]), [1, 2, 4]);
  assert.deepEqual(stepTaskIds(new Set([9]), tasks, []), []);
});

test("the optimized plan's step tasks: a delta iteration's solution set update, a bulk step's feedback pass-through", () => {
  const env = envAt(2);
  const start = env.fromCollection<[number, number]>([[1, 0]]).name('start');
  const it = start.iterateDelta(start, 3, 0);
  const delta = it
    .getWorkset()
    .map(([k, v]): [number, number] => [k, v + 1])
    .name('delta');
  const result = it.closeWith(delta, delta).name('end');
  const bulk = result.iterate(2);
  bulk.closeWith(bulk).name('end2').output();
  const plan = optimize(logicalPlanOf(env));
  const [d, b] = plan.iterations;
  assert.deepEqual(
    d!.tasks.map((id) =>
      plan.tasks
        .find((t) => t.id === id)!
        .operators.map((o) => o.strategy)
        .join(),
    ),
    ['MAP', 'MAP', 'MAP', 'SOLUTION_SET_UPDATE'],
  );
  assert.deepEqual(d!.heads, [taskWith(plan, 'Solution set (iterateDelta)').id, taskWith(plan, 'Workset (iterateDelta)').id]);
  assert.deepEqual(
    b!.tasks.map((id) => plan.tasks.find((t) => t.id === id)!.operators[0]!.strategy),
    ['MAP', 'FEEDBACK'],
  );
  assert.ok(!d!.tasks.includes(taskWith(plan, 'start').id) && !d!.tasks.includes(d!.result));
});
