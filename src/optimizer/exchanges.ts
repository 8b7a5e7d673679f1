/**
 * The exchanges of a physical plan, numbered once for every engine: task by task in plan order,
 * each task's regular inputs in order, then its broadcast sets. The embedded engine (its
 * in-thread and worker-thread executors) and the Flink export all build their exchanges from
 * this list, and the Flink plan file's `output` indices (a producer's outputs in this order) are
 * what PlanBinder.java wires up: the numbering is a contract, kept in one place.
 */
import type { KeySpec } from '../plan/nodes.ts';
import type { PhysicalPlan, ShipStrategy, TaskInput } from './physical-plan.ts';

export type ExchangeSlot = { readonly kind: 'input'; readonly index: number } | { readonly kind: 'broadcast'; readonly name: string };

export interface PlanExchange {
  /** Its number: the position in exchangesOf's list. */
  readonly id: number;
  readonly from: number;
  readonly to: number;
  /** Which of the consumer's inputs it feeds. */
  readonly slot: ExchangeSlot;
  /** How it ships (a broadcast set: BROADCAST), and on which key. */
  readonly input: TaskInput;
  readonly consumers: number;
  /** The consuming task's first operator, whose key a HASH exchange reads: key errors name it. */
  readonly keyOwner: string;
}

export function exchangesOf(plan: PhysicalPlan): PlanExchange[] {
  const list: PlanExchange[] = [];
  for (const t of plan.tasks) {
    const keyOwner = t.operators[0]!.node.name;
    t.inputs.forEach((input, index) => {
      list.push({ id: list.length, from: input.fromTask, to: t.id, slot: { kind: 'input', index }, input, consumers: t.parallelism, keyOwner });
    });
    for (const b of t.broadcastInputs) {
      list.push({ id: list.length, from: b.fromTask, to: t.id, slot: { kind: 'broadcast', name: b.name }, input: { fromTask: b.fromTask, ship: 'BROADCAST' }, consumers: t.parallelism, keyOwner });
    }
  }
  return list;
}

/** How a producer writes into one exchange (a Flink worker's output specs extend it: runners/flink/worker-frames.ts). */
export interface OutputSpec {
  readonly exchange: number;
  readonly ship: ShipStrategy;
  readonly keys?: KeySpec | undefined;
  /** For CUSTOM: the partitioner's user-object id. */
  readonly fn?: string | undefined;
  readonly consumers: number;
  /** The consuming operator, whose key a HASH exchange reads: key errors name it. */
  readonly keyOwner: string;
}

/** What a producer needs to write into exchange `x`: its number, how it ships and partitions, to how many consumers. */
export function outputSpecOf(x: PlanExchange): OutputSpec {
  return x.slot.kind === 'broadcast'
    ? { exchange: x.id, ship: 'BROADCAST', consumers: x.consumers, keyOwner: x.keyOwner }
    : { exchange: x.id, ship: x.input.ship, keys: x.input.keys, fn: x.input.fn, consumers: x.consumers, keyOwner: x.keyOwner };
}
