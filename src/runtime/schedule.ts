/**
 * The order an executor runs a job's tasks in, shared by the embedded engines: every task once
 * in topological order, except an iteration's step tasks, which run once per superstep until
 * the iteration ends. Which exchanges an executor frees, and when, follows from the same walk:
 * an exchange is freed once its consumer has read it, but a step keeps what it reads from
 * outside until its last superstep, and an iteration's result exchange holds only the last
 * superstep's records.
 */
import type { IterationSpec, PhysicalPlan, Task } from '../optimizer/physical-plan.ts';

/** One exchange into a task: a regular input by index, or a broadcast set by name. */
export type InputRef = { readonly kind: 'input'; readonly index: number } | { readonly kind: 'broadcast'; readonly name: string };

export interface ScheduleOps {
  /** Runs every subtask of `task` (superstep 0 outside iterations). */
  run(task: Task, superstep: number): void | Promise<void>;
  /** Frees an exchange; it can be written again (by the next superstep). */
  release(task: Task, input: InputRef): void;
  /** True when no record was shipped through an exchange. */
  isEmpty(task: Task, input: number): boolean;
  /** After each superstep: merges the iteration's aggregators; true when its convergence criterion holds. */
  endSuperstep(it: IterationSpec, superstep: number): boolean;
}

/** Tasks an executor never runs itself: a termination criterion is only looked at. */
export function checkedOnlyTasks(plan: PhysicalPlan): Set<number> {
  return new Set(plan.iterations.flatMap((it) => (it.terminationTask === null ? [] : [it.terminationTask])));
}

/** The iteration whose step each task belongs to. */
export function stepsOf(plan: PhysicalPlan): Map<number, IterationSpec> {
  const of = new Map<number, IterationSpec>();
  for (const it of plan.iterations) for (const t of it.tasks) of.set(t, it);
  return of;
}

/**
 * Runs the plan. `runsItself(task)` false leaves a task to whoever pulls its records (the
 * single-thread engine's pipelined producers).
 */
export async function runSchedule(plan: PhysicalPlan, ops: ScheduleOps, runsItself: (task: Task) => boolean = () => true): Promise<void> {
  const stepOf = stepsOf(plan);
  const checkedOnly = checkedOnlyTasks(plan);
  const byId = new Map(plan.tasks.map((t) => [t.id, t] as const));
  const inputsOf = (task: Task): { ref: InputRef; from: number }[] => [
    ...task.inputs.map((x, index) => ({ ref: { kind: 'input', index } as const, from: x.fromTask })),
    ...task.broadcastInputs.map((b) => ({ ref: { kind: 'broadcast', name: b.name } as const, from: b.fromTask })),
  ];

  const runIteration = async (it: IterationSpec): Promise<void> => {
    const step = it.tasks.map((id) => byId.get(id)!);
    const inStep = new Set(it.tasks);
    const result = byId.get(it.result)!;
    for (let superstep = 1; ; superstep++) {
      // The result exchange keeps only what the last superstep wrote into it.
      if (superstep > 1) ops.release(result, { kind: 'input', index: 0 });
      for (const task of step) {
        if (!runsItself(task)) continue;
        await ops.run(task, superstep);
        // A head's input 1 is written again later in this superstep: freed at once.
        if (it.heads.includes(task.id)) for (const x of inputsOf(task)) if (x.ref.kind === 'input') ops.release(task, x.ref);
      }
      // What the step wrote is read once (a pipelined task's inputs too, now that it has been pulled).
      for (const task of step) if (!it.heads.includes(task.id)) for (const x of inputsOf(task)) if (inStep.has(x.from)) ops.release(task, x.ref);
      const criterion = it.kind === 'DELTA' ? { task: byId.get(it.heads[1]!)!, input: 1 } : it.terminationTask === null ? null : { task: byId.get(it.terminationTask)!, input: 0 };
      // (Flink: the aggregates are merged, and the criterion asked, after every superstep.)
      const converged = ops.endSuperstep(it, superstep);
      const done = converged || superstep >= it.maxIterations || (criterion !== null && ops.isEmpty(criterion.task, criterion.input));
      if (it.terminationTask !== null) ops.release(byId.get(it.terminationTask)!, { kind: 'input', index: 0 });
      if (done) break;
    }
    // Fed back for a superstep that will not run; and what the step read from outside it.
    for (const h of it.heads) ops.release(byId.get(h)!, { kind: 'input', index: 1 });
    for (const task of step) for (const x of inputsOf(task)) if (!inStep.has(x.from)) ops.release(task, x.ref);
  };

  for (const task of plan.tasks) {
    if (checkedOnly.has(task.id)) continue;
    const it = stepOf.get(task.id);
    if (it !== undefined) {
      if (task.id === it.tasks[0]) await runIteration(it);
      continue;
    }
    if (!runsItself(task)) continue;
    await ops.run(task, 0);
    for (const x of inputsOf(task)) ops.release(task, x.ref);
  }
}
