/**
 * A Node worker process of the Flink target, started by a Flink task (NodeTask.java) and kept
 * by its JVM to serve one task's subtask after another (NodeWorkers.java). Like a worker thread
 * of the embedded engine it never runs the user's script: it rebuilds the job's functions from
 * the code the client shipped in worker.json (serde/closures) and runs the client's plan. Then, per TASK frame
 * on stdin (which subtask of which task, its superstep, a spool folder), it runs the task's
 * operator chain with the embedded engine's task host (runtime/task-host.ts) on the subtask's
 * input, asking for it a batch at a time as the operators read it (streamed-input.ts), and writes
 * its output batches — addressed to consumer subtasks by tsflink's own partitioner, or keyed
 * records that Flink partitions (keyed-writer.ts) — and side records (results, printed lines,
 * accumulators) to stdout, then DONE. This file is the host's transport over the frames, the
 * watchdog, the time limits and the convergence check. It exits at the end of stdin. See
 * worker-frames.ts.
 *
 * Environment: TSFLINK_WORKER_CONFIG (path of worker.json, relative to the folder it starts in
 * when the code was shipped to a remote cluster: code-bundle.ts).
 */
import { existsSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { PlanError } from '../../errors/index.ts';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import { IterationAggregates } from '../../runtime/iteration-aggregates.ts';
import { runInterruptibly, SectionTimedOut } from '../../runtime/job-endings.ts';
import { ALL_TARGETS } from '../../runtime/partitioner.ts';
import { hostShippedJob, type TaskHost } from '../../runtime/task-host.ts';
import { isAsyncTask } from '../../runtime/task-runner.ts';
import { settleWithin, taskTimeoutError } from '../../runtime/task-timeout.ts';
import { describeError } from '../../runtime/worker/remote-error.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';
import { relocateModules } from '../../serde/closures/index.ts';
import { absoluteModule } from './code-bundle.ts';
import { KeyedFrameWriter } from './keyed-writer.ts';
import { NATIVE_HEADS } from './native-heads.ts';
import { StreamedInput } from './streamed-input.ts';
import { type FlinkWorkerConfig, IN_DATA, IN_END, IN_TASK, OUT_AGGREGATES, OUT_BATCH, OUT_CREDIT, OUT_DONE, OUT_ERROR, OUT_KEYED, OUT_SIDE, encodeSide } from './worker-frames.ts';

const started = JSON.parse(readFileSync(process.env.TSFLINK_WORKER_CONFIG!, 'utf8')) as FlinkWorkerConfig;
// Shipped code is relative to the folder this worker starts in (worker-frames.ts): made absolute
// before anything is imported, and before the worker moves to the client's folder.
const startDir = process.cwd();
const config: FlinkWorkerConfig = {
  ...started,
  code: relocateModules(started.code, (m) => absoluteModule(m, startDir)),
};
// Relative data paths mean what they meant to the client, where its folder exists here too.
if (existsSync(config.clientCwd)) process.chdir(config.clientCwd);
const STDIN = 0;
const STDOUT = 1;

// A worker must not outlive its Flink task: when the TaskManager dies (kill -9 included) nobody
// kills the worker, and it would go on writing the job's staging files. A watchdog thread
// notices the parent JVM's death (this process is re-parented) even while the main thread is
// busy in a user function, and ends the process.
// It also removes the worker's spool folder, which it is told about.
// (Dynamic imports: the code is evaluated as CommonJS or, under --input-type=module, as ESM.)
const WATCHDOG = `
const parent = process.ppid;
(async () => {
  const { parentPort } = await import('node:worker_threads');
  const { rmSync } = await import('node:fs');
  let spool = null;
  parentPort.on('message', (dir) => { spool = dir; });
  const gone = () => { if (process.ppid !== parent) return true; try { process.kill(parent, 0); return false; } catch (e) { return e.code === 'ESRCH'; } };
  setInterval(() => {
    if (!gone()) return;
    try { if (spool) rmSync(spool, { recursive: true, force: true }); } catch {}
    process.kill(process.pid, 'SIGKILL');
  }, 200);
})();
`;
const watchdog = new Worker(WATCHDOG, { eval: true, stdout: true, stderr: true });
watchdog.on('error', (e) => toStderr(`tsflink: the Node worker's watchdog failed: ${e instanceof Error ? e.message : String(e)}\n`));
watchdog.unref();

// stdout is the data channel: whatever the script or its functions print goes to stderr,
// which the Flink task copies into its log.
const toStderr = process.stderr.write.bind(process.stderr);
process.stdout.write = toStderr as typeof process.stdout.write;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeAll(bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(STDOUT, bytes, done, bytes.length - done);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      sleep(1);
    }
  }
}

function frame(type: number, a: number, b: number, payload: Uint8Array = new Uint8Array(0)): void {
  const head = Buffer.allocUnsafe(13);
  head.writeUInt8(type, 0);
  head.writeInt32BE(a, 1);
  head.writeInt32BE(b, 5);
  head.writeUInt32BE(payload.length, 9);
  writeAll(head);
  if (payload.length > 0) writeAll(payload);
}

/** What a TASK frame asks for; `superstep` is 0 outside an iteration's step (Flink's IterationRuntimeContext). */
interface TaskHeader {
  readonly task: number;
  readonly subtask: number;
  /** 1-based: Flink's attempt number of the subtask + 1 (a restarted region runs a new attempt). */
  readonly attempt: number;
  readonly superstep: number;
  readonly spool: string;
  /** On a remote cluster: where this TaskManager's copies of the job's cached files are. */
  readonly cachedFiles?: Readonly<Record<string, string>>;
  /** A step's task of an iteration with aggregators, after superstep 1: each subtask's contribution of the previous superstep (base64 record batches). */
  readonly previousAggregates?: readonly string[];
  /** The convergence check of `plan.iterations[convergence]` (PlanBinder adds it to the step), rather than a task of the plan. */
  readonly convergence?: number;
}

let finished = false;
function fail(error: unknown): never {
  if (!finished) {
    finished = true;
    try {
      frame(OUT_ERROR, 0, 0, Buffer.from(JSON.stringify(describeError(error)), 'utf8'));
    } catch {
      // the task is gone
    }
  }
  process.exit(1);
}

/** Reads exactly n bytes from stdin (blocking); null at end of stream before the first byte. */
function readExactly(n: number): Buffer | null {
  const buf = Buffer.allocUnsafe(n);
  let done = 0;
  while (done < n) {
    let got: number;
    try {
      got = readSync(STDIN, buf, done, n - done, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        sleep(1);
        continue;
      }
      if (code === 'EOF') got = 0;
      else throw e;
    }
    if (got === 0) {
      if (done === 0) return null;
      throw new Error('the Flink task closed the input in the middle of a frame');
    }
    done += got;
  }
  return buf;
}

/** Asks the JVM for the next input batch (a CREDIT) and reads its answer: a batch, or null at the end. */
function nextBatch(): { slot: number; batch: Uint8Array } | null {
  frame(OUT_CREDIT, 0, 0);
  const type = readExactly(1);
  if (type === null) throw new Error('the Flink task closed the input before its end');
  if (type[0] === IN_END) return null;
  if (type[0] !== IN_DATA) throw new Error(`unknown input frame type ${type[0]}`);
  const head = readExactly(8)!;
  const slot = head.readUInt32BE(0);
  const length = head.readUInt32BE(4);
  return { slot, batch: length === 0 ? new Uint8Array(0) : readExactly(length)! };
}

/** The next TASK frame, or null at the end of stdin (the JVM is done with this worker). */
function readTaskHeader(): TaskHeader | null {
  const type = readExactly(1);
  if (type === null) return null;
  if (type[0] !== IN_TASK) throw new Error(`the Flink task sent frame type ${type[0]} where a task should start`);
  const length = readExactly(4)!.readUInt32BE(0);
  return JSON.parse(readExactly(length)!.toString('utf8')) as TaskHeader;
}

/** Serves tasks until the JVM closes stdin. */
async function serve(host: TaskHost): Promise<void> {
  for (let header = readTaskHeader(); header !== null; header = readTaskHeader()) {
    finished = false;
    const running = serveTask(header, host);
    if (running !== undefined) await running;
  }
}

/**
 * Runs one task's subtask with the task host, over the frames: its input slots stream from the
 * JVM, its outputs go out as BATCH frames (or KEYED ones, which Flink partitions), its side
 * records as SIDE frames, what it aggregated as AGGREGATES, then DONE; a failure is thrown, and
 * the worker reports it (ERROR) and exits. An async operator's subtask returns a Promise: its
 * driver awaits between records, and asks the JVM for the next batch (CREDIT, a blocking read)
 * only when it has room for more records, so the JVM holds the rest back (Flink's
 * back-pressure) meanwhile.
 */
function serveTask(header: TaskHeader, host: TaskHost): void | Promise<void> {
  const { plan, code } = host;
  if (header.convergence !== undefined) return checkConvergence(header, plan, code.userObjects, code.types);
  const { task: taskId, subtask, superstep } = header;
  const task = host.task(taskId);
  const tc = config.tasks[String(taskId)];
  if (!task || !tc) throw new PlanError(`the Flink job names task ${taskId}, which the rebuilt plan does not have`);
  // The Flink task gives a spool folder, which it removes even if it has to kill this worker.
  const dir = header.spool;
  watchdog.postMessage(dir);
  const input = new StreamedInput(tc.slots.length, dir, nextBatch);
  let failure: { error: unknown } | null = null;
  const running = host.run(
    {
      task,
      subtask,
      attempt: header.attempt,
      superstep,
      objectReuse: config.objectReuse,
      operatorMemoryBytes: config.operatorMemoryBytes,
      tmpDir: dir,
      cachedFiles: header.cachedFiles,
      sinkFiles: tc.sinkFiles[subtask]!,
      invalidLinesNames: tc.invalidLinesNames,
      previousAggregates: superstep > 1 ? { contributions: (header.previousAggregates ?? []).map((b) => Buffer.from(b, 'base64')) } : null,
      runnerHead: tc.nativeHead === null ? null : NATIVE_HEADS[tc.nativeHead],
    },
    {
      input: (slot) => input.channel(slot, code.types),
      ship: (output, x, target, bytes) => {
        if (target !== ALL_TARGETS) frame(OUT_BATCH, output, target, bytes);
        else if (tc.outputs[output]!.flinkBroadcast)
          frame(OUT_BATCH, output, 0, bytes); // Flink broadcasts it
        else for (let t = 0; t < x.consumers; t++) frame(OUT_BATCH, output, t, bytes);
      },
      writer: (output) => {
        const o = tc.outputs[output]!;
        return o.keyed ? new KeyedFrameWriter(o.keyed, code.userObjects, code.types, o.keyOwner, (count, bytes) => frame(OUT_KEYED, output, count, bytes)) : undefined;
      },
      result: (resultId, bytes, count) => frame(OUT_SIDE, 0, 0, encodeSide({ kind: 'result', resultId, subtask, count, counted: bytes === null }, bytes ?? undefined)),
      printed: (toError, lines) => frame(OUT_SIDE, 0, 0, encodeSide({ kind: 'printed', toError, subtask, lines })),
      done: (end) => {
        input.finish();
        frame(OUT_SIDE, 0, 0, encodeSide({ kind: 'accumulators', task: taskId, subtask }, end.accumulators));
        if (end.aggregates !== undefined) frame(OUT_AGGREGATES, 0, 0, end.aggregates);
        finished = true;
        frame(OUT_DONE, 0, 0);
      },
      failed: (error) => {
        failure = { error };
      },
      guard: (run) => {
        const limit = config.taskTimeoutMs;
        if (limit === null) return run();
        // The Flink task fails with it (and is retried as any failed attempt is).
        if (isAsyncTask(task)) return settleWithin(run() as Promise<void>, limit, () => taskTimeoutError(task, subtask, limit));
        try {
          runInterruptibly(() => void run(), limit);
        } catch (e) {
          if (e instanceof SectionTimedOut) throw taskTimeoutError(task, subtask, limit);
          throw e;
        }
      },
    },
  );
  const ended = (): void => {
    rmSync(dir, { recursive: true, force: true });
    if (failure !== null) throw failure.error;
  };
  if (running !== undefined) return running.then(ended);
  ended();
}

/**
 * The convergence check of an iteration, run once per superstep at parallelism 1 inside the
 * step: input slot 0 holds every step subtask's AGGREGATES of this superstep, slot 1 (when the
 * iteration has one) the termination criterion's records (a delta iteration's: its new workset).
 * It merges the aggregates with the registered aggregators, asks the convergence criterion, and
 * emits one record — Flink's termination criterion, which goes on while it is not empty — unless
 * the iteration converged or the criterion it stands for is empty.
 */
function checkConvergence(header: TaskHeader, plan: PhysicalPlan, userObjects: ReadonlyMap<string, unknown>, types: TypeRegistry): void {
  const spec = plan.iterations[header.convergence!]!;
  const dir = header.spool;
  watchdog.postMessage(dir);
  try {
    const aggregates = new IterationAggregates(spec, userObjects);
    const slots = spec.kind === 'DELTA' || spec.terminationTask !== null ? 2 : 1;
    const input = new StreamedInput(slots, dir, nextBatch);
    // (Read in slot order: the streamed input spools what arrives for a slot not read yet.)
    input.channel(0, types).forEach((r) => aggregates.add([r as [string, unknown]]));
    let criterionHolds = true;
    if (slots === 2) {
      criterionHolds = false;
      input.channel(1, types).forEach(() => {
        criterionHolds = true;
      });
    }
    input.finish();
    const converged = aggregates.endSuperstep(header.superstep);
    // (Subtask 0 gets every record; Flink may run more instances of the check: PlanBinder.)
    if (header.subtask === 0 && criterionHolds && !converged) {
      const w = new RecordWriter(types);
      w.write(true);
      frame(OUT_BATCH, 0, 0, w.finish());
    }
    finished = true;
    frame(OUT_DONE, 0, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// tsx, when the job's modules (or tsflink's own) are TypeScript, was registered by the command
// that started this worker (flink-runner.ts).
hostShippedJob(config.plan, config.code, null).then(
  (host) => {
    serve(host).then(
      () => process.exit(0),
      (error: unknown) => fail(error),
    );
  },
  (e: unknown) => fail(e),
);
