/**
 * Which consumer subtask a record goes to, by ship strategy: FORWARD to the same index, HASH by
 * key, REBALANCE round-robin (starting at the producer's index, so that many producers spread
 * evenly), BROADCAST to all (`ALL_TARGETS`).
 */
import type { KeySpec } from '../plan/nodes.ts';
import type { ShipStrategy } from '../optimizer/physical-plan.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';
import { compileKeyExtractor, groupKey, hashGroupKey } from './keys.ts';

export const ALL_TARGETS = -1;

export type Partitioner = (record: unknown) => number;

export function createPartitioner(
  ship: ShipStrategy,
  keys: KeySpec | undefined,
  producer: number,
  consumers: number,
  userObjects: ReadonlyMap<string, unknown>,
  types: TypeRegistry,
  operator: string,
): Partitioner {
  switch (ship) {
    case 'FORWARD': {
      const target = producer % consumers;
      return () => target;
    }
    case 'BROADCAST':
      return () => ALL_TARGETS;
    case 'REBALANCE': {
      let next = producer % consumers;
      return () => {
        const t = next;
        next = next + 1 === consumers ? 0 : next + 1;
        return t;
      };
    }
    case 'HASH': {
      const key = compileKeyExtractor(keys!, userObjects, operator);
      if (consumers === 1) return (r) => (key(r), 0);
      return (r) => hashGroupKey(groupKey(key(r), types)) % consumers;
    }
  }
}
