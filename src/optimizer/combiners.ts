/**
 * Reductions and their combiners (Flink's GroupReduceNode/ReduceNode with their combiner): a
 * combinable reduction (reduce, aggregate, distinct, first, a combinable group reduce) gets a
 * COMBINE operator that pre-aggregates in the producer before the shuffle by key; a group
 * reduce not declared combinable shuffles its records as they are. The reducer groups by
 * hashing the key, sorts each group when asked (sortGroup, first with an order), or meets the
 * whole set as one group when ungrouped. A combinable key-selector reduce or group reduce
 * carries the key with the records through combiner and shuffle, as Flink's translation of
 * selector keys does: a KEY_EXTRACT before the combiner makes `[key, record]` pairs, combiner
 * and reducer run on the pairs (`onPairs`), shuffled on field 0, and a reduce's pairs lose
 * their key again in a KEY_REMOVE behind the reducer.
 */
import type { KeySpec, NodeKind, PlanNode } from '../plan/nodes.ts';
import type { LocalStrategy, PhysicalOperator } from './physical-plan.ts';

/** The node kinds that reduce their input by key (or as a whole). */
export const REDUCTION_KINDS: ReadonlySet<NodeKind> = new Set(['Reduce', 'Aggregate', 'Distinct', 'First', 'GroupReduce']);

export interface Reduction {
  /** The operators before the shuffle, in the producer's task when they can chain there (`combinerChains`); empty: no combiner. */
  readonly combiner: readonly PhysicalOperator[];
  /** The reducer (a task's head) and what is chained behind it. */
  readonly reducer: readonly PhysicalOperator[];
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
  const strategy: LocalStrategy = keys === null ? 'ALL_GROUP' : sorted ? 'SORTED_GROUP' : 'HASH_GROUP';
  if (carryKey) {
    return {
      combiner: [
        { node, strategy: 'KEY_EXTRACT' },
        { node, strategy: 'COMBINE', combineKeys: keys, onPairs: true },
      ],
      reducer:
        p.kind === 'Reduce'
          ? [
              { node, strategy, onPairs: true },
              { node, strategy: 'KEY_REMOVE' },
            ]
          : [{ node, strategy, onPairs: true }],
      shipKeys: { kind: 'fields', fields: [0] },
    };
  }
  return { combiner: combinable ? [{ node, strategy: 'COMBINE', combineKeys: keys }] : [], reducer: [{ node, strategy }], shipKeys: keys };
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
