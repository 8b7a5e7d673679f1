/**
 * Which consumer subtask a record goes to, by ship strategy: FORWARD to the same index, HASH by
 * key, REBALANCE round-robin (starting at the producer's index, so that many producers spread
 * evenly), BROADCAST to all (`ALL_TARGETS`).
 */
import type { KeySpec } from '../plan/nodes.ts';
import type { ShipStrategy } from '../optimizer/physical-plan.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';
import { TaskError, UserFunctionError } from '../errors/index.ts';
import { describeRecord } from './describe-record.ts';
import { compileKeyExtractor, hashKey } from './keys.ts';

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
  partitionerId?: string,
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
      return (r) => hashKey(key(r), types) % consumers;
    }
    case 'CUSTOM': {
      const key = compileKeyExtractor(keys!, userObjects, operator);
      const custom = userObjects.get(partitionerId!);
      const partition =
        typeof custom === 'function'
          ? (custom as (key: unknown, n: number) => unknown)
          : typeof (custom as { partition?: unknown })?.partition === 'function'
            ? (k: unknown, n: number) => (custom as { partition(k: unknown, n: number): unknown }).partition(k, n)
            : null;
      if (partition === null) throw new TaskError(operator, 'the partitioner is neither a function nor an object with a partition(key, numPartitions) method');
      return (r) => {
        const k = key(r);
        let target: unknown;
        try {
          target = partition(k, consumers);
        } catch (e) {
          throw new UserFunctionError(operator, describeRecord(r), e);
        }
        if (typeof target !== 'number' || !Number.isInteger(target) || target < 0 || target >= consumers) {
          throw new TaskError(
            operator,
            `the partitioner returned ${typeof target === 'number' ? target : typeof target} for key ${describeRecord(k)}; it must return a partition index from 0 to ${consumers - 1}`,
          );
        }
        return target;
      };
    }
  }
}
