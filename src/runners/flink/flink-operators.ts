/**
 * What Flink runs itself on the Flink target, decided from the physical plan: which task's
 * first operator is a Flink operator (`nativeOperator`: joins with the hint matching tsflink's
 * plan, crosses, distinct, first and group reduce on (sorted) groups), which key and sort key
 * the records of an exchange carry to Flink (`keyedSpec`), and which of the runner's own strategies the
 * worker then runs that operator with (`nativeHeadStrategy`, native-heads.ts). Nothing inside an iteration is Flink's:
 * its exchanges stay batches routed by tsflink (`iterationTasks`). plan-export.ts writes the
 * decisions into the files the JVM and the workers read.
 */
import type { PhysicalPlan, Task } from '../../optimizer/physical-plan.ts';
import type { KeySpec, SortKey } from '../../plan/nodes.ts';
import type { NativeHeadStrategy } from './native-heads.ts';

/** Flink's join hint for a join tsflink's optimizer planned (broadcast side or build side). */
export type FlinkJoinHint = 'BROADCAST_HASH_FIRST' | 'BROADCAST_HASH_SECOND' | 'REPARTITION_HASH_FIRST' | 'REPARTITION_HASH_SECOND' | 'REPARTITION_SORT_MERGE';

export type NativeOperator =
  | { readonly kind: 'join'; readonly joinType: 'INNER' | 'LEFT_OUTER' | 'RIGHT_OUTER' | 'FULL_OUTER'; readonly hint: FlinkJoinHint }
  | { readonly kind: 'cross'; readonly broadcast: 'FIRST' | 'SECOND' }
  | { readonly kind: 'distinct' }
  | { readonly kind: 'first'; readonly n: number; readonly sorted: boolean }
  | { readonly kind: 'groups'; readonly sorted: boolean };

/** The tasks an iteration feeds or runs: their inputs stay batches routed by tsflink. */
export function iterationTasks(plan: PhysicalPlan): Set<number> {
  const inside = new Set<number>();
  for (const it of plan.iterations) {
    for (const t of it.tasks) inside.add(t);
    inside.add(it.result);
    if (it.terminationTask !== null) inside.add(it.terminationTask);
  }
  return inside;
}

/** The Flink operator a task's first operator becomes, or null (the worker runs it). */
export function nativeOperator(task: Task): NativeOperator | null {
  const head = task.operators[0]!;
  const p = head.node.params;
  const ships = task.inputs.map((i) => i.ship);
  if (p.kind === 'Join' && task.inputs.length === 2 && (head.strategy === 'HASH_JOIN_BUILD_FIRST' || head.strategy === 'HASH_JOIN_BUILD_SECOND' || head.strategy === 'HASH_OUTER_JOIN')) {
    return { kind: 'join', joinType: p.joinType, hint: joinHint(p.joinType, head.strategy, ships[0] === 'BROADCAST', ships[1] === 'BROADCAST') };
  }
  if (p.kind === 'Cross' && task.inputs.length === 2 && (head.strategy === 'NESTED_LOOP_BROADCAST_FIRST' || head.strategy === 'NESTED_LOOP_BROADCAST_SECOND')) {
    return { kind: 'cross', broadcast: head.strategy === 'NESTED_LOOP_BROADCAST_FIRST' ? 'FIRST' : 'SECOND' };
  }
  if (ships.length !== 1 || ships[0] !== 'HASH') return null;
  if (p.kind === 'Distinct' && head.strategy === 'HASH_GROUP') return { kind: 'distinct' };
  if (p.kind === 'First' && p.keys !== null && (head.strategy === 'HASH_GROUP' || head.strategy === 'SORTED_GROUP')) return { kind: 'first', n: p.n, sorted: p.sortKeys.length > 0 };
  // (A key-selector reduction on [key, record] pairs: Flink groups them on field 0, but its sort key would not read the pairs.)
  if (p.kind === 'GroupReduce' && p.keys !== null && (head.strategy === 'HASH_GROUP' || head.strategy === 'SORTED_GROUP') && !(head.onPairs && p.sortKeys.length > 0)) {
    return { kind: 'groups', sorted: p.sortKeys.length > 0 };
  }
  return null;
}

/** The hint that makes Flink run the join as tsflink planned it; a full outer join sort-merges (Flink hashes none). */
function joinHint(joinType: string, strategy: string, broadcastFirst: boolean, broadcastSecond: boolean): FlinkJoinHint {
  if (joinType === 'FULL_OUTER') return 'REPARTITION_SORT_MERGE';
  if (broadcastFirst) return 'BROADCAST_HASH_FIRST';
  if (broadcastSecond) return 'BROADCAST_HASH_SECOND';
  if (joinType === 'LEFT_OUTER') return 'REPARTITION_HASH_SECOND';
  if (joinType === 'RIGHT_OUTER') return 'REPARTITION_HASH_FIRST';
  return strategy === 'HASH_JOIN_BUILD_FIRST' ? 'REPARTITION_HASH_FIRST' : 'REPARTITION_HASH_SECOND';
}

/** The key (and sort key) the records of an exchange carry, as the consumer reads them (null: none). */
export function keyedSpec(task: Task, slot: number, native: NativeOperator | null): KeyedOutput {
  const p = task.operators[0]!.node.params;
  if (native?.kind === 'cross' || (native === null && task.inputs[slot]!.ship === 'REBALANCE')) return { keys: null, sortKeys: [] };
  if (native?.kind === 'join' && p.kind === 'Join') return { keys: slot === 0 ? p.leftKeys : p.rightKeys, sortKeys: [] };
  if (native?.kind === 'first' && p.kind === 'First') return { keys: task.inputs[slot]!.keys!, sortKeys: p.sortKeys };
  if (native?.kind === 'groups' && p.kind === 'GroupReduce') return { keys: task.inputs[slot]!.keys!, sortKeys: p.sortKeys };
  return { keys: task.inputs[slot]!.keys!, sortKeys: [] };
}

export interface KeyedOutput {
  readonly keys: KeySpec | null;
  readonly sortKeys: readonly SortKey[];
}

/** The local strategy of a native task's first operator in the worker: Flink made its pairs, groups or result. */
export function nativeHeadStrategy(native: NativeOperator): NativeHeadStrategy {
  switch (native.kind) {
    case 'join':
    case 'cross':
      return 'PAIRED';
    case 'groups':
      return 'PREGROUPED';
    case 'distinct':
    case 'first':
      return 'PRECOMPUTED';
  }
}
