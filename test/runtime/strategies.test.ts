/**
 * The strategy table (src/runtime/strategies.ts) against the plans the optimizer makes: a task's
 * head that drives reads as many inputs as the table says, every operator behind the head is
 * one the engine chains, and the embedded engine runs each program to the expected answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PhysicalPlan } from '../../src/optimizer/physical-plan.ts';
import { isDriver, STRATEGIES } from '../../src/runtime/strategies.ts';
import { type Collector, Order } from '../../src/index.ts';
import { assertSameMultiset, envAt } from '../helpers.ts';

type P = [number, string];

const programs: Record<string, { build: (env: ReturnType<typeof envAt>) => { readonly id: number; collect(): Promise<unknown[]> }; expected: unknown[] }> = {
  join: {
    build: (env) =>
      env
        .fromCollection<P>([
          [1, 'a'],
          [2, 'b'],
        ])
        .join(env.fromCollection<P>([[1, 'x']]))
        .where(0)
        .equalTo(0)
        .using((l, r) => l[1] + r[1]),
    expected: ['ax'],
  },
  'outer join': {
    build: (env) =>
      env
        .fromCollection<P>([
          [1, 'a'],
          [2, 'b'],
        ])
        .leftOuterJoin(env.fromCollection<P>([[1, 'x']]))
        .where(0)
        .equalTo(0)
        .using((l, r) => l[1] + (r?.[1] ?? '-')),
    expected: ['ax', 'b-'],
  },
  coGroup: {
    build: (env) =>
      env
        .fromElements(1, 2, 2)
        .coGroup(env.fromElements(2, 3))
        .where((x: number) => x)
        .equalTo((x: number) => x)
        .using((l: Iterable<number>, r: Iterable<number>, out) => out.collect([...l].length * 10 + [...r].length)),
    expected: [10, 21, 1],
  },
  cross: {
    build: (env) =>
      env
        .fromElements(1, 2)
        .cross(env.fromElements(10))
        .using((a, b) => a + b),
    expected: [11, 12],
  },
  'grouped reduce': {
    build: (env) =>
      env
        .fromCollection<P>([
          [1, 'a'],
          [1, 'b'],
          [2, 'c'],
        ])
        .groupBy(0)
        .reduce((a, b) => [a[0], a[1] + b[1]]),
    expected: [
      [1, 'ab'],
      [2, 'c'],
    ],
  },
  // A key-selector reduction on [key, record] pairs: KEY_EXTRACT before the combiner, KEY_REMOVE after a reduce.
  'selector reduce': {
    build: (env) =>
      env
        .fromCollection<P>([
          [1, 'a'],
          [1, 'b'],
          [2, 'c'],
        ])
        .groupBy((t) => t[0])
        .reduce((a, b) => [a[0] + 10, a[1] + b[1]]),
    expected: [
      [11, 'ab'],
      [2, 'c'],
    ],
  },
  'sorted selector group reduce': {
    build: (env) =>
      env
        .fromCollection<P>([
          [1, 'b'],
          [1, 'a'],
          [2, 'c'],
        ])
        .groupBy((t) => t[0])
        .sortGroup((t) => t[1], Order.ASCENDING)
        .reduceGroup((ts: Iterable<P>, out: Collector<P>) => out.collect([...ts].reduce((a, b) => [a[0], a[1] + b[1]])), { combinable: true }),
    expected: [
      [1, 'ab'],
      [2, 'c'],
    ],
  },
  'delta iteration': {
    build: (env) => {
      const start = env.fromCollection<[number, number]>([
        [1, 0],
        [2, 0],
      ]);
      const it = start.iterateDelta(start, 3, 0);
      const delta = it.getWorkset().map(([k, v]): [number, number] => [k, v + 1]);
      return it.closeWith(
        delta,
        delta.filter(([, v]) => v < 3),
      );
    },
    expected: [
      [1, 3],
      [2, 3],
    ],
  },
};

test('every strategy of the table is a driver, a chained operator or never runs, with its inputs', () => {
  for (const [name, s] of Object.entries(STRATEGIES)) {
    assert.ok(['driver', 'chained', 'never runs'].includes(s.role), name);
    assert.ok(Number.isInteger(s.inputs) && s.inputs >= 0 && s.inputs <= 2, name);
    assert.equal(isDriver(name as keyof typeof STRATEGIES), s.role === 'driver');
  }
  assert.equal(STRATEGIES.SOURCE.inputs, 0);
  assert.equal(STRATEGIES.HASH_JOIN_BUILD_FIRST.role, 'driver');
  assert.equal(STRATEGIES.HASH_GROUP.role, 'chained');
  assert.equal(STRATEGIES.KEY_EXTRACT.role, 'chained');
  assert.equal(STRATEGIES.KEY_REMOVE.role, 'chained');
});

test('a key-selector reduce runs as KEY_EXTRACT, COMBINE and the reducer on pairs, then KEY_REMOVE', () => {
  const env = envAt(2);
  const ds = env
    .fromCollection<P>([[1, 'a']])
    .groupBy((t) => t[0])
    .reduce((a) => a);
  const tasks = env.collectPlan(ds.id).tasks.map((t) => t.operators.map((o) => `${o.strategy}${o.onPairs ? ' on pairs' : ''}`));
  assert.deepEqual(tasks.slice(0, 2), [
    ['SOURCE', 'KEY_EXTRACT', 'COMBINE on pairs'],
    ['HASH_GROUP on pairs', 'KEY_REMOVE'],
  ]);
});

for (const p of [1, 2]) {
  for (const [name, program] of Object.entries(programs)) {
    test(`${name}: the plan's heads read the inputs the table says, and it runs (p=${p})`, async () => {
      const env = envAt(p);
      const ds = program.build(env);
      const plan: PhysicalPlan = env.collectPlan(ds.id);
      for (const task of plan.tasks) {
        const head = task.operators[0]!;
        if (isDriver(head.strategy)) assert.equal(task.inputs.length, STRATEGIES[head.strategy].inputs, `${task.name}: ${head.strategy}`);
        for (const op of task.operators.slice(1)) assert.equal(STRATEGIES[op.strategy].role, 'chained', `${task.name}: ${op.strategy} behind the head`);
      }
      if (!name.includes('reduce'))
        assert.ok(
          plan.tasks.some((t) => isDriver(t.operators[0]!.strategy) && t.operators[0]!.strategy !== 'SOURCE'),
          'a driver other than a source',
        );
      assertSameMultiset(await program.build(envAt(p)).collect(), program.expected);
    });
  }
}
