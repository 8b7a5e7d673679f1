/**
 * Chaining (Flink's operator chaining): which operators run in the task before them, pushed into
 * by its last operator in one loop, instead of in a task of their own behind an exchange.
 */
import { ITERATION_INPUT_KINDS, type NodeKind, type PlanNode } from '../plan/nodes.ts';
import type { PhysicalOperator } from './physical-plan.ts';

/** The operators that chain: element-wise ones and sinks. */
export const CHAINABLE: ReadonlySet<NodeKind> = new Set(['Map', 'FlatMap', 'Filter', 'Project', 'TextSink', 'CsvSink', 'ParquetSink', 'PrintSink', 'FormatSink', 'CollectSink']);

/** The task that produces an operator's input, as far as chaining asks. */
export interface Producer {
  readonly parallelism: number;
  readonly operators: readonly PhysicalOperator[];
}

/**
 * Whether an operator running at `parallelism` can run in `producer`, the task whose output is
 * node `input` (`consumers`: how many operators read that node): when the node is the task's
 * last operator and not a combiner, nothing else reads it, and the parallelism matches. An
 * iteration's head stays alone: its input is swapped between supersteps.
 */
export function canChainAfter(producer: Producer | undefined, input: number, consumers: number, parallelism: number): boolean {
  if (!producer) return false;
  const last = producer.operators[producer.operators.length - 1]!;
  if (ITERATION_INPUT_KINDS.has(last.node.params.kind)) return false;
  return last.node.id === input && last.strategy !== 'COMBINE' && consumers === 1 && producer.parallelism === parallelism;
}

/** Whether `node` chains into `producer`, the task of its input: a chainable operator without broadcast sets where `canChainAfter` allows. */
export function chainsInto(node: PlanNode, producer: Producer | undefined, consumers: number, parallelism: number): boolean {
  return CHAINABLE.has(node.params.kind) && node.broadcastInputs.length === 0 && canChainAfter(producer, node.inputs[0]!, consumers, parallelism);
}
