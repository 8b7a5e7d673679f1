/**
 * Iteration discovery (the optimizer's step before any task is placed): every iteration's step,
 * the nodes between its placeholders (partial solution; solution set and workset) and what it
 * closes with, and afterwards which tasks make up each step. A node of a step read by anything
 * but the step and its end node, a placeholder whose iteration is never closed, or a step that
 * is closed with something not computed from its placeholders is a plan error, as in Flink.
 */
import { PlanError } from '../errors/index.ts';
import { ITERATION_INPUT_KINDS, type LogicalPlan, type PlanNode } from '../plan/nodes.ts';
import type { PhysicalOperator } from './physical-plan.ts';

/** Iteration end node → the nodes of its step (its placeholders included). */
export type IterationSteps = ReadonlyMap<number, ReadonlySet<number>>;

/** Every iteration's step, by its end node (`BulkIteration`, `DeltaIteration`); throws a PlanError for a step that leaks or is never closed. */
export function findSteps(plan: LogicalPlan): IterationSteps {
  const nodes = new Map<number, PlanNode>(plan.nodes.map((n) => [n.id, n]));
  const dependsOn = new Map<number, Set<number>>(); // node → the placeholders it depends on
  const placeholdersOf = (id: number): ReadonlySet<number> => dependsOn.get(id) ?? new Set();
  for (const node of plan.nodes) {
    const deps = new Set<number>();
    if (ITERATION_INPUT_KINDS.has(node.params.kind)) {
      deps.add(node.id);
      if (placeholdersOf(node.inputs[0]!).size > 0) throw new PlanError(`${node.name}: iterations inside an iteration's step are not supported`);
    } else {
      for (const i of readsOf(node)) for (const d of placeholdersOf(i)) deps.add(d);
      // An iteration's end closes its step: what reads the result does not read the step.
      for (const d of placeholdersClosedBy(node) ?? []) deps.delete(d);
    }
    dependsOn.set(node.id, deps);
  }
  const steps = new Map<number, Set<number>>();
  const placeholderOwner = new Map<number, number>(); // placeholder → end node
  for (const node of plan.nodes) {
    const own = placeholdersClosedBy(node);
    if (own === null) continue;
    for (const o of own) placeholderOwner.set(o, node.id);
    // The step: the end node's ancestors that depend on one of its placeholders.
    const step = new Set<number>();
    const visit = (id: number): void => {
      if (step.has(id) || ![...dependsOn.get(id)!].some((d) => own.includes(d))) return;
      step.add(id);
      const n = nodes.get(id)!;
      if (ITERATION_INPUT_KINDS.has(n.params.kind)) return;
      for (const i of readsOf(n)) visit(i);
    };
    for (const i of node.inputs) visit(i);
    for (const o of own) step.add(o);
    steps.set(node.id, step);
    // What is fed back must come out of the step (Flink: the step must reference its inputs).
    const bulk = node.params.kind === 'BulkIteration';
    for (const i of bulk ? [node.inputs[0]!] : node.inputs) {
      if (!step.has(i)) throw new PlanError(`${node.name}: closeWith got ${nodes.get(i)!.name}, which is not computed from the iteration's ${bulk ? 'partial solution' : 'workset or solution set'}`);
    }
  }
  for (const node of plan.nodes) {
    for (const d of dependsOn.get(node.id)!) {
      const end = placeholderOwner.get(d);
      const what = nodes.get(d)!.name;
      if (end === undefined) throw new PlanError(`${node.name} reads ${what}, whose iteration is never closed (call closeWith)`);
      if (!steps.get(end)!.has(node.id)) throw new PlanError(`${node.name} reads the step of ${nodes.get(end)!.name} from outside it; a step's data sets leave it only through closeWith`);
    }
  }
  return steps;
}

/**
 * The ids of a step's tasks, in the order given: every task running one of the step's nodes,
 * and the iteration's own tasks that run none (`extraTasks`: a solution set update, a feedback pass-through).
 */
export function stepTaskIds(step: ReadonlySet<number>, tasks: readonly { readonly id: number; readonly operators: readonly PhysicalOperator[] }[], extraTasks: readonly number[]): number[] {
  const inStep = new Set(extraTasks);
  for (const t of tasks) if (t.operators.some((o) => step.has(o.node.id))) inStep.add(t.id);
  return tasks.filter((t) => inStep.has(t.id)).map((t) => t.id);
}

/** The placeholders an iteration's end node closes, or null for any other node. */
function placeholdersClosedBy(node: PlanNode): number[] | null {
  const p = node.params;
  return p.kind === 'BulkIteration' ? [p.partialSolution] : p.kind === 'DeltaIteration' ? [p.solutionSet, p.workset] : null;
}

function readsOf(node: PlanNode): number[] {
  return [...node.inputs, ...node.broadcastInputs.map((b) => b.input)];
}
