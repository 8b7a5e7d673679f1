/**
 * The async operator's driver pulls its input a batch at a time and no further while `capacity`
 * invocations are pending (back-pressure: it never reads its whole input ahead), and its
 * subtask settles only after the last invocation has.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import type { Task } from '../../src/optimizer/physical-plan.ts';
import type { Output } from '../../src/runtime/collector.ts';
import type { InputChannel } from '../../src/runtime/input-channel.ts';
import type { JobServices } from '../../src/runtime/job-services.ts';
import { runSubtask } from '../../src/runtime/task-runner.ts';
import { createNode } from '../../src/plan/nodes.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';

const BATCHES = 10;
const PER_BATCH = 10;

test('an async subtask reads its next input batch only when it has room, and keeps at most capacity in flight', async () => {
  let batchesRead = 0;
  const input: InputChannel = {
    forEach: () => assert.fail('an async operator does not take its input pushed'),
    toArray: () => assert.fail('an async operator does not take its input whole'),
    *batches() {
      for (let b = 0; b < BATCHES; b++) {
        batchesRead++;
        yield Array.from({ length: PER_BATCH }, (_, i) => b * PER_BATCH + i);
      }
    },
  };
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let started = 0;
  const readAhead: number[] = [];
  const fn = (x: number): Promise<number> => {
    started++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // batches read beyond the one holding this record
    readAhead.push(batchesRead - (Math.floor(x / PER_BATCH) + 1));
    return new Promise((resolve) =>
      waiting.push(() => {
        inFlight--;
        resolve(x * 10);
      }),
    );
  };
  const node = createNode({
    id: 1,
    name: 'MapAsync at x.ts:1',
    inputs: [0],
    broadcastInputs: [],
    parallelism: 1,
    params: { kind: 'MapAsync', fn: 'u0', async: { capacity: 5, ordered: true, timeoutMs: null, retry: null } },
  });
  const task: Task = { id: 1, name: node.name, parallelism: 1, operators: [{ node, strategy: 'ASYNC' }], inputs: [{ fromTask: 0, ship: 'FORWARD' }], broadcastInputs: [] };
  const got: unknown[] = [];
  let closed = false;
  const output: Output = { collect: (r) => got.push(r), close: () => (closed = true) };
  const services = {} as JobServices;
  const resources = { userObjects: new Map([['u0', fn]]), types: new TypeRegistry(), objectReuse: false, retries: 0, stdout() {}, stderr() {}, memoryBytes: 1 << 26, tmpDir: tmpdir() };
  const running = runSubtask(task, 0, { inputs: [input], broadcast: new Map(), output }, resources, services, new Map());
  assert.ok(running instanceof Promise);
  let settled = false;
  void running.then(() => (settled = true));

  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(started, 5, 'capacity invocations started');
  assert.equal(batchesRead, 1, 'only the first batch read');
  // Settle them one at a time, latest first: nothing is emitted until the oldest has settled.
  while (waiting.length > 0) {
    waiting.pop()!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (let round = 0; !settled && round < 1000; round++) {
    while (waiting.length > 0) waiting.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await running;
  assert.ok(closed, 'the output is closed at the end');
  assert.deepEqual(
    got,
    Array.from({ length: BATCHES * PER_BATCH }, (_, x) => x * 10),
    'every result, in input order',
  );
  assert.ok(maxInFlight <= 5, `at most the capacity in flight, saw ${maxInFlight}`);
  assert.ok(
    readAhead.every((n) => n === 0),
    `never a batch read ahead of the record started: ${readAhead.join(',')}`,
  );
});
