/**
 * The multi-core engine: runs a job's tasks in topological order, each task's subtasks in
 * parallel on threads of the process's warm worker pool, which rebuild the job's functions from
 * the code the client shipped (serde/closures). A task with an operator marked `runInClient()`
 * runs its subtasks in this thread instead, with the client's own functions. Records move
 * between tasks as binary batches through the coordinator's exchange store (which spills beyond
 * the memory budget); sinks commit only when every task succeeded (job-endings.ts). A thread
 * runs a subtask with the task host (task-host.ts) over the worker protocol (worker/protocol.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PhysicalPlan, Task } from '../optimizer/physical-plan.ts';
import type { JobOutcome, JobResources } from '../job/contract.ts';
import { exchangesOf, type PlanExchange } from '../optimizer/exchanges.ts';
import type { ShippedCode } from '../serde/closures/index.ts';
import { RecordReader } from '../serde/record-reader.ts';
import { staleName } from '../io/stale-files.ts';
import { runInterruptibly, runWithSinks, SectionTimedOut } from './job-endings.ts';
import { settleWithin, timeoutOf } from './task-timeout.ts';
import { isAsyncTask } from './task-runner.ts';
import { type JobSinks, sweepBeforeJob } from './job-sinks.ts';
import { spillStatistics } from './spill/spill-runs.ts';
import { checkBeforeRunning } from './preflight.ts';
import { runAttempts } from './retries.ts';
import { type InputRef, runSchedule, stepsOf } from './schedule.ts';
import { reportSourceTotals } from './source-totals.ts';
import { decodeAggregates, encodeAggregates, JobAggregates } from './iteration-aggregates.ts';
import { AccumulatorMerger, type ClassOfNode } from './worker/accumulator-codec.ts';
import { shippedClass } from '../serde/closures/index.ts';
import { describeExchange, ExchangeStore } from './worker/exchange-store.ts';
import type { BatchSource, FromWorker, RunSubtask, StartJob, TsxApis } from './worker/protocol.ts';
import { rebuildError } from './worker/remote-error.ts';
import { runRemoteSubtask } from './worker/remote-subtask.ts';
import { TaskHost } from './task-host.ts';
import { type SubtaskRun, type WorkerLease, workerPool } from './worker/worker-pool.ts';

export interface WorkerJob {
  /** The job's user code, packed for the workers (tasks that run in the client are left out). */
  readonly code: ShippedCode;
  readonly tsx: TsxApis | null;
  readonly threads: number;
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

/**
 * One attempt. Everything it creates (its folder in io.tmp.dirs, spill files; the sinks' staging
 * is runWithSinks's) is created inside the try whose end removes it; on failure the lease's
 * threads are stopped and awaited before anything is removed, so that no thread writes a
 * staging file after the abort.
 */
async function runAttempt(plan: PhysicalPlan, resources: JobResources, lease: WorkerLease, jobId: string, attempt: number, classOfNode: ClassOfNode): Promise<Omit<JobOutcome, 'netRuntimeMs'>> {
  let tmpDir: string | null = null;
  let store: ExchangeStore | null = null;
  let released: Promise<void> | null = null;
  const release = (clean: boolean): Promise<void> => (released ??= lease.release(clean));
  const cleanup = (): void => {
    store?.cleanup();
    if (tmpDir !== null) rmSync(tmpDir, { recursive: true, force: true });
  };
  // A signal or process.exit() while the attempt runs stops its threads and removes its files too (job-endings.ts).
  const ending = { stop: () => release(false), cleanup };
  const attemptRun = runWithSinks(plan, resources, ending, async (sinks) => {
    try {
      // One temp directory for the attempt, removed here even when a worker died mid-spill.
      tmpDir = mkdtempSync(join(resources.tmpDir, staleName('job')));
      // Half the budget for batches in flight between tasks, half for the operators of the running subtasks.
      const exchanges = exchangesOf(plan);
      const taskOf = (id: number): Task => plan.tasks.find((t) => t.id === id)!;
      store = new ExchangeStore(resources.memoryBytes / 2, tmpDir, (x) => describeExchange(taskOf(exchanges[x]!.from), taskOf(exchanges[x]!.to)));
      return await runPrepared(plan, resources, lease, jobId, attempt, sinks, tmpDir, store, exchanges, classOfNode);
    } catch (error) {
      // (the threads stop before the sinks abort: runWithSinks aborts them when this throws)
      await release(false);
      throw error;
    } finally {
      await release(true);
      if (store !== null && store.spilledBytes > 0 && process.env.TSFLINK_VERBOSE === '1') {
        resources.stderr(`tsflink: spilled ${(store.spilledBytes / 1048576).toFixed(1)} MiB of exchanged records to ${resources.tmpDir}\n`);
      }
      cleanup();
    }
  });
  try {
    return await attemptRun;
  } finally {
    await release(false); // (when the sinks could not be prepared: the threads ran nothing)
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
  exchanges: readonly PlanExchange[],
  classOfNode: ClassOfNode,
): Promise<{ accumulators: Record<string, unknown> }> {
  const operatorMemoryBytes = Math.floor(resources.memoryBytes / 2 / lease.size);
  const accumulators = new AccumulatorMerger();
  let runId = 0;
  // A step's task reads what comes from outside the step again every superstep: those batches stay.
  const stepOf = stepsOf(plan);
  const rereads = (x: PlanExchange): boolean => stepOf.has(x.to) && stepOf.get(x.to) !== stepOf.get(x.from);
  const inClient = new Set(plan.tasks.filter(runsInClient).map((t) => t.id));
  // Tasks run in this thread are hosted with the client's own functions.
  let clientHost: TaskHost | null = null;
  const aggregates = new JobAggregates(plan, resources.userObjects);
  const monitor = resources.monitor;
  const runTask = async (task: PhysicalPlan['tasks'][number], superstep: number): Promise<void> => {
    const iteration = aggregates.ofTask(task.id);
    const previous = iteration?.previousValues() ?? null;
    const previousAggregates = previous === null ? null : encodeAggregates(previous, resources.types, task.name);
    const inputs = exchanges.filter((x) => x.to === task.id && x.slot.kind === 'input');
    const broadcasts = exchanges.flatMap((x) => (x.to === task.id && x.slot.kind === 'broadcast' ? [[x.slot.name, x] as const] : []));
    const runs: SubtaskRun[] = [];
    for (let s = 0; s < task.parallelism; s++) {
      const transfer: ArrayBuffer[] = [];
      const take = (x: PlanExchange): BatchSource[] => {
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
        broadcast: broadcasts.map(([name, x]) => [name, take(x)] as const),
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
      const host = (clientHost ??= new TaskHost(plan, { userObjects: resources.userObjects, types: resources.types }));
      if (isAsyncTask(task)) await runAsyncInThisThread(runs, host, resources.taskTimeoutMs ?? null);
      else runInThisThread(runs, host, resources.taskTimeoutMs ?? null);
    } else await lease.runAll(runs, resources.taskTimeoutMs ?? null);
  };
  const into = (task: Task, input: InputRef): PlanExchange =>
    exchanges.find((x) => x.to === task.id && (x.slot.kind === 'input' ? input.kind === 'input' && x.slot.index === input.index : input.kind === 'broadcast' && x.slot.name === input.name))!;
  await runSchedule(plan, {
    run: runTask,
    release: (task, input) => store.release(into(task, input).id),
    isEmpty: (task, input) => store.isEmpty(into(task, { kind: 'input', index: input }).id),
    endSuperstep: (it, superstep) => aggregates.endSuperstep(it, superstep),
  });
  return { accumulators: accumulators.result() };
}

/** True when one of the task's operators was marked `runInClient()`. */
export function runsInClient(task: Task): boolean {
  return task.operators.some((op) => op.node.runInClient === true);
}

/** The same for an async operator's task: awaited, outside a vm section (task.timeout is a timer). */
async function runAsyncInThisThread(runs: readonly SubtaskRun[], host: TaskHost, timeoutMs: number | null): Promise<void> {
  for (const run of runs) {
    let failure: Error | null = null;
    const post = (m: FromWorker): void => {
      if (m.type === 'failed') failure = rebuildError(m.error);
      run.onMessage(m);
    };
    run.onStart?.();
    await settleWithin(Promise.resolve(runRemoteSubtask(run.message, host, { post, postBatch: post })), timeoutMs, () => timeoutOf(run.describe, run.operator ?? run.describe, timeoutMs!));
    if (failure !== null) throw failure;
  }
}

/**
 * Runs a task's subtasks one after another in this thread, through the same messages a worker
 * sends (no back-pressure wait: the coordinator takes each batch at once).
 */
function runInThisThread(runs: readonly SubtaskRun[], host: TaskHost, timeoutMs: number | null): void {
  for (const run of runs) {
    let failure: Error | null = null;
    const post = (m: FromWorker): void => {
      if (m.type === 'failed') failure = rebuildError(m.error);
      run.onMessage(m);
    };
    run.onStart?.();
    try {
      runInterruptibly(() => runRemoteSubtask(run.message, host, { post, postBatch: post }), timeoutMs);
    } catch (e) {
      if (e instanceof SectionTimedOut) throw timeoutOf(run.describe, run.operator ?? run.describe, timeoutMs!);
      throw e;
    }
    if (failure !== null) throw failure;
  }
}
