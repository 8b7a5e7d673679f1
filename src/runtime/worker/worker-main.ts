/**
 * A worker thread of the embedded engine. It re-runs the user's script in operator mode (as
 * the original Python API did): the script builds its environments and plans again, earlier
 * job submissions are answered from the coordinator's replay, and at the submission being run
 * the worker keeps the plan and its functions (checked by fingerprint) and stops the script
 * there. Then it runs the subtasks the coordinator sends, over binary exchanges.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import type { JobOutcome, JobResources } from '../../runners/runner.ts';
import { installJobHook } from '../../runners/submissions.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';
import { DISCARD, FanOut } from '../exchange.ts';
import type { JobServices } from '../job-services.ts';
import { createPartitioner } from '../partitioner.ts';
import type { RuntimeAccumulator } from '../runtime-context.ts';
import { runSubtask } from '../task-runner.ts';
import { encodeAccumulators } from './accumulator-codec.ts';
import { BatchInputChannel, BinaryExchangeWriter } from './binary-exchange.ts';
import { planFingerprint } from './fingerprint.ts';
import { decodeOutcome } from './outcome-codec.ts';
import type { FromWorker, RunSubtask, ToWorker, WorkerInit } from './protocol.ts';
import { describeError } from './remote-error.ts';
import { RecordWriter } from '../../serde/record-writer.ts';

interface CapturedJob {
  readonly plan: PhysicalPlan;
  readonly userObjects: ReadonlyMap<string, unknown>;
  readonly types: TypeRegistry;
}

const port = parentPort!;
const init = workerData as WorkerInit;
let job: CapturedJob | null = null;
let reported = false;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Batches this worker may have in flight before it waits for the coordinator (16 × 256 KiB). */
const MAX_IN_FLIGHT = 16;
const inFlight = init.inFlight ? new Int32Array(init.inFlight) : null;

/** Ships a batch, first waiting while the coordinator has too many of ours to take (back-pressure). */
function postBatch(message: FromWorker & { type: 'batch' }): void {
  if (inFlight) {
    for (let n = Atomics.load(inFlight, 0); n >= MAX_IN_FLIGHT; n = Atomics.load(inFlight, 0)) Atomics.wait(inFlight, 0, n, 1000);
    Atomics.add(inFlight, 0, 1);
  }
  post(message, [message.bytes.buffer as ArrayBuffer]);
}

function mismatch(reason: string): void {
  if (reported) return;
  reported = true;
  post({ type: 'mismatch', reason });
}

/** The job this worker rebuilt, and the coordinator's fingerprint to check it against (either may come first). */
let rebuilt: CapturedJob | null = null;
let expectedFingerprint: string | null = init.fingerprint;

function check(): void {
  if (rebuilt === null || expectedFingerprint === null || reported) return;
  if (planFingerprint(rebuilt.plan) !== expectedFingerprint) {
    mismatch('the re-run script built a different plan (does plan-building code depend on time, randomness or the environment?)');
    return;
  }
  reported = true;
  job = rebuilt;
  unsilence();
  post({ type: 'ready' });
}

installJobHook({
  submit(request) {
    if (request.submission < init.submission) {
      const bytes = init.replay[request.submission];
      if (!bytes) return Promise.reject(new Error(`job submission ${request.submission} failed in the coordinator`));
      return Promise.resolve(decodeOutcome(bytes, request.types));
    }
    if (request.submission === init.submission && rebuilt === null) {
      rebuilt = { plan: request.plan, userObjects: request.userObjects, types: request.types };
      if (expectedFingerprint !== null) check();
    }
    // The script stops here in operator mode: the coordinator runs the job.
    return new Promise<JobOutcome>(() => {});
  },
});

/**
 * What the script prints while it is re-run belongs to the coordinator's run, which printed it
 * already: the worker keeps quiet until it has its job; user functions may print after that.
 */
const realWrites = { stdout: process.stdout.write, stderr: process.stderr.write };
function silence(): void {
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
}
function unsilence(): void {
  process.stdout.write = realWrites.stdout;
  process.stderr.write = realWrites.stderr;
}

async function loadScript(): Promise<void> {
  silence();
  process.argv = [...init.argv];
  if (init.tsxApi) {
    // tsflink's own modules first, while plain Node loads them: after tsx registers, every module
    // resolved and loaded goes through its hooks thread (measured: about 0.2 s for tsflink's).
    await import(new URL(`../../index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href);
    const tsx = (await import(init.tsxApi)) as { register(): void };
    tsx.register();
  }
  await import(pathToFileURL(init.script).href);
}

loadScript().then(
  () => {
    // Top-level code may end before its jobs are submitted (they run in callbacks); give it time.
    setTimeout(() => mismatch(`the script did not submit job ${init.submission + 1} when re-run`), 30_000).unref();
  },
  (e: unknown) => mismatch(`the script failed when re-run in a worker thread: ${e instanceof Error ? e.message : String(e)}`),
);

port.on('message', (message: ToWorker) => {
  if (message.type === 'shutdown') {
    port.close();
    process.exit(0);
  }
  if (message.type === 'fingerprint') {
    expectedFingerprint = message.fingerprint;
    check();
    return;
  }
  runRemoteSubtask(message);
});

function runRemoteSubtask(m: RunSubtask): void {
  const { plan, userObjects, types } = job!;
  const task = plan.tasks.find((t) => t.id === m.task)!;
  try {
    const resources: JobResources = {
      userObjects,
      types,
      objectReuse: m.objectReuse,
      retries: 0,
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      submission: init.submission,
      memoryBytes: m.operatorMemoryBytes * 2,
      operatorMemoryBytes: m.operatorMemoryBytes,
      tmpDir: m.tmpDir,
    };
    const writers = m.outputs.map(
      (o) =>
        new BinaryExchangeWriter(createPartitioner(o.ship, o.keys, m.subtask, o.consumers, userObjects, types, o.keyOwner), o.consumers, types, (target, bytes) =>
          postBatch({ type: 'batch', runId: m.runId, exchange: o.exchange, target, bytes }),
          task.name,
        ),
    );
    const output = writers.length === 0 ? DISCARD : writers.length === 1 ? writers[0]! : new FanOut(writers);
    const inputs = m.inputs.map((sources) => new BatchInputChannel(sources, types));
    const broadcast = new Map(m.broadcast.map(([name, sources]) => [name, new BatchInputChannel(sources, types).toArray()] as const));
    const services: JobServices = {
      sinkFile: (nodeId) => m.sinkFiles[nodeId]!,
      addResult: (resultId, _subtask, value) => {
        if (typeof value === 'number') {
          post({ type: 'result', runId: m.runId, resultId, bytes: null, count: value });
          return;
        }
        const w = new RecordWriter(types);
        for (const v of value) w.write(v);
        const bytes = w.finish();
        post({ type: 'result', runId: m.runId, resultId, bytes, count: value.length }, [bytes.buffer as ArrayBuffer]);
      },
      addPrinted: (toError, _subtask, lines) => post({ type: 'printed', runId: m.runId, toError, lines }),
      invalidLinesAccumulator: (nodeId) => m.invalidLinesNames[nodeId]!,
    };
    const accumulators = new Map<string, RuntimeAccumulator[]>();
    runSubtask(task, m.subtask, { inputs, broadcast, output }, resources, services, accumulators, m.superstep);
    const acc = encodeAccumulators(accumulators, types, task.name);
    post({ type: 'done', runId: m.runId, accumulators: acc }, [acc.buffer as ArrayBuffer]);
  } catch (error) {
    post({ type: 'failed', runId: m.runId, error: describeError(error) });
  }
}
