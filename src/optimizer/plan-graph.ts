/**
 * The physical plan as a graph (SPEC §9.11, `getExecutionPlan()`): one node per operator as it
 * runs (a combiner is a node of its own), and one edge per hop — chained inside a task, or
 * shipped between tasks with the task input's strategy.
 */
import type { KeySpec, NodeKind } from '../plan/nodes.ts';
import type { LocalStrategy, PhysicalPlan, ShipStrategy } from './physical-plan.ts';

export interface PlanGraphNode {
  /** Unique within the plan, in task order. */
  readonly id: number;
  readonly name: string;
  /** The operator kind the program asked for (`Map`, `Reduce`, `CsvSink`, ...). */
  readonly kind: NodeKind;
  /** How it runs (`COMBINE` for a combiner, `HASH_GROUP`, `SOURCE`, ...). */
  readonly strategy: LocalStrategy;
  readonly parallelism: number;
  /** The task it runs in. */
  readonly task: number;
  /** The logical operator (plan node id) it implements. */
  readonly operator: number;
}

export interface PlanGraphEdge {
  readonly source: number;
  readonly target: number;
  /** `FORWARD` inside a chain. */
  readonly ship: ShipStrategy;
  /** True for the hop from one operator to the next inside a task (no exchange). */
  readonly chained: boolean;
  readonly keys?: KeySpec;
  /** For a broadcast set: the name it is registered under. */
  readonly broadcast?: string;
}

export interface PlanGraph {
  readonly jobName: string;
  readonly defaultParallelism: number;
  readonly nodes: readonly PlanGraphNode[];
  readonly edges: readonly PlanGraphEdge[];
}

export function planGraph(plan: PhysicalPlan): PlanGraph {
  const nodes: PlanGraphNode[] = [];
  const edges: PlanGraphEdge[] = [];
  const first = new Map<number, number>(); // task id → its first node
  const last = new Map<number, number>(); // task id → its last node (the task's output)
  for (const task of plan.tasks) {
    task.operators.forEach((op, i) => {
      const id = nodes.length;
      nodes.push({
        id,
        name: op.strategy === 'COMBINE' ? `Combine (${op.node.name})` : op.node.name,
        kind: op.node.params.kind,
        strategy: op.strategy,
        parallelism: task.parallelism,
        task: task.id,
        operator: op.node.id,
      });
      if (i === 0) first.set(task.id, id);
      else edges.push({ source: id - 1, target: id, ship: 'FORWARD', chained: true });
      last.set(task.id, id);
    });
  }
  for (const task of plan.tasks) {
    const target = first.get(task.id)!;
    for (const input of task.inputs) {
      const edge: PlanGraphEdge = { source: last.get(input.fromTask)!, target, ship: input.ship, chained: false };
      edges.push(input.keys === undefined ? edge : { ...edge, keys: input.keys });
    }
    for (const b of task.broadcastInputs) {
      edges.push({ source: last.get(b.fromTask)!, target, ship: 'BROADCAST', chained: false, broadcast: b.name });
    }
  }
  return { jobName: plan.jobName, defaultParallelism: plan.defaultParallelism, nodes, edges };
}
