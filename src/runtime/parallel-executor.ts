/**
 * The multi-core engine: runs a job's tasks in topological order, each task's subtasks in
 * parallel on threads of the process's warm worker pool, which rebuild the job's functions from
 * the code the client shipped (serde/closures). A task with an operator marked `runInClient()`
 * runs its subtasks in this thread instead, with the client's own functions. Records move
 * between tasks as binary batches through the coordinator's exchange store (which spills beyond
 * the memory budget); sinks commit only when every task succeeded.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PhysicalPlan, Task } from '../optimizer/physical-plan.ts';
import type { JobOutcome, JobResources } from '../job/contract.ts';
import { exchangesOf, outputSpecOf } from '../optimizer/exchanges.ts';
import type { ShippedCode } from '../serde/closures/index.ts';
import { RecordReader } from '../serde/record-reader.ts';
import { staleName } from '../io/stale-files.ts';
import { cancelAfterSigint, InterruptedBySigint, jobStarted, runInterruptibly, SectionTimedOut } from './job-endings.ts';
import { settleWithin, timeoutOf } from './task-timeout.ts';
import { isAsyncTask } from './task-runner.ts';
import { JobSinks, sweepBeforeJob } from './job-sinks.ts';
import { spillStatistics } from './spill/spill-runs.ts';
import { checkBeforeRunning } from './preflight.ts';
import { runAttempts } from './retries.ts';
import { runSchedule, stepsOf } from './schedule.ts';
import { reportSourceTotals } from './source-totals.ts';
import { decodeAggregates, encodeAggregates, JobAggregates } from './iteration-aggregates.ts';
import { AccumulatorMerger, type ClassOfNode } from './worker/accumulator-codec.ts';
import { shippedClass } from '../serde/closures/index.ts';
import { describeExchange, ExchangeStore } from './worker/exchange-store.ts';
import type { BatchSource, FromWorker, OutputSpec, RunSubtask, StartJob, TsxApis } from './worker/protocol.ts';
import { rebuildError } from './worker/remote-error.ts';
import { runRemoteSubtask, type SubtaskJob } from './worker/remote-subtask.ts';
import { type SubtaskRun, type WorkerLease, workerPool } from './worker/worker-pool.ts';

export interface WorkerJob {
  /** The job's user code, packed for the workers (tasks that run in the client are left out). */
  readonly code: ShippedCode;
  readonly tsx: TsxApis | null;
  readonly threads: number;
}

interface ExchangeSpec {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly input: number | string; // input index or broadcast name
  readonly output: OutputSpec;
}

export async function executeOnWorkers(plan: PhysicalPlan, resources: JobResources, job: WorkerJob): Promise<JobOutcome> {
  checkBeforeRunning(plan);
  const pool = workerPool();
  const jobId = randomBytes(6).toString('hex');
  const start: StartJob = { type: 'job', jobId, plan, code: job.code, tsx: job.tsx };
  const leaseAndStart = async (): Promise<WorkerLease> => {
    const lease = await pool.lease(job.threads, jobId, resources.workerHeapMb ?? null);
    try {
      await lease.start(start);
    } catch (e) {
      lease.release(false);
      throw e;
    }
    return lease;
  };
  // The first threads rebuild the job outside the attempts: code that cannot be rebuilt is the
  // job's error, not a failed attempt to retry.
  let first: WorkerLease | null = await leaseAndStart();
  sweepBeforeJob(plan, resources);
  reportSourceTotals(plan, resources.monitor);
  return runAttempts(plan, resources, async (attempt) => {
    // A failed attempt may leave a thread in any state: its threads are replaced (runAttempt
    // waits until they have stopped), and the next attempt rebuilds the job on fresh ones.
    let lease: WorkerLease;
    try {
      lease = first ?? (await leaseAndStart());
    } finally {
      first = null;
    }
    return runAttempt(plan, resources, lease, jobId, attempt, (node) => shippedClass(job.code, node));
  });
}

function exchangeSpecs(plan: PhysicalPlan): ExchangeSpec[] {
  return exchangesOf(plan).map((x) => ({ id: x.id, from: x.from, to: x.to, input: x.slot.kind === 'input' ? x.slot.index : x.slot.name, output: outputSpecOf(x) }));
}

/**
 * One attempt. Everything it creates (the sinks' staging, its folder in io.tmp.dirs, spill files)
 * is created inside the try whose end removes it; on failure the lease's threads are stopped and
 * awaited before anything is removed, so that no thread writes a staging file after the abort.
 */
async function runAttempt(plan: PhysicalPlan, resources: JobResources, lease: WorkerLease, jobId: string, attempt: number, classOfNode: ClassOfNode): Promise<Omit<JobOutcome, 'netRuntimeMs'>> {
  let sinks: JobSinks | null = null;
  let tmpDir: string | null = null;
  let store: ExchangeStore | null = null;
  let released: Promise<void> | null = null;
  let committed = false;
  const release = (clean: boolean): Promise<void> => (released ??= lease.release(clean));
  const cleanup = (): void => {
    sinks?.abort();
    store?.cleanup();
    if (tmpDir !== null) rmSync(tmpDir, { recursive: true, force: true });
  };
  // Signals and process.exit() while the attempt runs stop its threads and remove its files (job-endings.ts).
  const ended = jobStarted({
    name: plan.jobName,
    stop: () => release(false),
    cleanup: () => {
      try {
        cleanup();
      } catch {
        // best effort: the next run's sweep removes what is left
      }
      return !committed;
    },
  });
  try {
    sinks = new JobSinks(plan, randomBytes(6).toString('hex'), resources.tmpDir);
    // One temp directory for the attempt, removed here even when a worker died mid-spill.
    tmpDir = mkdtempSync(join(resources.tmpDir, staleName('job')));
    // Half the budget for batches in flight between tasks, half for the operators of the running subtasks.
    const specs = exchangeSpecs(plan);
    const taskOf = (id: number): Task => plan.tasks.find((t) => t.id === id)!;
    store = new ExchangeStore(resources.memoryBytes / 2, tmpDir, (x) => describeExchange(taskOf(specs[x]!.from), taskOf(specs[x]!.to)));
    return await runPrepared(plan, resources, lease, jobId, attempt, sinks, tmpDir, store, classOfNode, () => {
      committed = true;
    });
  } catch (error) {
    await release(false);
    if (error instanceof InterruptedBySigint) {
      // (a task run in this thread was interrupted; the threads are stopped, the files go)
      cleanup();
      cancelAfterSigint();
      return new Promise<never>(() => {}); // the process exits once the cancel has cleaned up
    }
    throw error;
  } finally {
    await release(true);
    if (store !== null && store.spilledBytes > 0 && process.env.TSFLINK_VERBOSE === '1') {
      resources.stderr(`tsflink: spilled ${(store.spilledBytes / 1048576).toFixed(1)} MiB of exchanged records to ${resources.tmpDir}\n`);
    }
    cleanup();
    ended();
  }
}

async function runPrepared(
  plan: PhysicalPlan,
  resources: JobResources,
  lease: WorkerLease,
  jobId: string,
  attempt: number,
  sinks: JobSinks,
  tmpDir: string,
  store: ExchangeStore,
  classOfNode: ClassOfNode,
  onCommit: () => void,
): Promise<Omit<JobOutcome, 'netRuntimeMs'>> {
  const operatorMemoryBytes = Math.floor(resources.memoryBytes / 2 / lease.size);
  const accumulators = new AccumulatorMerger();
  const specs = exchangeSpecs(plan);
  let runId = 0;
  // A step's task reads what comes from outside the step again every superstep: those batches stay.
  const stepOf = stepsOf(plan);
  const rereads = (x: ExchangeSpec): boolean => stepOf.has(x.to) && stepOf.get(x.to) !== stepOf.get(x.from);
  const inClient = new Set(plan.tasks.filter(runsInClient).map((t) => t.id));
  const aggregates = new JobAggregates(plan, resources.userObjects);
  const monitor = resources.monitor;
  const runTask = async (task: PhysicalPlan['tasks'][number], superstep: number): Promise<void> => {
    const iteration = aggregates.ofTask(task.id);
    const previous = iteration?.previousValues() ?? null;
    const previousAggregates = previous === null ? null : encodeAggregates(previous, resources.types, task.name);
    const inputs = specs.filter((x) => x.to === task.id && typeof x.input === 'number');
    const broadcasts = specs.filter((x) => x.to === task.id && typeof x.input === 'string');
    const outputs = specs.filter((x) => x.from === task.id).map((x) => x.output);
    const runs: SubtaskRun[] = [];
    for (let s = 0; s < task.parallelism; s++) {
      const transfer: ArrayBuffer[] = [];
      const take = (x: ExchangeSpec): BatchSource[] => {
        const t = store.take(x.id, s, rereads(x));
        transfer.push(...t.transfer);
        return t.sources;
      };
      const message: RunSubtask = {
        type: 'run',
        jobId,
        runId: runId++,
        task: task.id,
        subtask: s,
        inputs: inputs.map(take),
        broadcast: broadcasts.map((x) => [x.input as string, take(x)] as const),
        outputs,
        sinkFiles: sinks.sinkFilesOf(task, s),
        invalidLinesNames: sinks.invalidLinesNamesOf(task),
        objectReuse: resources.objectReuse,
        operatorMemoryBytes,
        tmpDir,
        superstep,
        ...(iteration === null ? {} : { previousAggregates }),
        attempt,
        measure: monitor !== undefined,
      };
      const subtask = s;
      runs.push({
        message,
        transfer,
        describe: `'${task.name}' (subtask ${s + 1} of ${task.parallelism})`,
        operator: task.name,
        ...(monitor === undefined ? {} : { onStart: () => monitor.subtaskStarted(task.id, subtask, attempt) }),
        onMessage: (m: FromWorker) => {
          if (m.type === 'batch') {
            const spilled = store.spilledBytes;
            store.add(m.exchange, m.target, m.bytes);
            // What the store spilled of a batch is its producer's (a run in this thread counted it itself).
            if (monitor !== undefined && store.spilledBytes > spilled && !inClient.has(task.id)) monitor.add(task.id, subtask, { spilledBytes: store.spilledBytes - spilled });
          } else if (m.type === 'figures') monitor?.add(task.id, subtask, m.delta);
          else if (m.type === 'failed') {
            if (m.figures !== undefined) monitor?.add(task.id, subtask, m.figures.delta);
            monitor?.subtaskEnded(task.id, subtask, false, m.figures?.cpuMs ?? 0, m.error.message);
          } else if (m.type === 'result') sinks.addResult(m.resultId, subtask, m.bytes ? new RecordReader(resources.types).readAll(m.bytes) : m.count);
          else if (m.type === 'printed') sinks.addPrinted(m.toError, subtask, [...m.lines]);
          else if (m.type === 'done') {
            if (m.figures !== undefined) {
              monitor?.add(task.id, subtask, m.figures.delta);
              monitor?.subtaskEnded(task.id, subtask, true, m.figures.cpuMs);
            }
            accumulators.add(m.accumulators, resources.types, classOfNode);
            if (m.aggregates !== undefined) iteration?.add(decodeAggregates(m.aggregates, resources.types));
            // What a worker thread spilled counts in this process's statistics (a run in this thread counted itself).
            if (!inClient.has(task.id)) {
              spillStatistics.runs += m.spilled.runs;
              spillStatistics.bytes += m.spilled.bytes;
            }
          }
        },
      });
    }
    if (inClient.has(task.id)) {
      const job = { plan, userObjects: resources.userObjects, types: resources.types };
      if (isAsyncTask(task)) await runAsyncInThisThread(runs, job, resources.taskTimeoutMs ?? null);
      else runInThisThread(runs, job, resources.taskTimeoutMs ?? null);
    } else await lease.runAll(runs, resources.taskTimeoutMs ?? null);
  };
  const specOf = (task: PhysicalPlan['tasks'][number], input: number | string): ExchangeSpec => specs.find((x) => x.to === task.id && x.input === input)!;
  await runSchedule(plan, {
    run: runTask,
    release: (task, input) => store.release(specOf(task, input.kind === 'input' ? input.index : input.name).id),
    isEmpty: (task, input) => store.isEmpty(specOf(task, input).id),
    endSuperstep: (it, superstep) => aggregates.endSuperstep(it, superstep),
  });
  onCommit();
  sinks.commit();
  sinks.print(resources);
  const merged = accumulators.result();
  sinks.reportInvalidLines(merged, resources);
  return { accumulators: merged, results: sinks.results };
}

/** True when one of the task's operators was marked `runInClient()`. */
export function runsInClient(task: Task): boolean {
  return task.operators.some((op) => op.node.runInClient === true);
}

/** The same for an async operator's task: awaited, outside a vm section (task.timeout is a timer). */
async function runAsyncInThisThread(runs: readonly SubtaskRun[], job: SubtaskJob, timeoutMs: number | null): Promise<void> {
  for (const run of runs) {
    let failure: Error | null = null;
    const post = (m: FromWorker): void => {
      if (m.type === 'failed') failure = rebuildError(m.error);
      run.onMessage(m);
    };
    run.onStart?.();
    await settleWithin(Promise.resolve(runRemoteSubtask(run.message, job, { post, postBatch: post })), timeoutMs, () => timeoutOf(run.describe, run.operator ?? run.describe, timeoutMs!));
    if (failure !== null) throw failure;
  }
}

/**
 * Runs a task's subtasks one after another in this thread, through the same messages a worker
 * sends (no back-pressure wait: the coordinator takes each batch at once).
 */
function runInThisThread(runs: readonly SubtaskRun[], job: SubtaskJob, timeoutMs: number | null): void {
  for (const run of runs) {
    let failure: Error | null = null;
    const post = (m: FromWorker): void => {
      if (m.type === 'failed') failure = rebuildError(m.error);
      run.onMessage(m);
    };
    run.onStart?.();
    try {
      runInterruptibly(() => runRemoteSubtask(run.message, job, { post, postBatch: post }), timeoutMs);
    } catch (e) {
      if (e instanceof SectionTimedOut) throw timeoutOf(run.describe, run.operator ?? run.describe, timeoutMs!);
      throw e;
    }
    if (failure !== null) throw failure;
  }
}
