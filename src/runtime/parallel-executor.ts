/**
 * The multi-core engine: runs a job's tasks in topological order, each task's subtasks in
 * parallel on a pool of worker threads that re-run the user's script in operator mode. Records
 * move between tasks as binary batches through the coordinator's exchange store (which spills
 * beyond the memory budget); sinks commit only when every task succeeded.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import type { JobOutcome, JobResources } from '../runners/runner.ts';
import { RecordReader } from '../serde/record-reader.ts';
import { JobSinks } from './job-sinks.ts';
import { checkBeforeRunning } from './preflight.ts';
import { runAttempts } from './retries.ts';
import { runSchedule, stepsOf } from './schedule.ts';
import { AccumulatorMerger } from './worker/accumulator-codec.ts';
import { ExchangeStore } from './worker/exchange-store.ts';
import { planFingerprint } from './worker/fingerprint.ts';
import type { BatchSource, FromWorker, OutputSpec, RunSubtask, WorkerInit } from './worker/protocol.ts';
import { type SpawnedWorkers, type SubtaskRun, WorkerPool } from './worker/worker-pool.ts';

export interface WorkerLaunch {
  readonly script: string;
  readonly argv: readonly string[];
  readonly replay: readonly (Uint8Array | null)[];
  readonly tsxApi: string | null;
  readonly threads: number;
}

interface ExchangeSpec {
  readonly id: number;
  readonly from: number;
  readonly to: number;
  readonly input: number | string; // input index or broadcast name
  readonly output: OutputSpec;
}

export async function executeOnWorkers(plan: PhysicalPlan, resources: JobResources, launch: WorkerLaunch, early: SpawnedWorkers | null = null): Promise<JobOutcome> {
  try {
    checkBeforeRunning(plan);
  } catch (e) {
    if (early !== null) WorkerPool.discard(early);
    throw e;
  }
  const init: WorkerInit = {
    script: launch.script,
    argv: launch.argv,
    submission: resources.submission,
    replay: launch.replay,
    fingerprint: planFingerprint(plan),
    tsxApi: launch.tsxApi,
  };
  // The first pool starts outside the attempts: a worker that cannot rebuild the plan is a
  // WorkerFallback for the runner, not a failed attempt. Workers started early for this very
  // job (same script, arguments, submission and count) are used when there are any.
  const fits = early !== null && early.slots.length === launch.threads && early.init.submission === init.submission && early.init.script === init.script && early.init.tsxApi === init.tsxApi && JSON.stringify(early.init.argv) === JSON.stringify(init.argv);
  if (early !== null && !fits) WorkerPool.discard(early);
  let pool: WorkerPool | null = fits ? await WorkerPool.adopt(early, init.fingerprint) : await WorkerPool.start(launch.threads, init);
  return runAttempts(plan, resources, async () => {
    // A failed attempt may leave a worker in any state: every attempt gets fresh threads.
    const threads: WorkerPool = pool ?? (await WorkerPool.start(launch.threads, init));
    pool = null;
    try {
      return await runAttempt(plan, resources, threads);
    } finally {
      await threads.terminate();
    }
  });
}

function exchangeSpecs(plan: PhysicalPlan): ExchangeSpec[] {
  const specs: ExchangeSpec[] = [];
  for (const t of plan.tasks) {
    t.inputs.forEach((input, i) => {
      const id = specs.length;
      specs.push({ id, from: input.fromTask, to: t.id, input: i, output: { exchange: id, ship: input.ship, keys: input.keys, consumers: t.parallelism, keyOwner: t.operators[0]!.node.name } });
    });
    for (const b of t.broadcastInputs) {
      const id = specs.length;
      specs.push({ id, from: b.fromTask, to: t.id, input: b.name, output: { exchange: id, ship: 'BROADCAST', consumers: t.parallelism, keyOwner: t.operators[0]!.node.name } });
    }
  }
  return specs;
}

async function runAttempt(plan: PhysicalPlan, resources: JobResources, pool: WorkerPool): Promise<Omit<JobOutcome, 'netRuntimeMs'>> {
  const jobId = randomBytes(6).toString('hex');
  const sinks = new JobSinks(plan, jobId);
  // One temp directory for the attempt, removed here even when a worker died mid-spill.
  const tmpDir = mkdtempSync(join(resources.tmpDir, 'tsflink-job-'));
  // Half the budget for batches in flight between tasks, half for the operators of the running subtasks.
  const store = new ExchangeStore(resources.memoryBytes / 2, tmpDir);
  const operatorMemoryBytes = Math.floor(resources.memoryBytes / 2 / pool.size);
  const accumulators = new AccumulatorMerger();
  const specs = exchangeSpecs(plan);
  let runId = 0;
  // A step's task reads what comes from outside the step again every superstep: those batches stay.
  const stepOf = stepsOf(plan);
  const rereads = (x: ExchangeSpec): boolean => stepOf.has(x.to) && stepOf.get(x.to) !== stepOf.get(x.from);
  const runTask = async (task: PhysicalPlan['tasks'][number], superstep: number): Promise<void> => {
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
      };
      const subtask = s;
      runs.push({
        message,
        transfer,
        describe: `'${task.name}' (subtask ${s + 1} of ${task.parallelism})`,
        onMessage: (m: FromWorker) => {
          if (m.type === 'batch') store.add(m.exchange, m.target, m.bytes);
          else if (m.type === 'result') sinks.addResult(m.resultId, subtask, m.bytes ? new RecordReader(resources.types).readAll(m.bytes) : m.count);
          else if (m.type === 'printed') sinks.addPrinted(m.toError, subtask, [...m.lines]);
          else if (m.type === 'done') accumulators.add(m.accumulators, resources.types);
        },
      });
    }
    await pool.runAll(runs);
  };
  const specOf = (task: PhysicalPlan['tasks'][number], input: number | string): ExchangeSpec => specs.find((x) => x.to === task.id && x.input === input)!;
  try {
    await runSchedule(plan, {
      run: runTask,
      release: (task, input) => store.release(specOf(task, input.kind === 'input' ? input.index : input.name).id),
      isEmpty: (task, input) => store.isEmpty(specOf(task, input).id),
    });
    sinks.commit();
  } catch (error) {
    sinks.abort();
    throw error;
  } finally {
    if (store.spilledBytes > 0 && process.env.TSFLINK_VERBOSE === '1') {
      resources.stderr(`tsflink: spilled ${(store.spilledBytes / 1048576).toFixed(1)} MiB of exchanged records to ${resources.tmpDir}\n`);
    }
    store.cleanup();
    rmSync(tmpDir, { recursive: true, force: true });
  }
  sinks.print(resources);
  const merged = accumulators.result();
  sinks.reportInvalidLines(merged, resources);
  return { accumulators: merged, results: sinks.results };
}
