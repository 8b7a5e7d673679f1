/**
 * Writes what Flink needs to run a physical plan: `flink-plan.json` for the JVM plan binder
 * (flink-runner/…/PlanBinder.java) and `worker.json` for the Node workers it starts.
 *
 * flink-plan.json's schema is plan-file.ts (FlinkPlanFile), mirrored by the binder's records
 * (flink-runner/…/PlanFile.java); the binder refuses another version, and
 * test/vectors/flink-plan.json, bound by the binder's own tests, holds both sides to the format.
 * An iteration becomes one Flink bulk iteration over the batches of all its heads (tagged with
 * the head's position): a head reads its own, what each head's feedback producer ships to it is
 * fed back, and the iteration ends after `maxIterations` supersteps or when the criterion's
 * exchange is empty (a delta iteration's criterion is its new workset). The result task reads
 * what was fed back to heads[0] in the last superstep. An iteration with `aggregators` carries
 * its step subtasks' aggregates through a Flink aggregator to the next superstep; one with a
 * `convergence` criterion also has a check task in its step that replaces the criterion
 * (docs/iteration-aggregators.md).
 * Tasks come in topological order. A task's `inputs` are its slots: its regular inputs in
 * order, then its broadcast sets; `output` is the producer's output index, the position of the
 * exchange among the producer's outputs.
 *
 * Keys are Flink's business (flink-operators.ts decides): a hash exchange outside iterations
 * carries one Flink record per tsflink record with its canonical key (serde/key-codec.ts;
 * `records: 'keyed'`), and Flink partitions it by tsflink's hash of that key; a rebalance
 * outside iterations carries records one by one too (`'single'`), which Flink rebalances. A
 * task whose first operator Flink has (`native`) gets its input from Flink's operator instead:
 * an inner or outer equi-join with the join hint tsflink's optimizer chose and a cross with the
 * side tsflink broadcasts (the worker applies the function to the pairs Flink formed),
 * `distinct` on keys, `first(n)` on groups, sorted ones included (the sort key travels
 * canonical too, descending fields inverted), and the groups of a group reduce
 * (`groupBy[.sortGroup]`: each group reaches the worker whole, as one record, and its function
 * runs on it). A broadcast set outside iterations is Flink's (`withBroadcastSet`;
 * `'broadcast'`): its producer sends each batch once. Other exchanges are batches (`'batches'`)
 * that the JVM routes to the consumer subtask tsflink's partitioner chose.
 */
import { exchangesOf, outputSpecOf } from '../../optimizer/exchanges.ts';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import type { JobSinks } from '../../runtime/job-sinks.ts';
import { checkedOnlyTasks } from '../../runtime/schedule.ts';
import type { ShipSpec } from './code-bundle.ts';
import { type NativeOperator, iterationTasks, keyedSpec, nativeHeadStrategy, nativeOperator } from './flink-operators.ts';
import { type ExchangeRef, FLINK_PLAN_VERSION, type FlinkIteration, type FlinkPlanFile, type FlinkPlanTask } from './plan-file.ts';
import type { FlinkOutputSpec, FlinkSlot, FlinkTaskConfig, FlinkWorkerConfig } from './worker-frames.ts';

// What exportFlinkPlan returns, for its callers.
export type { FlinkPlanFile, FlinkPlanTask } from './plan-file.ts';

interface Exchange {
  readonly from: number;
  readonly to: number;
  readonly slot: FlinkSlot;
  readonly output: FlinkOutputSpec;
}

function exchangesOfPlan(plan: PhysicalPlan): Exchange[] {
  return exchangesOf(plan).map((x) => ({ from: x.from, to: x.to, slot: x.slot, output: outputSpecOf(x) }));
}

export interface ExportOptions {
  readonly workerCommand: readonly string[];
  readonly workerEnv: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly retries: number;
  readonly sinks: JobSinks;
  readonly worker: Omit<FlinkWorkerConfig, 'tasks'>;
  readonly ship: ShipSpec | null;
}

export function exportFlinkPlan(plan: PhysicalPlan, options: ExportOptions): { planFile: FlinkPlanFile; workerConfig: FlinkWorkerConfig } {
  const inIteration = iterationTasks(plan);
  const natives = new Map<number, NativeOperator>();
  for (const t of plan.tasks) {
    // (A broadcast set from an iteration's result stays batches, which only a worker-run task reads.)
    if (inIteration.has(t.id) || [...t.inputs, ...t.broadcastInputs].some((i) => inIteration.has(i.fromTask))) continue;
    const n = nativeOperator(t);
    if (n) natives.set(t.id, n);
  }
  const exchanges = exchangesOfPlan(plan).map((x): Exchange => {
    if (inIteration.has(x.to) || inIteration.has(x.from)) return x;
    if (x.slot.kind === 'broadcast') return { ...x, output: { ...x.output, flinkBroadcast: true } };
    const consumer = plan.tasks.find((t) => t.id === x.to)!;
    const native = natives.get(x.to) ?? null;
    if (native === null && x.output.ship !== 'HASH' && x.output.ship !== 'REBALANCE') return x;
    return { ...x, output: { ...x.output, keyed: keyedSpec(consumer, x.slot.index, native) } };
  });
  const outputsOf = (task: number) => exchanges.filter((x) => x.from === task);
  // The exchange into input `index` of task `to`, as the producer's output.
  const into = (to: number, index: number): ExchangeRef => {
    const x = exchanges.find((e) => e.to === to && e.slot.kind === 'input' && e.slot.index === index)!;
    return { task: x.from, output: outputsOf(x.from).indexOf(x) };
  };
  const iterations: FlinkIteration[] = plan.iterations.map((it) => ({
    name: it.name,
    maxIterations: it.maxIterations,
    tasks: it.tasks,
    heads: it.heads.map((h) => ({ task: h, initial: into(h, 0), feedback: into(h, 1) })),
    criterion: it.kind === 'DELTA' ? into(it.heads[1]!, 1) : it.terminationTask === null ? null : into(it.terminationTask, 0),
    result: it.result,
    aggregators: it.aggregators.length > 0,
    convergence: it.convergence !== null,
  }));
  const checkedOnly = checkedOnlyTasks(plan);
  const tasks: FlinkPlanTask[] = [];
  const taskConfigs: Record<string, FlinkTaskConfig> = {};
  for (const task of plan.tasks) {
    if (checkedOnly.has(task.id)) continue; // a termination criterion is only looked at
    const incoming = exchanges.filter((x) => x.to === task.id);
    // Regular inputs first (by index), then broadcast sets: the order of exchangesOf.
    tasks.push({
      id: task.id,
      name: task.name,
      parallelism: task.parallelism,
      side: task.operators.some((o) => o.node.params.kind === 'CollectSink' || o.node.params.kind === 'PrintSink'),
      inputs: incoming.map((x) => ({
        task: x.from,
        output: outputsOf(x.from).indexOf(x),
        records: x.output.flinkBroadcast ? 'broadcast' : x.output.keyed === undefined ? 'batches' : x.output.keyed.keys === null ? 'single' : 'keyed',
      })),
      native: natives.get(task.id) ?? null,
    });
    taskConfigs[String(task.id)] = {
      slots: incoming.map((x) => x.slot),
      outputs: outputsOf(task.id).map((x) => x.output),
      sinkFiles: Array.from({ length: task.parallelism }, (_, s) => options.sinks.sinkFilesOf(task, s)),
      invalidLinesNames: options.sinks.invalidLinesNamesOf(task),
      nativeHead: natives.has(task.id) ? nativeHeadStrategy(natives.get(task.id)!) : null,
    };
  }
  return {
    planFile: {
      version: FLINK_PLAN_VERSION,
      jobName: plan.jobName,
      retries: options.retries,
      worker: { command: options.workerCommand, env: options.workerEnv, cwd: options.cwd },
      tasks,
      iterations,
      ship: options.ship,
    },
    workerConfig: { ...options.worker, tasks: taskConfigs },
  };
}
