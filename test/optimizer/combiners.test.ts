/**
 * Reductions and their combiners (src/optimizer/combiners.ts) on their own and in the plans
 * they make: a combiner before the shuffle of every combinable reduction, chained into the
 * producer when it can be, else in a task of its own; none for a group reduce not declared
 * combinable; key-selector reductions carry `[key, record]` pairs shuffled on field 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combinerChains, planReduction } from '../../src/optimizer/combiners.ts';
import type { PhysicalPlan } from '../../src/optimizer/physical-plan.ts';
import type { KeySpec, NodeParams, PlanNode } from '../../src/plan/nodes.ts';
import type { Collector } from '../../src/index.ts';
import { envAt } from '../helpers.ts';
import { physicalPlanOf, taskShapes, taskWith } from './plans.ts';

const fields: KeySpec = { kind: 'fields', fields: [0] };
const selector: KeySpec = { kind: 'selector', fn: 'u1' } as KeySpec;
const node = (params: NodeParams, broadcastInputs: PlanNode['broadcastInputs'] = []): PlanNode => ({ id: 3, name: 'r', inputs: [1], broadcastInputs, parallelism: null, params });
const shape = (params: NodeParams) => {
  const r = planReduction(node(params));
  assert.equal(r.reducer.length, 1);
  return { combiner: r.combiner.length === 0 ? null : r.combiner.map((o) => o.strategy).join(), reducer: r.reducer[0]!.strategy, shipKeys: r.shipKeys };
};

test('planReduction: which reductions combine, how the reducer groups, what the shuffle hashes on', () => {
  assert.deepEqual(shape({ kind: 'Reduce', fn: 'u0', keys: fields }), { combiner: 'COMBINE', reducer: 'HASH_GROUP', shipKeys: fields });
  assert.deepEqual(shape({ kind: 'Reduce', fn: 'u0', keys: null }), { combiner: 'COMBINE', reducer: 'ALL_GROUP', shipKeys: null });
  assert.deepEqual(shape({ kind: 'Aggregate', aggregations: [], keys: fields }), { combiner: 'COMBINE', reducer: 'HASH_GROUP', shipKeys: fields });
  assert.deepEqual(shape({ kind: 'Distinct', keys: fields }), { combiner: 'COMBINE', reducer: 'HASH_GROUP', shipKeys: fields });
  assert.deepEqual(shape({ kind: 'First', n: 2, keys: fields, sortKeys: [] }), { combiner: 'COMBINE', reducer: 'HASH_GROUP', shipKeys: fields });
  const sortKeys = [{ key: fields, order: 'ASCENDING' }] as unknown as Extract<NodeParams, { kind: 'First' }>['sortKeys'];
  assert.deepEqual(shape({ kind: 'First', n: 2, keys: fields, sortKeys }), { combiner: 'COMBINE', reducer: 'SORTED_GROUP', shipKeys: fields });
  const groupReduce = (combinable: boolean, keys: KeySpec | null = fields, sorted = false): NodeParams => ({ kind: 'GroupReduce', fn: 'u0', keys, sortKeys: sorted ? sortKeys : [], combinable });
  assert.deepEqual(shape(groupReduce(false)), { combiner: null, reducer: 'HASH_GROUP', shipKeys: fields }, 'a group reduce not declared combinable');
  assert.deepEqual(shape(groupReduce(false, null)), { combiner: null, reducer: 'ALL_GROUP', shipKeys: null });
  assert.deepEqual(shape(groupReduce(true, fields, true)), { combiner: 'COMBINE', reducer: 'SORTED_GROUP', shipKeys: fields });
  assert.throws(() => planReduction(node({ kind: 'Map', fn: 'u0' })), /not a reduction/);
});

test('planReduction: a combinable key-selector reduction extracts its key before the combiner and runs on [key, record] pairs hashed on field 0', () => {
  const ops = (os: readonly { strategy: string; onPairs?: true }[]) => os.map((o) => `${o.strategy}${o.onPairs ? ' on pairs' : ''}`);
  const reduce = planReduction(node({ kind: 'Reduce', fn: 'u0', keys: selector }));
  assert.deepEqual([ops(reduce.combiner), ops(reduce.reducer), reduce.shipKeys], [['KEY_EXTRACT', 'COMBINE on pairs'], ['HASH_GROUP on pairs', 'KEY_REMOVE'], { kind: 'fields', fields: [0] }]);
  assert.deepEqual(reduce.combiner[1]!.combineKeys, selector);
  // A group reduce's function emits plain records: no key to remove.
  const group = planReduction(node({ kind: 'GroupReduce', fn: 'u0', keys: selector, sortKeys: [], combinable: true }));
  assert.deepEqual([ops(group.combiner), ops(group.reducer), group.shipKeys], [['KEY_EXTRACT', 'COMBINE on pairs'], ['HASH_GROUP on pairs'], { kind: 'fields', fields: [0] }]);
  // Without a combiner the records shuffle as they are, on the selector.
  const plain = planReduction(node({ kind: 'GroupReduce', fn: 'u0', keys: selector, sortKeys: [], combinable: false }));
  assert.deepEqual([ops(plain.combiner), ops(plain.reducer), plain.shipKeys], [[], ['HASH_GROUP'], selector]);
  const distinct = planReduction(node({ kind: 'Distinct', keys: selector }));
  assert.deepEqual([ops(distinct.combiner), ops(distinct.reducer), distinct.shipKeys], [['COMBINE'], ['HASH_GROUP'], selector], 'distinct needs no key carried');
});

test('combinerChains: not when the reduction reads broadcast sets, else where chaining allows', () => {
  assert.equal(combinerChains(node({ kind: 'Reduce', fn: 'u0', keys: fields }), true), true);
  assert.equal(combinerChains(node({ kind: 'Reduce', fn: 'u0', keys: fields }), false), false);
  assert.equal(combinerChains(node({ kind: 'Reduce', fn: 'u0', keys: fields }, [{ name: 'b', input: 0 }]), true), false);
});

const inputOf = (plan: PhysicalPlan, name: string, strategy: string) => taskWith(plan, name, strategy).inputs[0]!;

test('a grouped reduce: the combiner chained into the producer, the reducer behind a hash shuffle', () => {
  const env = envAt(2);
  env
    .generateSequence(1, 9)
    .name('src')
    .map((x): [number, number] => [x % 3, x])
    .name('pair')
    .groupBy(0)
    .reduce((a, b) => [a[0], a[1] + b[1]])
    .name('sum')
    .output();
  const plan = physicalPlanOf(env);
  assert.deepEqual(taskShapes(plan), [
    ['SOURCE(src)', 'MAP(pair)', 'COMBINE(sum)'],
    ['HASH_GROUP(sum)', 'SINK(DataSink (output))'],
  ]);
  assert.deepEqual(inputOf(plan, 'sum', 'HASH_GROUP'), { fromTask: plan.tasks[0]!.id, ship: 'HASH', keys: { kind: 'fields', fields: [0] } });
  assert.equal(plan.tasks[0]!.name, 'src -> pair -> Combine (sum)');
});

test('no combiner for a group reduce not declared combinable; one for a combinable one', () => {
  const env = envAt(2);
  const pairs = env
    .generateSequence(1, 9)
    .name('src')
    .map((x): [number, number] => [x % 3, x])
    .name('pair');
  pairs
    .groupBy(0)
    .reduceGroup((xs: Iterable<[number, number]>, out: Collector<number>) => out.collect([...xs].length))
    .name('count')
    .output();
  pairs
    .groupBy(0)
    .reduceGroup((xs: Iterable<[number, number]>, out) => out.collect([...xs][0]!), { combinable: true })
    .name('one')
    .output();
  const plan = physicalPlanOf(env);
  assert.deepEqual(taskShapes(plan), [['SOURCE(src)', 'MAP(pair)'], ['HASH_GROUP(count)', 'SINK(DataSink (output))'], ['COMBINE(one)'], ['HASH_GROUP(one)', 'SINK(DataSink (output))']]);
  // `pair` has two readers: the combiner cannot chain behind it and runs at its parallelism, forwarded.
  const combine = taskWith(plan, 'one', 'COMBINE');
  assert.deepEqual([combine.parallelism, combine.inputs], [2, [{ fromTask: plan.tasks[0]!.id, ship: 'FORWARD' }]]);
});

test('a reduction reading broadcast sets gets its combiner in a task of its own, with the sets', () => {
  const env = envAt(2);
  const side = env.fromElements(1).name('side');
  env
    .generateSequence(1, 9)
    .name('src')
    .groupBy((x: number) => x % 2)
    .reduce((a, b) => a + b)
    .name('sum')
    .withBroadcastSet(side, 'side')
    .output();
  const plan = physicalPlanOf(env);
  const combine = taskWith(plan, 'sum', 'COMBINE');
  assert.deepEqual(
    combine.operators.map((o) => o.strategy),
    ['KEY_EXTRACT', 'COMBINE'],
  );
  assert.deepEqual(
    taskWith(plan, 'sum', 'HASH_GROUP').operators.map((o) => o.strategy),
    ['HASH_GROUP', 'KEY_REMOVE', 'SINK'],
  );
  assert.deepEqual(combine.broadcastInputs, [{ name: 'side', fromTask: taskWith(plan, 'side').id }]);
  assert.deepEqual(taskWith(plan, 'sum', 'HASH_GROUP').broadcastInputs, [{ name: 'side', fromTask: taskWith(plan, 'side').id }]);
  assert.deepEqual(inputOf(plan, 'sum', 'HASH_GROUP'), { fromTask: combine.id, ship: 'HASH', keys: { kind: 'fields', fields: [0] } }, 'a selector reduce hashes its pairs on field 0');
});

test('an ungrouped reduction: combined in every producer, reduced in one instance, forwarded when the producer has one', () => {
  for (const [p, ship] of [
    [1, 'FORWARD'],
    [3, 'REBALANCE'],
  ] as const) {
    const env = envAt(p);
    env
      .generateSequence(1, 9)
      .name('src')
      .reduce((a, b) => a + b)
      .name('sum')
      .output();
    const plan = physicalPlanOf(env);
    assert.deepEqual(taskShapes(plan)[0], ['SOURCE(src)', 'COMBINE(sum)']);
    assert.deepEqual(taskShapes(plan)[1]![0], 'ALL_GROUP(sum)');
    assert.deepEqual([taskWith(plan, 'sum', 'ALL_GROUP').parallelism, inputOf(plan, 'sum', 'ALL_GROUP').ship], [1, ship]);
  }
});

test('a reduce after partitionByHash still combines, chained behind the partitioning', () => {
  const env = envAt(2);
  env
    .generateSequence(1, 9)
    .name('src')
    .map((x): [number, number] => [x % 3, x])
    .name('pair')
    .partitionByHash(0)
    .name('part')
    .groupBy(0)
    .sum(1)
    .name('sum')
    .output();
  assert.deepEqual(taskShapes(physicalPlanOf(env)), [
    ['SOURCE(src)', 'MAP(pair)'],
    ['MAP(part)', 'COMBINE(sum)'],
    ['HASH_GROUP(sum)', 'SINK(DataSink (output))'],
  ]);
});
