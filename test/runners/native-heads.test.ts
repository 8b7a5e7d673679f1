/**
 * The Flink runner's own head strategies (runners/flink/native-heads.ts): a task whose first
 * operator Flink ran is run by `runSubtask` with the runner's strategy in place of the head's,
 * over what Flink hands the worker — pairs, whole groups, finished records — and the shared
 * strategy table knows none of them.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import type { PhysicalOperator, Task } from '../../src/optimizer/physical-plan.ts';
import { createNode, type NodeParams } from '../../src/plan/nodes.ts';
import { NATIVE_HEADS } from '../../src/runners/flink/native-heads.ts';
import type { Output } from '../../src/runtime/collector.ts';
import type { InputChannel } from '../../src/runtime/input-channel.ts';
import type { JobServices } from '../../src/runtime/job-services.ts';
import { STRATEGIES } from '../../src/runtime/strategies.ts';
import { runSubtask } from '../../src/runtime/task-runner.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';

function channel(records: unknown[]): InputChannel {
  return { forEach: (f) => records.forEach((r) => f(r)), toArray: () => [...records], batches: () => [records] };
}

/** Runs a one-task chain [head, map ×10] with `head` run as the runner's strategy `native`, over `input`. */
function run(params: NodeParams, strategy: PhysicalOperator['strategy'], native: keyof typeof NATIVE_HEADS, input: unknown[], fns: Record<string, unknown>): unknown[] {
  const head = createNode({ id: 1, name: 'Head', inputs: [0], broadcastInputs: [], parallelism: 1, params });
  const times10 = createNode({ id: 2, name: 'Map', inputs: [1], broadcastInputs: [], parallelism: 1, params: { kind: 'Map', fn: 'times10' } });
  const task: Task = {
    id: 1,
    name: 'Head',
    parallelism: 1,
    operators: [
      { node: head, strategy },
      { node: times10, strategy: 'MAP' },
    ],
    inputs: [{ fromTask: 0, ship: 'FORWARD' }],
    broadcastInputs: [],
  };
  const got: unknown[] = [];
  const output: Output = { collect: (r) => got.push(r), close() {} };
  const userObjects = new Map<string, unknown>(Object.entries({ ...fns, times10: (x: number) => x * 10 }));
  const resources = { userObjects, types: new TypeRegistry(), objectReuse: false, retries: 0, stdout() {}, stderr() {}, memoryBytes: 1 << 26, tmpDir: tmpdir() };
  const running = runSubtask(task, 0, { inputs: [channel(input)], broadcast: new Map(), output }, resources, {} as JobServices, new Map(), { runnerHead: NATIVE_HEADS[native] });
  assert.equal(running, undefined, 'runs synchronously');
  return got;
}

test('PAIRED: a join whose pairs Flink formed runs only its function, on each pair', () => {
  const params: NodeParams = { kind: 'Join', joinType: 'INNER', leftKeys: { kind: 'fields', fields: [0] }, rightKeys: { kind: 'fields', fields: [0] }, fn: 'add', projection: null, hint: 'NONE' };
  const got = run(
    params,
    'HASH_JOIN_BUILD_FIRST',
    'PAIRED',
    [
      [1, 2],
      [3, 4],
    ],
    { add: (l: number, r: number) => l + r },
  );
  assert.deepEqual(got, [30, 70]);
});

test('PREGROUPED: a group reduce whose groups Flink made gets each whole group once', () => {
  const params: NodeParams = { kind: 'GroupReduce', fn: 'sum', keys: { kind: 'fields', fields: [0] }, sortKeys: [], combinable: false };
  const got = run(params, 'SORTED_GROUP', 'PREGROUPED', [[1, 2, 3], [4], [5, 6]], { sum: (values: number[]) => [values.reduce((a, b) => a + b, 0)] });
  assert.deepEqual(got, [60, 40, 110]);
});

test('PRECOMPUTED: what Flink finished (distinct, first) passes on to the rest of the chain', () => {
  const params: NodeParams = { kind: 'Distinct', keys: { kind: 'fields', fields: [0] } };
  assert.deepEqual(run(params, 'HASH_GROUP', 'PRECOMPUTED', [3, 1, 3], {}), [30, 10, 30]);
});

test('a native head given a node it cannot run fails naming both', () => {
  const params: NodeParams = { kind: 'Distinct', keys: { kind: 'fields', fields: [0] } };
  assert.throws(() => run(params, 'HASH_GROUP', 'PAIRED', [1], {}), /no native head PAIRED for Distinct/);
});

test('the shared strategy table holds none of the runner’s strategies', () => {
  for (const name of Object.keys(NATIVE_HEADS)) assert.ok(!(name in STRATEGIES), name);
});
