/**
 * Runs one subtask of a task: builds its operator chain back to front (the last operator
 * writes into the task's exchanges), opens the user functions, pushes the inputs through the
 * driver, and closes everything.
 */
import type { Task } from '../optimizer/physical-plan.ts';
import type { JobResources } from '../runners/runner.ts';
import type { Output } from './collector.ts';
import { prepareCoGroup } from './drivers/co-group-driver.ts';
import { prepareCross } from './drivers/cross-driver.ts';
import { armFaults, faultFromEnv } from './fault-injection.ts';
import { prepareJoin } from './drivers/join-driver.ts';
import { preparePairedInput } from './drivers/paired-driver.ts';
import { prepareSolutionSetUpdate } from './drivers/solution-set-driver.ts';
import { runSource } from './drivers/source-driver.ts';
import type { InputChannel } from './input-channel.ts';
import type { JobServices } from './job-services.ts';
import { OperatorSetup } from './operator-setup.ts';
import { createOperatorOutput } from './operators/operator-factory.ts';
import type { RuntimeAccumulator } from './runtime-context.ts';
import { SubtaskContext } from './runtime-context.ts';
import type { BoundFunction } from './udf.ts';

/** Strategies whose operator is the task's driver rather than a link of the chain. */
const DRIVERS = new Set(['SOURCE', 'HASH_JOIN_BUILD_FIRST', 'HASH_JOIN_BUILD_SECOND', 'HASH_OUTER_JOIN', 'HASH_COGROUP', 'NESTED_LOOP_BROADCAST_FIRST', 'NESTED_LOOP_BROADCAST_SECOND', 'SOLUTION_SET_UPDATE', 'PAIRED']);

export interface SubtaskIo {
  readonly inputs: readonly InputChannel[];
  readonly broadcast: ReadonlyMap<string, unknown[]>;
  readonly output: Output;
}

export function runSubtask(
  task: Task,
  subtask: number,
  io: SubtaskIo,
  resources: JobResources,
  job: JobServices,
  accumulators: Map<string, RuntimeAccumulator[]>,
  superstep = 0,
  /** The job's attempt, 1-based (the embedded engine's retry; Flink's attemptNumber + 1): TSFLINK_FAULT selects by it. */
  attempt = 1,
): void {
  const ctx = new SubtaskContext(task.name, subtask, task.parallelism, io.broadcast, accumulators, superstep);
  const functions: BoundFunction<unknown>[] = [];
  const cleanups: (() => void)[] = [];
  const ops = task.operators;
  const head = ops[0]!;
  const driverIsOperator = DRIVERS.has(head.strategy);
  const setupOf = (k: number) => new OperatorSetup(ops[k]!, subtask, task.parallelism, ctx, resources, job, k > 0, functions, cleanups);

  let out = io.output;
  for (let k = ops.length - 1; k >= (driverIsOperator ? 1 : 0); k--) out = createOperatorOutput(setupOf(k), out);
  const driver = prepareDriver(driverIsOperator ? setupOf(0) : null, head);
  // Tests only (TSFLINK_FAULT): count what the driver pushes into the chain, and fail at the chosen record.
  const fault = armFaults(faultFromEnv(), task.name, subtask, attempt, { parallelism: task.parallelism, superstep });
  if (fault !== null) out = countingOutput(out, fault);

  // Functions were bound back to front; open them front to back, as records will flow.
  try {
    for (let i = functions.length - 1; i >= 0; i--) functions[i]!.open();
    driver(io.inputs, out);
    for (let i = functions.length - 1; i >= 0; i--) functions[i]!.close();
  } finally {
    // Spill files go whether the subtask succeeded or failed.
    for (const cleanup of cleanups) cleanup();
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

type DriverLoop = (inputs: readonly InputChannel[], out: Output) => void;

function prepareDriver(setup: OperatorSetup | null, head: Task['operators'][number]): DriverLoop {
  if (setup === null) {
    // A chain head that is an ordinary operator: push every input's records into it.
    return (inputs, out) => {
      const push = (r: unknown): void => out.collect(r);
      for (const input of inputs) input.forEach(push);
      out.close();
    };
  }
  const p = head.node.params;
  if (head.strategy === 'SOURCE') return (_inputs, out) => runSource(setup, out);
  if (head.strategy === 'PAIRED' && (p.kind === 'Join' || p.kind === 'Cross')) return preparePairedInput(setup, p.fn, p.projection, p.kind === 'Join' ? 'join' : 'cross');
  if (p.kind === 'Join') return prepareJoin(setup, p);
  if (p.kind === 'CoGroup') return prepareCoGroup(setup, p);
  if (p.kind === 'Cross') return prepareCross(setup, p);
  if (p.kind === 'DeltaIteration' && head.strategy === 'SOLUTION_SET_UPDATE') return prepareSolutionSetUpdate(setup, p.keys);
  return setup.fail(`no driver for ${head.strategy}`);
}
