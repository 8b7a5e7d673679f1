/** Logical and physical plans of programs built through the API, for the optimizer's step tests. */
import type { ExecutionEnvironment } from '../../src/index.ts';
import { optimize } from '../../src/optimizer/optimizer.ts';
import type { PhysicalPlan, Task } from '../../src/optimizer/physical-plan.ts';
import type { LogicalPlan } from '../../src/plan/nodes.ts';

/**
 * The logical plan of the sinks the program defined (`output()`, `writeText()`, …), as
 * `execute()` would optimize it; the sinks count as run (no warning at exit).
 */
export function logicalPlanOf(env: ExecutionEnvironment): LogicalPlan {
  return env.pendingLogicalPlan('test');
}

export function physicalPlanOf(env: ExecutionEnvironment): PhysicalPlan {
  return optimize(logicalPlanOf(env));
}

/** Each task as its operators, `strategy(node name)`, so a test can say which operators share a task. */
export function taskShapes(plan: PhysicalPlan): string[][] {
  return plan.tasks.map((t) => t.operators.map((o) => `${o.strategy}(${o.node.name.replace(/ at .*$/, '')})`));
}

/** The task running an operator on node `name` with `strategy` (the first one, if several). */
export function taskWith(plan: PhysicalPlan, name: string, strategy?: string): Task {
  const task = plan.tasks.find((t) => t.operators.some((o) => o.node.name.replace(/ at .*$/, '') === name && (strategy === undefined || o.strategy === strategy)));
  if (!task) throw new Error(`no task runs ${name}${strategy ? ` as ${strategy}` : ''}: ${JSON.stringify(taskShapes(plan))}`);
  return task;
}
