/**
 * Reductions and their combiners (Flink's GroupReduceNode/ReduceNode with their combiner): a
 * combinable reduction (reduce, aggregate, distinct, first, a combinable group reduce) gets a
 * COMBINE operator that pre-aggregates in the producer before the shuffle by key; a group
 * reduce not declared combinable shuffles its records as they are. The reducer groups by
 * hashing the key, sorts each group when asked (sortGroup, first with an order), or meets the
 * whole set as one group when ungrouped. Key-selector reductions carry the key with the records
 * through combiner and shuffle as `[key, record]` pairs (`keyedPairs`), shuffled on field 0.
 */
import type { KeySpec, NodeKind, PlanNode } from '../plan/nodes.ts';
import type { LocalStrategy, PhysicalOperator } from './physical-plan.ts';

/** The node kinds that reduce their input by key (or as a whole). */
export const REDUCTION_KINDS: ReadonlySet<NodeKind> = new Set(['Reduce', 'Aggregate', 'Distinct', 'First', 'GroupReduce']);

export interface Reduction {
  /** Runs before the shuffle, in the producer's task when it can chain there (`combinerChains`); null: no combiner. */
  readonly combiner: PhysicalOperator | null;
  readonly reducer: PhysicalOperator;
  /** The key the records are hashed on into the reducer; null: ungrouped (no key, one reducer instance). */
  readonly shipKeys: KeySpec | null;
}

/** The operators of a reduction node (one of REDUCTION_KINDS). */
export function planReduction(node: PlanNode): Reduction {
  const p = node.params;
  let keys: KeySpec | null;
  let sorted: boolean;
  let combinable: boolean;
  switch (p.kind) {
    case 'Reduce':
    case 'Aggregate':
    case 'Distinct':
      [keys, sorted, combinable] = [p.keys, false, true];
      break;
    case 'First':
      [keys, sorted, combinable] = [p.keys, p.sortKeys.length > 0, true];
      break;
    case 'GroupReduce':
      [keys, sorted, combinable] = [p.keys, p.sortKeys.length > 0, p.combinable];
      break;
    default:
      throw new Error(`planReduction: ${p.kind} is not a reduction`);
  }
  const carryKey = combinable && keys !== null && keys.kind === 'selector' && (p.kind === 'Reduce' || p.kind === 'GroupReduce');
  const combiner: PhysicalOperator | null = !combinable ? null : carryKey ? { node, strategy: 'COMBINE', combineKeys: keys, keyedPairs: 'combine' } : { node, strategy: 'COMBINE', combineKeys: keys };
  const strategy: LocalStrategy = keys === null ? 'ALL_GROUP' : sorted ? 'SORTED_GROUP' : 'HASH_GROUP';
  return {
    combiner,
    reducer: carryKey ? { node, strategy, keyedPairs: 'final' } : { node, strategy },
    shipKeys: keys === null ? null : carryKey ? { kind: 'fields', fields: [0] } : keys,
  };
}

/**
 * Whether the combiner runs in the task producing the reduction's input (`chainable`: the
 * chaining rule allows an operator there) rather than in a task of its own at the producer's
 * parallelism: a rich combiner reads the operator's broadcast sets too, so it needs a task
 * that runs after theirs.
 */
export function combinerChains(node: PlanNode, chainable: boolean): boolean {
  return node.broadcastInputs.length === 0 && chainable;
}
