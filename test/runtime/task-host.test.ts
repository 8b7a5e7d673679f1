/**
 * The task host (runtime/task-host.ts) on its own: a physical plan from optimize() runs subtask
 * by subtask over a fake in-memory transport, which routes every shipped batch to the input slot
 * of its consumer subtask and keeps every side record the host posts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntCounter, MapFunction, type RuntimeContext } from '../../src/index.ts';
import { exchangesOf } from '../../src/optimizer/exchanges.ts';
import type { PhysicalPlan } from '../../src/optimizer/physical-plan.ts';
import { ALL_TARGETS } from '../../src/runtime/partitioner.ts';
import { type SubtaskEnd, type SubtaskTransport, TaskHost } from '../../src/runtime/task-host.ts';
import { AccumulatorMerger } from '../../src/runtime/worker/accumulator-codec.ts';
import { BatchInputChannel } from '../../src/runtime/worker/binary-exchange.ts';
import { RecordReader } from '../../src/serde/record-reader.ts';
import { assertSameMultiset, envAt, tempDir } from '../helpers.ts';

class Doubled extends MapFunction<number, number> {
  private readonly seen = new IntCounter();
  override open(ctx: RuntimeContext): void {
    ctx.addAccumulator('seen', this.seen);
  }
  map(v: number): number {
    if (v === 13) throw new Error('thirteen');
    this.seen.add(1);
    return v * 2;
  }
}

/** What the host posted through the fake transport, per task and subtask. */
interface Posted {
  readonly shipped: Map<number, unknown[]>; // exchange id → its records
  readonly results: Map<string, unknown[] | number>;
  readonly printed: string[];
  readonly ends: { task: number; subtask: number; end: SubtaskEnd }[];
  readonly failures: { task: number; subtask: number; error: unknown }[];
}

/** Runs every task of the plan in order, each subtask through host.run with a transport that keeps what it posts. */
function runAll(plan: PhysicalPlan, host: TaskHost): Posted {
  const { types } = host.code;
  const exchanges = exchangesOf(plan);
  const batches = new Map<string, Uint8Array[]>(); // `${exchange}/${target}`
  const posted: Posted = { shipped: new Map(), results: new Map(), printed: [], ends: [], failures: [] };
  const tmpDir = tempDir();
  for (const task of plan.tasks) {
    for (let subtask = 0; subtask < task.parallelism; subtask++) {
      const transport: SubtaskTransport = {
        input: (_slot, x, meter) =>
          new BatchInputChannel(
            (batches.get(`${x.id}/${subtask}`) ?? []).map((bytes) => ({ kind: 'memory', bytes })),
            types,
            meter,
          ),
        ship: (output, x, target, bytes) => {
          assert.deepEqual(exchanges.filter((e) => e.from === task.id)[output], x, 'outputs are numbered as the task’s exchanges come');
          const targets = target === ALL_TARGETS ? Array.from({ length: x.consumers }, (_, t) => t) : [target];
          for (const t of targets) batches.set(`${x.id}/${t}`, [...(batches.get(`${x.id}/${t}`) ?? []), bytes]);
          posted.shipped.set(x.id, [...(posted.shipped.get(x.id) ?? []), ...new RecordReader(types).readAll(bytes)]);
        },
        result: (resultId, bytes, count) => {
          const value = bytes === null ? count : new RecordReader(types).readAll(bytes);
          assert.equal(typeof value === 'number' ? value : value.length, count);
          posted.results.set(resultId, value);
        },
        printed: (_toError, lines) => posted.printed.push(...lines),
        done: (end) => posted.ends.push({ task: task.id, subtask, end }),
        failed: (error) => posted.failures.push({ task: task.id, subtask, error }),
      };
      const running = host.run({ task, subtask, attempt: 1, superstep: 0, objectReuse: false, operatorMemoryBytes: 16 << 20, tmpDir, sinkFiles: {}, invalidLinesNames: {} }, transport);
      assert.equal(running, undefined, 'a synchronous subtask ends before run returns');
    }
  }
  return posted;
}

function job(values: number[]) {
  const env = envAt(2);
  const doubled = env.fromCollection(values).rebalance().map(new Doubled());
  doubled.output();
  const plan = env.collectPlan(doubled.id);
  return { plan, host: new TaskHost(plan, { userObjects: env.objects.asMap(), types: env.types }) };
}

test('the host ships each subtask’s records to its consumers and posts results, printed lines and accumulators', () => {
  const { plan, host } = job([1, 2, 3, 4, 5, 6]);
  assert.ok(plan.tasks.some((t) => t.parallelism === 2) && plan.tasks.length >= 3, 'a source, a parallel map and a collect sink');
  const posted = runAll(plan, host);
  assert.deepEqual(posted.failures, []);
  assert.equal(
    posted.ends.length,
    plan.tasks.reduce((n, t) => n + t.parallelism, 0),
    'one `done` per subtask',
  );
  // What went through the exchanges: the source's records, then the map's doubled ones.
  const shipped = [...posted.shipped.values()];
  assert.equal(shipped.length, exchangesOf(plan).length);
  assertSameMultiset(shipped[0]!, [1, 2, 3, 4, 5, 6]);
  assertSameMultiset(shipped.at(-1)!, [2, 4, 6, 8, 10, 12]);
  assert.equal(posted.results.size, 1);
  assertSameMultiset([...posted.results.values()][0] as unknown[], [2, 4, 6, 8, 10, 12]);
  assertSameMultiset(posted.printed, ['2', '4', '6', '8', '10', '12']);
  const merged = new AccumulatorMerger();
  for (const { end } of posted.ends) merged.add(end.accumulators, host.code.types);
  assert.deepEqual(merged.result(), { seen: 6 });
  assert.ok(posted.ends.every(({ end }) => end.aggregates === undefined && end.spilled.runs === 0 && end.figures === undefined));
});

test('a user function that throws makes the host post a failure, not an end', () => {
  const { plan, host } = job([11, 12, 13, 14]);
  const posted = runAll(plan, host);
  const map = plan.tasks.find((t) => t.operators.some((op) => op.node.name.startsWith('Map')))!;
  assert.equal(posted.failures.length, 1, 'one map subtask got the 13');
  const [failure] = posted.failures;
  assert.equal(failure!.task, map.id);
  assert.match(String((failure!.error as Error).message), /thirteen/);
  assert.ok(!posted.ends.some((e) => e.task === failure!.task && e.subtask === failure!.subtask), 'the failed subtask posted no `done`');
});
