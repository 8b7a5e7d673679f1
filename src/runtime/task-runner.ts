/**
 * Runs one subtask of a task: builds its operator chain back to front (the last operator
 * writes into the task's exchanges), opens the user functions, pushes the inputs through the
 * driver, and closes everything.
 */
import type { Task } from '../optimizer/physical-plan.ts';
import type { JobResources } from '../job/contract.ts';
import type { Output } from './collector.ts';
import { armFaults, faultFromEnv } from './fault-injection.ts';
import type { InputChannel } from './input-channel.ts';
import type { SubtaskAggregators } from './iteration-aggregates.ts';
import type { JobServices } from './job-services.ts';
import { OperatorSetup } from './operator-setup.ts';
import { lateRecord } from './late-record.ts';
import { createOperatorOutput } from './operators/operator-factory.ts';
import { compiledPipeline } from './compiled/pipeline.ts';
import { isCompiled } from '../optimizer/compiled-pipelines.ts';
import type { RuntimeAccumulator } from './runtime-context.ts';
import { SubtaskContext } from './runtime-context.ts';
import type { BoundFunction } from './udf.ts';
import type { WrittenCount } from './operators/sink-outputs.ts';
import type { SubtaskMeter } from './subtask-meter.ts';
import { type DriverLoop, driverLoop, isDriver, type RunnerStrategy } from './strategies.ts';

export interface SubtaskIo {
  readonly inputs: readonly InputChannel[];
  readonly broadcast: ReadonlyMap<string, unknown[]>;
  readonly output: Output;
  /** Where a sink's records written go (the channels and exchange writers count the rest). */
  readonly meter?: SubtaskMeter | null;
}

/** Where in the job a subtask runs, and how its head runs (all optional: outside an iteration, first attempt, the head's own strategy). */
export interface SubtaskOptions {
  /** The iteration's superstep (1, 2, …) for a step's task; 0 elsewhere. */
  readonly superstep?: number;
  /** The job's attempt, 1-based (the embedded engine's retry; Flink's attemptNumber + 1): TSFLINK_FAULT selects by it. */
  readonly attempt?: number;
  /** A step's subtask of an iteration with aggregators: this superstep's (iteration-aggregates.ts). */
  readonly aggregators?: SubtaskAggregators | null;
  /** The head as the runner runs it, when the runner ran the task's first operator itself (the Flink runner's native operators). */
  readonly runnerHead?: RunnerStrategy | null;
}

export function runSubtask(
  task: Task,
  subtask: number,
  io: SubtaskIo,
  resources: JobResources,
  job: JobServices,
  accumulators: Map<string, RuntimeAccumulator[]>,
  options: SubtaskOptions = {},
): void | Promise<void> {
  const { superstep = 0, attempt = 1, aggregators = null, runnerHead = null } = options;
  const ctx = new SubtaskContext(task.name, subtask, task.parallelism, io.broadcast, accumulators, superstep, undefined, resources.cachedFiles, aggregators);
  const functions: BoundFunction<unknown>[] = [];
  const cleanups: (() => void)[] = [];
  const ops = task.operators;
  const head = ops[0]!;
  const driverIsOperator = runnerHead === null ? isDriver(head.strategy) : runnerHead.role === 'driver';
  const setupOf = (k: number) => new OperatorSetup(ops[k]!, subtask, task.parallelism, ctx, resources, job, k > 0, functions, cleanups, isCompiled(task.compiled, k));

  let out = io.output;
  let sink: WrittenCount | null = null;
  for (let k = ops.length - 1; k >= (driverIsOperator ? 1 : 0); k--) {
    // A compiled pipeline ending here: its operators after the head, as one generated Output.
    // Its head joins it unless the head is a driver (it feeds the run) or the runner runs the head itself.
    const headJoins = !driverIsOperator && runnerHead === null;
    const run = task.compiled?.find((r) => r.last === k && (headJoins ? r.first : Math.max(r.first, 1)) <= k);
    if (run !== undefined) {
      const from = headJoins ? run.first : Math.max(run.first, 1);
      let last = k;
      // A sink ends the run as its own (compiled) operator, fed by the generated Output of the rest.
      if (ops[k]!.strategy === 'SINK') {
        out = createOperatorOutput(setupOf(k), out);
        if (k === ops.length - 1) sink = out as unknown as WrittenCount;
        last = k - 1;
      }
      const setups: OperatorSetup[] = [];
      for (let j = from; j <= last; j++) setups.push(setupOf(j));
      if (setups.length > 0) out = compiledPipeline(setups, out);
      k = from;
      continue;
    }
    const first = functions.length;
    const hook = hasRichFunction(ops[k]!, resources) ? new CloseHook(out, ops[k]!.node.name) : null;
    out = k === 0 && runnerHead?.role === 'chained' ? runnerHead.create(setupOf(0), hook ?? out) : createOperatorOutput(setupOf(k), hook ?? out);
    if (hook !== null) hook.functions = functions.slice(first);
    if (k === ops.length - 1 && ops[k]!.strategy === 'SINK') sink = out as unknown as WrittenCount;
  }
  const first = functions.length;
  const hook = driverIsOperator && hasRichFunction(head, resources) ? new CloseHook(out, head.node.name) : null;
  if (hook !== null) out = hook;
  const driver = runnerHead?.role === 'driver' ? runnerHead.prepare(setupOf(0), head) : prepareDriver(driverIsOperator ? setupOf(0) : null, head);
  if (hook !== null) hook.functions = functions.slice(first);
  // Tests only (TSFLINK_FAULT): count what the driver pushes into the chain, and fail at the chosen record.
  const fault = armFaults(faultFromEnv(), task.name, subtask, attempt, { parallelism: task.parallelism, superstep });
  if (fault !== null) out = countingOutput(out, fault);

  const meter = io.meter ?? null;
  const closeAll = (): void => {
    for (let i = functions.length - 1; i >= 0; i--) functions[i]!.close();
    if (sink !== null && meter !== null) meter.recordsOut += sink.written;
  };
  // Spill files go whether the subtask succeeded or failed.
  const cleanUp = (): void => {
    for (const cleanup of cleanups) cleanup();
  };
  // Functions were bound back to front; open them front to back, as records will flow.
  // biome-ignore lint/complexity/noUselessUndefinedInitialization: read in finally, also when the driver threw
  let running: Promise<void> | void = undefined;
  try {
    for (let i = functions.length - 1; i >= 0; i--) functions[i]!.open();
    running = driver(io.inputs, out);
    // Only an async operator's driver returns a Promise: the subtask ends when it settles.
    if (running !== undefined) return running.then(closeAll).finally(cleanUp);
    closeAll();
  } finally {
    if (running === undefined) cleanUp();
  }
}

/** Whether a task's subtasks run asynchronously (runSubtask returns a Promise): its driver is an async operator. */
export function isAsyncTask(task: Task): boolean {
  const head = task.operators[0]!;
  // A Parquet source awaits its reader (hyparquet's API is asynchronous).
  return head.strategy === 'ASYNC' || (head.strategy === 'SOURCE' && head.node.params.kind === 'ParquetSource');
}

/** Whether an operator calls a rich function (an object with methods, whose close() may emit). */
function hasRichFunction(op: Task['operators'][number], resources: JobResources): boolean {
  for (const v of Object.values(op.node.params)) {
    if (typeof v !== 'string') continue;
    const o = resources.userObjects.get(v);
    if (typeof o === 'object' && o !== null && !Array.isArray(o)) return true;
  }
  return false;
}

/**
 * Sits after an operator with rich functions: when the operator has emitted its last record it
 * closes them, before anything after it closes — as Flink closes a chain front to back — so
 * that what a function emits from close() goes on like any other record (at every parallelism
 * and into every sink). A record emitted after that (from a timer, a promise) is an error.
 */
class CloseHook implements Output {
  functions: readonly BoundFunction<unknown>[] = [];
  private readonly next: Output;
  private readonly operator: string;
  private closed = false;
  constructor(next: Output, operator: string) {
    this.next = next;
    this.operator = operator;
  }
  collect(record: unknown): void {
    if (this.closed) throw lateRecord(this.operator);
    this.next.collect(record);
  }
  close(): void {
    for (let i = this.functions.length - 1; i >= 0; i--) this.functions[i]!.close();
    this.closed = true;
    this.next.close();
  }
}

function countingOutput(next: Output, fault: (recordsSoFar: number) => void): Output {
  let n = 0;
  return {
    collect(record) {
      fault(++n);
      next.collect(record);
    },
    close() {
      next.close();
    },
  };
}

function prepareDriver(setup: OperatorSetup | null, head: Task['operators'][number]): DriverLoop {
  if (setup !== null) return driverLoop(setup, head);
  // A chain head that is an ordinary operator: push every input's records into it.
  return (inputs, out) => {
    const push = (r: unknown): void => out.collect(r);
    for (const input of inputs) input.forEach(push);
    out.close();
  };
}
