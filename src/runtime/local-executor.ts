/**
 * The embedded engine's job loop: checks inputs and outputs before anything runs, runs every
 * task's subtasks in topological order over in-process exchanges, commits the file sinks only
 * when every task has succeeded (aborting them otherwise: job-endings.ts), and retries failed
 * attempts. Its subtasks run here with the job's own objects, not through the task host
 * (task-host.ts says why).
 */
import { exchangesOf } from '../optimizer/exchanges.ts';
import type { PhysicalPlan, Task } from '../optimizer/physical-plan.ts';
import type { JobOutcome, JobResources } from '../job/contract.ts';
import type { Output } from './collector.ts';
import { LocalExchange } from './exchange.ts';
import { describeExchange } from './worker/exchange-store.ts';
import { runInterruptibly, runWithSinks, SectionTimedOut } from './job-endings.ts';
import { settleWithin, taskTimeoutError } from './task-timeout.ts';
import { type JobSinks, sweepBeforeJob } from './job-sinks.ts';
import { combinedOutput } from './task-host.ts';
import { checkBeforeRunning } from './preflight.ts';
import { runAttempts } from './retries.ts';
import { mergeAccumulators, type RuntimeAccumulator } from './runtime-context.ts';
import { checkedOnlyTasks, runSchedule, stepsOf } from './schedule.ts';
import { JobAggregates, type SubtaskAggregators } from './iteration-aggregates.ts';
import { isAsyncTask, runSubtask } from './task-runner.ts';
import { copyRecord } from './copy.ts';
import type { InputChannel } from './input-channel.ts';
import type { InputRef } from './schedule.ts';
import { MemoryBudget } from './spill/memory-budget.ts';
import { reportSourceTotals } from './source-totals.ts';
import { SubtaskMeter } from './subtask-meter.ts';
import { readStatistics } from '../io/read-statistics.ts';
import type { JobMonitor } from '../metrics/job-figures.ts';

/**
 * The subtasks running in this thread now, innermost last. They run synchronously, so neither the
 * monitor's timer nor anything else of the event loop runs until they end: their figures reach
 * the monitor from inside them, as their sources read (at most every 250 ms, per chunk read).
 */
const inThread: { monitor: JobMonitor; taskId: number; subtask: number; meter: SubtaskMeter }[] = [];
let reportAt = 0;
readStatistics.onRead = () => {
  if (inThread.length === 0) return;
  const now = Date.now();
  if (now < reportAt) return;
  reportAt = now + 250;
  // Innermost first: a meter hands what it read to the one it runs inside when it is taken.
  for (let i = inThread.length - 1; i >= 0; i--) inThread[i]!.monitor.add(inThread[i]!.taskId, inThread[i]!.subtask, inThread[i]!.meter.take());
  for (const monitor of new Set(inThread.map((r) => r.monitor))) monitor.tick();
};

export function executeLocally(plan: PhysicalPlan, resources: JobResources): Promise<JobOutcome> {
  checkBeforeRunning(plan);
  sweepBeforeJob(plan, resources);
  reportSourceTotals(plan, resources.monitor);
  return runAttempts(plan, resources, (attempt) => runAttempt(plan, resources, attempt));
}

function runAttempt(plan: PhysicalPlan, resources: JobResources, attempt: number): Promise<Omit<JobOutcome, 'netRuntimeMs'>> {
  // The sinks commit when every task has run, and abort otherwise, or on a signal (job-endings.ts).
  return runWithSinks(plan, resources, {}, (services) => runTasks(plan, resources, attempt, services));
}

async function runTasks(plan: PhysicalPlan, resources: JobResources, attempt: number, services: JobSinks): Promise<{ accumulators: Record<string, unknown> }> {
  const accumulators = new Map<string, RuntimeAccumulator[]>();
  // Exchanges hold records in memory up to half the budget (the operators may hold the rest), then spill.
  const exchanges = createExchanges(plan, () => ({ budget: new MemoryBudget(resources.memoryBytes / 2), tmpDir: resources.tmpDir }));
  // A single-instance task feeding a single-instance consumer through its only exchange is not
  // run ahead of it: the consumer pulls the task's records straight through (pipelined), so they
  // are never all held (measured: a p=1 join otherwise kept its whole probe side in memory).
  const facts = iterationFacts(plan);
  const pipelined = new Set(plan.tasks.filter((t) => isPipelined(plan, facts, t, exchanges)).map((t) => t.id));
  const tasks = new Map(plan.tasks.map((t) => [t.id, t] as const));
  let superstep = 0;
  const aggregates = new JobAggregates(plan, resources.userObjects);
  // The subtask the schedule runs now, and whether a producer pipelined into it was running: a
  // timeout names them (a hang in the consumer's functions happens while the producer pushes).
  let current: { task: Task; subtask: number; pulling: Task | null } | null = null;
  const runTask = (task: Task, s: number, pulledBy: Output | null, meter: SubtaskMeter | null = resources.monitor === undefined ? null : new SubtaskMeter()): void | Promise<void> => {
    const outer = current;
    current = pulledBy !== null && outer !== null ? { ...outer, pulling: task } : { task, subtask: s, pulling: null };
    const { inputs, broadcasts, outputs } = exchanges.get(task.id)!;
    const monitor = resources.monitor;
    if (monitor !== undefined && meter !== null) {
      monitor.subtaskStarted(task.id, s, attempt);
      inThread.push({ monitor, taskId: task.id, subtask: s, meter: meter.start() });
    }
    let running: void | Promise<void>;
    let mine: SubtaskAggregators | null = null;
    const iteration = aggregates.ofTask(task.id);
    try {
      const writers = pulledBy ? [pulledBy] : outputs.map((x) => x.writer(s, resources.userObjects, resources.types, resources.objectReuse, x.keyOwner, meter));
      const output = combinedOutput(writers);
      const broadcast = new Map(broadcasts.map(([name, x]) => [name, x.reader(s, resources.types, meter).toArray()] as const));
      const channels = inputs.map((x) => (pipelined.has(x.input.fromTask) ? pull(tasks.get(x.input.fromTask)!, meter) : x.reader(s, resources.types, meter)));
      mine = iteration?.forSubtask() ?? null;
      running = runSubtask(task, s, { inputs: channels, broadcast, output, meter }, resources, services, accumulators, { superstep, attempt, aggregators: mine });
    } catch (e) {
      if (meter !== null) subtaskEnded(task, s, meter, e);
      throw e;
    }
    if (meter !== null) {
      if (running === undefined) subtaskEnded(task, s, meter, null);
      else
        running = running.then(
          () => subtaskEnded(task, s, meter, null),
          (e: unknown) => {
            subtaskEnded(task, s, meter, e);
            throw e;
          },
        );
    }
    // What the subtask aggregated counts once it has run (an async operator's: once it settles).
    if (mine !== null) {
      if (running !== undefined) {
        current = outer;
        return running.then(() => iteration!.add(mine.values()));
      }
      iteration!.add(mine.values());
    }
    current = outer;
    return running;
  };
  // An async operator's subtasks await between records, so they cannot run inside a synchronous
  // vm section: the event loop runs, signals reach their listeners, and task.timeout is a timer.
  const runAsyncTask = async (task: Task): Promise<void> => {
    for (let s = 0; s < task.parallelism; s++) {
      await settleWithin(runTask(task, s, null) as Promise<void>, resources.taskTimeoutMs ?? null, () => taskTimeoutError(task, s, resources.taskTimeoutMs!));
    }
  };
  // An error is reported once, by the innermost subtask it ended (a pipelined producer's fails its consumer too).
  const reported = new WeakSet<object>();
  const subtaskEnded = (task: Task, s: number, meter: SubtaskMeter, error: unknown): void => {
    const { delta, cpuMs } = meter.finish();
    const at = inThread.findIndex((r) => r.meter === meter);
    if (at >= 0) inThread.splice(at, 1);
    const monitor = resources.monitor!;
    monitor.add(task.id, s, delta);
    const own = error !== null && !(typeof error === 'object' && reported.has(error));
    if (own && typeof error === 'object') reported.add(error);
    monitor.subtaskEnded(task.id, s, error === null, cpuMs, own ? (error instanceof Error ? error.message : String(error)) : undefined);
  };
  const pull = (producer: Task, consumer: SubtaskMeter | null): InputChannel => {
    let pulled = false;
    const forEach = (onRecord: (r: unknown) => void): void => {
      if (pulled) throw new Error(`internal: pipelined input of '${producer.name}' read twice`);
      pulled = true;
      const copy = resources.objectReuse ? (r: unknown) => r : (r: unknown) => copyRecord(r, resources.types);
      // The records a pipelined producer pushes are counted in the call each makes anyway (no
      // batches here), straight into the meters, so that they show while the producer runs.
      if (consumer === null) runTask(producer, 0, { collect: (r) => onRecord(copy(r)), close() {} }, null);
      else {
        const meter = new SubtaskMeter();
        const collect = (r: unknown): void => {
          consumer.recordsIn++;
          meter.recordsOut++;
          onRecord(copy(r));
        };
        runTask(producer, 0, { collect, close() {} }, meter);
      }
    };
    return {
      forEach,
      toArray() {
        const out: unknown[] = [];
        forEach((r) => out.push(r));
        return out;
      },
      batches() {
        throw new Error(`internal: '${producer.name}' is pipelined into a task that pulls its input (see isPipelined)`);
      },
    };
  };
  try {
    const exchangeOf = (task: Task, input: InputRef): LocalExchange => {
      const x = exchanges.get(task.id)!;
      return input.kind === 'input' ? x.inputs[input.index]! : x.broadcasts.find(([name]) => name === input.name)![1];
    };
    await runSchedule(
      plan,
      {
        run(task, step) {
          superstep = step;
          if (isAsyncTask(task)) return runAsyncTask(task);
          try {
            runInterruptibly(() => {
              for (let s = 0; s < task.parallelism; s++) runTask(task, s, null);
            }, resources.taskTimeoutMs ?? null);
          } catch (e) {
            if (e instanceof SectionTimedOut && current !== null) throw taskTimeoutError(current.task, current.subtask, resources.taskTimeoutMs!, current.pulling);
            throw e;
          } finally {
            current = null;
          }
        },
        release: (task, input) => exchangeOf(task, input).release(),
        isEmpty: (task, input) => exchanges.get(task.id)!.inputs[input]!.isEmpty(),
        endSuperstep: (it, step) => aggregates.endSuperstep(it, step),
      },
      (task) => !pipelined.has(task.id),
    );
  } finally {
    for (const x of exchanges.values()) for (const e of [...x.inputs, ...x.broadcasts.map(([, b]) => b)]) e.release();
  }
  return { accumulators: mergeAccumulators(accumulators) };
}

/** What pipelining must not cross: which step each task is in, and tasks that never run themselves or are fed back. */
interface IterationFacts {
  readonly stepOf: ReadonlyMap<number, unknown>;
  readonly checkedOnly: ReadonlySet<number>;
  readonly heads: ReadonlySet<number>;
}

function iterationFacts(plan: PhysicalPlan): IterationFacts {
  return { stepOf: stepsOf(plan), checkedOnly: checkedOnlyTasks(plan), heads: new Set(plan.iterations.flatMap((it) => it.heads)) };
}

function isPipelined(plan: PhysicalPlan, facts: IterationFacts, task: Task, exchanges: Map<number, TaskExchanges>): boolean {
  const { outputs } = exchanges.get(task.id)!;
  if (task.parallelism !== 1 || outputs.length !== 1) return false;
  const out = outputs[0]!;
  // A custom partitioner is asked even for one partition (its answer may be an error, as at p > 1).
  if (out.consumers !== 1 || out.input.ship === 'BROADCAST' || out.input.ship === 'CUSTOM') return false;
  const consumer = [...exchanges].find(([, x]) => x.inputs.includes(out))?.[0];
  if (consumer === undefined) return false;
  // Not across an iteration's border (a step re-reads what comes from outside every superstep),
  // nor into a termination criterion (it never runs), nor into or out of a head (a head's input
  // 1 is written after the head has run, by what it feeds).
  if (facts.stepOf.get(consumer) !== facts.stepOf.get(task.id) || facts.checkedOnly.has(consumer)) return false;
  if (facts.heads.has(task.id) || facts.heads.has(consumer)) return false;
  // Nor into or out of an async operator: it pulls its input batch by batch between awaits (a
  // pipelined producer can only push), and it cannot run inside its consumer's synchronous loop.
  if (isAsyncTask(task) || isAsyncTask(plan.tasks.find((t) => t.id === consumer)!)) return false;
  // Only as a regular input (broadcast sets are read before the task runs).
  for (const x of exchanges.values()) if (x.broadcasts.some(([, b]) => b === out)) return false;
  return true;
}

interface TaskExchanges {
  inputs: LocalExchange[];
  broadcasts: [string, LocalExchange][];
  outputs: LocalExchange[];
}

function createExchanges(plan: PhysicalPlan, spill: () => { budget: MemoryBudget; tmpDir: string }): Map<number, TaskExchanges> {
  const described = (from: number, to: Task) => ({ ...spill(), describe: () => describeExchange(tasks.get(from)!, to) });
  const byTask = new Map<number, TaskExchanges>();
  const tasks = new Map<number, Task>(plan.tasks.map((t) => [t.id, t]));
  for (const t of plan.tasks) byTask.set(t.id, { inputs: [], broadcasts: [], outputs: [] });
  // In the plan's one exchange numbering (optimizer/exchanges.ts): a producer's outputs in that order.
  for (const x of exchangesOf(plan)) {
    const to = tasks.get(x.to)!;
    const exchange = new LocalExchange(x.input, tasks.get(x.from)!.parallelism, x.consumers, x.keyOwner, described(x.from, to));
    if (x.slot.kind === 'input') byTask.get(x.to)!.inputs.push(exchange);
    else byTask.get(x.to)!.broadcasts.push([x.slot.name, exchange]);
    byTask.get(x.from)!.outputs.push(exchange);
  }
  return byTask;
}
