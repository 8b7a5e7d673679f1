/**
 * Chaining (src/optimizer/chaining.ts) on its own and in the plans it makes: element-wise
 * operators and sinks run in the task before them when they are its input's only reader at
 * its parallelism without broadcast sets; everything else gets a task of its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHAINABLE, canChainAfter, chainsInto } from '../../src/optimizer/chaining.ts';
import type { PhysicalOperator } from '../../src/optimizer/physical-plan.ts';
import type { NodeParams, PlanNode } from '../../src/plan/nodes.ts';
import type { Collector } from '../../src/index.ts';
import { envAt } from '../helpers.ts';
import { physicalPlanOf, taskShapes } from './plans.ts';

const node = (id: number, params: NodeParams, inputs: number[] = [], broadcastInputs: PlanNode['broadcastInputs'] = []): PlanNode => ({
  id,
  name: `n${id}`,
  inputs,
  broadcastInputs,
  parallelism: null,
  params,
});
const map = (id: number, input: number) => node(id, { kind: 'Map', fn: 'u0' }, [input]);
const producer = (parallelism: number, ...operators: PhysicalOperator[]) => ({ parallelism, operators });

test('canChainAfter: behind the last operator of its input, its only reader, at the same parallelism', () => {
  const source = node(0, { kind: 'SequenceSource', from: 1, to: 9 });
  const task = producer(2, { node: source, strategy: 'SOURCE' });
  assert.equal(canChainAfter(task, 0, 1, 2), true);
  assert.equal(canChainAfter(task, 0, 2, 2), false, 'a node read twice ends its task');
  assert.equal(canChainAfter(task, 0, 1, 3), false, 'another parallelism');
  assert.equal(canChainAfter(task, 7, 1, 2), false, 'the input is not the last operator of the task');
  assert.equal(canChainAfter(undefined, 0, 1, 2), false);
  assert.equal(canChainAfter(producer(2, { node: source, strategy: 'SOURCE' }, { node: map(0, 0), strategy: 'COMBINE' }), 0, 1, 2), false, 'never behind a combiner');
  const head = node(3, { kind: 'PartialSolution', iteration: 4 } as NodeParams, [0]);
  assert.equal(canChainAfter(producer(2, { node: head, strategy: 'MAP' }), 3, 1, 2), false, "an iteration's head stays alone");
});

test('chainsInto: only chainable kinds without broadcast sets', () => {
  const task = producer(2, { node: node(0, { kind: 'SequenceSource', from: 1, to: 9 }), strategy: 'SOURCE' });
  assert.equal(chainsInto(map(1, 0), task, 1, 2), true);
  assert.equal(chainsInto(node(1, { kind: 'PrintSink', stdErr: false, prefix: null } as unknown as NodeParams, [0]), task, 1, 2), true, 'a sink chains');
  assert.equal(chainsInto(node(1, { kind: 'MapPartition', fn: 'u0' }, [0]), task, 1, 2), false);
  assert.equal(chainsInto(node(1, { kind: 'Map', fn: 'u0' }, [0], [{ name: 'b', input: 5 }]), task, 1, 2), false, 'a broadcast set needs a task that runs after its producer');
  for (const kind of ['Map', 'FlatMap', 'Filter', 'Project', 'TextSink', 'CsvSink', 'ParquetSink', 'PrintSink', 'FormatSink', 'CollectSink'] as const) assert.ok(CHAINABLE.has(kind), kind);
  assert.equal(CHAINABLE.size, 10);
});

test('a pipeline of element-wise operators and its sink run in the source task', () => {
  const env = envAt(2);
  env
    .generateSequence(1, 9)
    .name('src')
    .map((x) => x)
    .name('m')
    .filter(() => true)
    .name('f')
    .flatMap((x: number) => [x])
    .name('fm')
    .output();
  assert.deepEqual(taskShapes(physicalPlanOf(env)), [['SOURCE(src)', 'MAP(m)', 'MAP(f)', 'MAP(fm)', 'SINK(DataSink (output))']]);
});

test('a new parallelism, a second reader, a broadcast set or a non-chainable operator start a task', () => {
  const env = envAt(2);
  const src = env.generateSequence(1, 9).name('src');
  const side = env.fromElements(1).name('side');
  src
    .map((x) => x)
    .name('p3')
    .setParallelism(3)
    .map((x) => x)
    .name('b')
    .withBroadcastSet(side, 's')
    .mapPartition((xs: Iterable<number>, out: Collector<number>) => out.collect([...xs].length))
    .name('mp')
    .map((x) => x)
    .name('after')
    .output();
  const shared = src.map((x) => x).name('shared');
  shared.output();
  shared.output();
  assert.deepEqual(taskShapes(physicalPlanOf(env)), [
    ['SOURCE(side)'],
    ['SOURCE(src)'],
    ['MAP(p3)'],
    ['MAP(b)'],
    ['MAP_PARTITION(mp)', 'MAP(after)', 'SINK(DataSink (output))'],
    ['MAP(shared)'],
    ['SINK(DataSink (output))'],
    ['SINK(DataSink (output))'],
  ]);
});

test("an iteration's head stays alone; what follows it chains behind the step's first operator", () => {
  const env = envAt(2);
  const it = env.generateSequence(1, 9).name('src').iterate(3);
  it.closeWith(
    it
      .map((x) => x + 1)
      .name('step')
      .filter(() => true)
      .name('keep'),
  )
    .name('end')
    .output();
  assert.deepEqual(taskShapes(physicalPlanOf(env)), [['SOURCE(src)'], ['MAP(Partial solution (iterate))'], ['MAP(step)', 'MAP(keep)'], ['MAP(end)', 'SINK(DataSink (output))']]);
});
