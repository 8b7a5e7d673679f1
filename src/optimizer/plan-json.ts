/**
 * The JSON form of an optimized plan (`getExecutionPlan()`, `tsflink plan --format json`):
 * one node per operator (combiners included) with its parallelism and local strategy, one edge
 * per connection with its ship strategy (`chained` when both run in one task), and the tasks.
 */
import { formatKeySpec } from './explain.ts';
import { operatorName, type PhysicalOperator, type PhysicalPlan, type ShipStrategy, type Task } from './physical-plan.ts';

export interface PlanJsonNode {
  id: string;
  name: string;
  kind: string;
  parallelism: number;
  strategy: string;
  task: number;
  /** A declared-async operator's concurrency: its capacity per subtask and whether it emits in input order. */
  async?: { capacity: number; ordered: boolean };
  /** Present (true) for an operator marked `runInClient()`. */
  runInClient?: true;
  /** For an operator of a compiled pipeline (compiled-pipelines.ts): the pipeline, `<task>.<run>` (the operators with the same value run as one generated function). */
  compiled?: string;
}

export interface PlanJsonEdge {
  source: string;
  target: string;
  ship: ShipStrategy;
  chained: boolean;
  /** Input index of the target (0 or 1), or the broadcast variable's name. */
  input: number | string;
  keys?: string;
}

export interface PlanJson {
  jobName: string;
  defaultParallelism: number;
  nodes: PlanJsonNode[];
  edges: PlanJsonEdge[];
  tasks: PhysicalPlan['tasks'];
}

function operatorId(op: PhysicalOperator): string {
  if (op.strategy === 'COMBINE') return `${op.node.id}.combine`;
  if (op.strategy === 'KEY_EXTRACT') return `${op.node.id}.key`;
  if (op.strategy === 'KEY_REMOVE') return `${op.node.id}.unkey`;
  if (op.strategy === 'COUNT_PER_PARTITION' && op.node.params.kind === 'ZipWithIndex') return `${op.node.id}.count`;
  if (op.strategy === 'FEEDBACK') return `${op.node.id}.next`;
  if (op.strategy === 'SOLUTION_SET_UPDATE') return `${op.node.id}.update`;
  if (op.strategy === 'TERMINATION_CRITERION') return `${op.node.id}.termination`;
  return String(op.node.id);
}

export function toPlanJson(plan: PhysicalPlan): PlanJson {
  const nodes: PlanJsonNode[] = [];
  const edges: PlanJsonEdge[] = [];
  const tasks = new Map<number, Task>(plan.tasks.map((t) => [t.id, t]));
  const lastId = (task: Task) => operatorId(task.operators[task.operators.length - 1]!);
  for (const task of plan.tasks) {
    task.operators.forEach((op, k) => {
      const id = operatorId(op);
      nodes.push({
        id,
        name: operatorName(op),
        kind: op.strategy === 'COMBINE' ? `${op.node.params.kind}Combine` : op.strategy === 'KEY_EXTRACT' ? 'KeyExtractor' : op.strategy === 'KEY_REMOVE' ? 'KeyRemover' : op.node.params.kind,
        parallelism: task.parallelism,
        strategy: op.strategy,
        task: task.id,
        ...('async' in op.node.params ? { async: { capacity: op.node.params.async.capacity, ordered: op.node.params.async.ordered } } : {}),
        ...(op.node.runInClient === true ? { runInClient: true as const } : {}),
        ...compiledField(task, k),
      });
      if (k > 0) edges.push({ source: operatorId(task.operators[k - 1]!), target: id, ship: 'FORWARD', chained: true, input: 0 });
    });
    const head = operatorId(task.operators[0]!);
    task.inputs.forEach((input, i) => {
      const edge: PlanJsonEdge = { source: lastId(tasks.get(input.fromTask)!), target: head, ship: input.ship, chained: false, input: i };
      if (input.keys) edge.keys = formatKeySpec(input.keys);
      edges.push(edge);
    });
    for (const b of task.broadcastInputs) {
      edges.push({ source: lastId(tasks.get(b.fromTask)!), target: head, ship: 'BROADCAST', chained: false, input: b.name });
    }
  }
  return { jobName: plan.jobName, defaultParallelism: plan.defaultParallelism, nodes, edges, tasks: plan.tasks };
}

function compiledField(task: Task, index: number): { compiled?: string } {
  const run = (task.compiled ?? []).findIndex((r) => r.first <= index && index <= r.last);
  return run < 0 ? {} : { compiled: `${task.id}.${run}` };
}
