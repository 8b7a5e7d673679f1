/**
 * The optimizer's steps on their own (as Flink's *CompilationTest cases test its optimizer):
 * the join and cross strategy for every hint, join type and size, and each operator's
 * parallelism.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossStrategy, joinStrategy } from '../../src/optimizer/join-strategy.ts';
import { chooseParallelism } from '../../src/optimizer/parallelism.ts';
import { BROADCAST_THRESHOLD_BYTES } from '../../src/optimizer/size-estimates.ts';
import type { JoinSizeHint, JoinType, NodeParams, PlanNode } from '../../src/plan/nodes.ts';

const keys = { kind: 'fields', fields: [0] } as const;
const join = (joinType: JoinType, hint: JoinSizeHint): Extract<NodeParams, { kind: 'Join' }> => ({ kind: 'Join', joinType, leftKeys: keys, rightKeys: keys, fn: null, projection: null, hint });
const small = { bytes: 1024 };
const big = { bytes: 100 * BROADCAST_THRESHOLD_BYTES };
const unknown = { bytes: null };

test('join: hints win, a small side the join type allows is broadcast, else both sides are hashed', () => {
  const cases: [JoinType, JoinSizeHint, { bytes: number | null }, { bytes: number | null }, string, string][] = [
    ['INNER', 'NONE', big, big, 'HASH_JOIN_BUILD_SECOND', 'HASH,HASH'],
    ['INNER', 'NONE', big, small, 'HASH_JOIN_BUILD_SECOND', 'POINTWISE,BROADCAST'],
    ['INNER', 'NONE', small, big, 'HASH_JOIN_BUILD_FIRST', 'BROADCAST,POINTWISE'],
    ['INNER', 'NONE', unknown, small, 'HASH_JOIN_BUILD_SECOND', 'POINTWISE,BROADCAST'],
    ['INNER', 'NONE', unknown, unknown, 'HASH_JOIN_BUILD_SECOND', 'HASH,HASH'],
    ['INNER', 'TINY', big, big, 'HASH_JOIN_BUILD_SECOND', 'POINTWISE,BROADCAST'],
    ['INNER', 'HUGE', small, small, 'HASH_JOIN_BUILD_FIRST', 'BROADCAST,POINTWISE'],
    ['INNER', 'REPARTITION_BUILD_FIRST', small, big, 'HASH_JOIN_BUILD_FIRST', 'HASH,HASH'],
    ['INNER', 'REPARTITION_BUILD_SECOND', small, big, 'HASH_JOIN_BUILD_SECOND', 'HASH,HASH'],
    ['LEFT_OUTER', 'NONE', big, small, 'HASH_OUTER_JOIN', 'POINTWISE,BROADCAST'],
    // The outer side keeps every element: it is never the broadcast one.
    ['LEFT_OUTER', 'NONE', small, big, 'HASH_OUTER_JOIN', 'HASH,HASH'],
    ['RIGHT_OUTER', 'NONE', big, small, 'HASH_OUTER_JOIN', 'HASH,HASH'],
    ['FULL_OUTER', 'NONE', small, small, 'HASH_OUTER_JOIN', 'HASH,HASH'],
    ['RIGHT_OUTER', 'TINY', big, big, 'HASH_OUTER_JOIN', 'HASH,HASH'],
  ];
  for (const [type, hint, l, r, strategy, ships] of cases) {
    const s = joinStrategy(join(type, hint), [l, r]);
    assert.deepEqual([s.strategy, s.ships.join()], [strategy, ships], `${type} ${hint} ${l.bytes}/${r.bytes}`);
  }
});

test('cross: broadcasts the second input unless a hint or the sizes say the first', () => {
  const cross = (hint: 'NONE' | 'TINY' | 'HUGE') => ({ kind: 'Cross', fn: null, projection: null, hint }) as const;
  assert.equal(crossStrategy(cross('NONE'), [big, big]).strategy, 'NESTED_LOOP_BROADCAST_SECOND');
  assert.equal(crossStrategy(cross('NONE'), [small, big]).strategy, 'NESTED_LOOP_BROADCAST_FIRST');
  assert.deepEqual(crossStrategy(cross('HUGE'), [big, small]).ships, ['BROADCAST', 'POINTWISE']);
  assert.deepEqual(crossStrategy(cross('TINY'), [small, big]).ships, ['POINTWISE', 'BROADCAST']);
});

test('parallelism: what the user set, else the default, except where the operator fixes it', () => {
  const node = (params: NodeParams, parallelism: number | null = null, inputs: number[] = [0]): PlanNode => ({ id: 9, name: 'x', inputs, broadcastInputs: [], parallelism, params });
  const of = (id: number) => (id === 0 ? 3 : id === 5 ? 7 : 1);
  const p = (n: PlanNode) => chooseParallelism(n, of, 4);
  assert.equal(p(node({ kind: 'Map', fn: 'u0' })), 4);
  assert.equal(p(node({ kind: 'Map', fn: 'u0' }, 2)), 2);
  assert.equal(p(node({ kind: 'CollectionSource', data: 'u0', count: 3 }, 8)), 1, 'a collection is read by one instance');
  assert.equal(p(node({ kind: 'Reduce', fn: 'u0', keys: null })), 1, 'an ungrouped reduce meets in one instance');
  assert.equal(p(node({ kind: 'Reduce', fn: 'u0', keys })), 4);
  assert.equal(p(node({ kind: 'CollectSink', resultId: 'r', countOnly: false })), 3, 'collect() follows its input');
  assert.equal(p(node({ kind: 'ZipWithIndex' }, 2)), 2);
  assert.equal(p(node({ kind: 'BulkIteration', partialSolution: 5, maxIterations: 3, hasTermination: false } as NodeParams)), 7, "an iteration's end runs as its head");
});
