/**
 * How a join or a cross runs (the optimizer's step that Flink's JoinNode/CrossNode costs): which
 * local strategy, and how each input ships to it. Hints win (`joinWithTiny`/`joinWithHuge`,
 * `JoinHint.REPARTITION_BUILD_FIRST`, `crossWithTiny`/`crossWithHuge`); otherwise a side known to
 * be small is broadcast (size-estimates.ts) — for a join, only a side the join type allows (an
 * outer join keeps every element of its outer side, so that side cannot be broadcast); otherwise
 * both sides are hashed on their keys.
 */
import type { NodeParams } from '../plan/nodes.ts';
import type { LocalStrategy } from './physical-plan.ts';
import { chooseBroadcastSide, type SizeEstimate } from './size-estimates.ts';

/** How an input reaches the operator: hashed on its keys, broadcast, or pointwise (as it is partitioned). */
export type InputShip = 'HASH' | 'BROADCAST' | 'POINTWISE';

export interface BinaryStrategy {
  readonly strategy: LocalStrategy;
  readonly ships: readonly [InputShip, InputShip];
}

export function joinStrategy(params: Extract<NodeParams, { kind: 'Join' }>, sizes: readonly [SizeEstimate, SizeEstimate]): BinaryStrategy {
  if (params.hint === 'REPARTITION_BUILD_FIRST' && params.joinType === 'INNER') return { strategy: 'HASH_JOIN_BUILD_FIRST', ships: ['HASH', 'HASH'] };
  const auto = params.hint === 'NONE' ? chooseBroadcastSide(sizes[0], sizes[1]) : null;
  const inner = params.joinType === 'INNER';
  const rightMayBroadcast = inner || params.joinType === 'LEFT_OUTER';
  if ((params.hint === 'TINY' || auto === 1) && rightMayBroadcast) return { strategy: inner ? 'HASH_JOIN_BUILD_SECOND' : 'HASH_OUTER_JOIN', ships: ['POINTWISE', 'BROADCAST'] };
  if (inner && (params.hint === 'HUGE' || auto === 0)) return { strategy: 'HASH_JOIN_BUILD_FIRST', ships: ['BROADCAST', 'POINTWISE'] };
  return { strategy: inner ? 'HASH_JOIN_BUILD_SECOND' : 'HASH_OUTER_JOIN', ships: ['HASH', 'HASH'] };
}

export function crossStrategy(params: Extract<NodeParams, { kind: 'Cross' }>, sizes: readonly [SizeEstimate, SizeEstimate]): BinaryStrategy {
  const auto = params.hint === 'NONE' ? chooseBroadcastSide(sizes[0], sizes[1]) : null;
  if (params.hint === 'HUGE' || (params.hint === 'NONE' && auto === 0)) return { strategy: 'NESTED_LOOP_BROADCAST_FIRST', ships: ['BROADCAST', 'POINTWISE'] };
  return { strategy: 'NESTED_LOOP_BROADCAST_SECOND', ships: ['POINTWISE', 'BROADCAST'] };
}
