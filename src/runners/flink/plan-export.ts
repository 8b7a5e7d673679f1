/**
 * Writes what Flink needs to run a physical plan: `flink-plan.json` for the JVM plan binder
 * (flink-runner/…/PlanBinder.java) and `worker.json` for the Node workers it starts.
 *
 * flink-plan.json (version 1):
 * ```
 * { "version": 1, "jobName": "...", "retries": 0,
 *   "worker": { "command": ["node", ...], "env": { "TSFLINK_WORKER_CONFIG": "/…/worker.json", ... }, "cwd": "/…" },
 *   "tasks": [ { "id": 0, "name": "...", "parallelism": 2,
 *                "inputs": [ { "task": 0, "output": 0 } ] } ] }
 * ```
 * Tasks come in topological order. A task's `inputs` are its slots: its regular inputs in
 * order, then its broadcast sets; `output` is the producer's output index, the position of the
 * exchange among the producer's outputs. The JVM only routes batches: which records go to which
 * consumer subtask, and everything about keys, is decided by tsflink's partitioner in the worker.
 */
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import type { JobSinks } from '../../runtime/job-sinks.ts';
import type { OutputSpec } from '../../runtime/worker/protocol.ts';
import type { FlinkSlot, FlinkTaskConfig, FlinkWorkerConfig } from './worker-frames.ts';

export interface FlinkPlanTask {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly inputs: readonly { readonly task: number; readonly output: number }[];
}

export interface FlinkPlanFile {
  readonly version: 1;
  readonly jobName: string;
  readonly retries: number;
  readonly worker: { readonly command: readonly string[]; readonly env: Readonly<Record<string, string>>; readonly cwd: string };
  readonly tasks: readonly FlinkPlanTask[];
}

interface Exchange {
  readonly from: number;
  readonly to: number;
  readonly slot: FlinkSlot;
  readonly output: OutputSpec;
}

function exchangesOf(plan: PhysicalPlan): Exchange[] {
  const list: Exchange[] = [];
  for (const t of plan.tasks) {
    const keyOwner = t.operators[0]!.node.name;
    t.inputs.forEach((input, i) => {
      list.push({ from: input.fromTask, to: t.id, slot: { kind: 'input', index: i }, output: { exchange: list.length, ship: input.ship, keys: input.keys, consumers: t.parallelism, keyOwner } });
    });
    for (const b of t.broadcastInputs) {
      list.push({ from: b.fromTask, to: t.id, slot: { kind: 'broadcast', name: b.name }, output: { exchange: list.length, ship: 'BROADCAST', consumers: t.parallelism, keyOwner } });
    }
  }
  return list;
}

export interface ExportOptions {
  readonly workerCommand: readonly string[];
  readonly workerEnv: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly retries: number;
  readonly sinks: JobSinks;
  readonly worker: Omit<FlinkWorkerConfig, 'tasks'>;
}

export function exportFlinkPlan(plan: PhysicalPlan, options: ExportOptions): { planFile: FlinkPlanFile; workerConfig: FlinkWorkerConfig } {
  const exchanges = exchangesOf(plan);
  const outputsOf = (task: number) => exchanges.filter((x) => x.from === task);
  const tasks: FlinkPlanTask[] = [];
  const taskConfigs: Record<string, FlinkTaskConfig> = {};
  for (const task of plan.tasks) {
    const incoming = exchanges.filter((x) => x.to === task.id);
    // Regular inputs first (by index), then broadcast sets: the order of exchangesOf.
    tasks.push({
      id: task.id,
      name: task.name,
      parallelism: task.parallelism,
      inputs: incoming.map((x) => ({ task: x.from, output: outputsOf(x.from).indexOf(x) })),
    });
    taskConfigs[String(task.id)] = {
      slots: incoming.map((x) => x.slot),
      outputs: outputsOf(task.id).map((x) => x.output),
      sinkFiles: Array.from({ length: task.parallelism }, (_, s) => options.sinks.sinkFilesOf(task, s)),
      invalidLinesNames: options.sinks.invalidLinesNamesOf(task),
    };
  }
  return {
    planFile: {
      version: 1,
      jobName: plan.jobName,
      retries: options.retries,
      worker: { command: options.workerCommand, env: options.workerEnv, cwd: options.cwd },
      tasks,
    },
    workerConfig: { ...options.worker, tasks: taskConfigs },
  };
}
