/**
 * Exchanges between tasks in one process: the producer side partitions every record into
 * per-(producer, consumer) buffers; the consumer side reads its column of buffers. Records are
 * copied as they enter a buffer (SPEC §9.4) unless the program enabled object reuse.
 */
import type { TaskInput } from '../optimizer/physical-plan.ts';
import type { Output } from './collector.ts';
import { copyRecord } from './copy.ts';
import type { InputChannel } from './input-channel.ts';
import { groupKey, hashGroupKey, compileKeyExtractor } from './keys.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';

export class LocalExchange {
  readonly input: TaskInput;
  readonly producers: number;
  readonly consumers: number;
  /** buffers[producer][consumer] */
  private buffers: unknown[][][];

  constructor(input: TaskInput, producers: number, consumers: number) {
    this.input = input;
    this.producers = producers;
    this.consumers = consumers;
    this.buffers = Array.from({ length: producers }, () => Array.from({ length: consumers }, () => []));
  }

  /** The producer side of subtask `producer`. */
  writer(producer: number, userObjects: ReadonlyMap<string, unknown>, types: TypeRegistry, objectReuse: boolean, operator: string): Output {
    const row = this.buffers[producer]!;
    const copy = objectReuse ? (r: unknown) => r : (r: unknown) => copyRecord(r, types);
    const n = this.consumers;
    switch (this.input.ship) {
      case 'FORWARD': {
        const target = row[producer % n]!;
        return { collect: (r) => void target.push(copy(r)), close() {} };
      }
      case 'BROADCAST':
        return {
          collect: (r) => {
            for (let i = 0; i < n; i++) row[i]!.push(copy(r));
          },
          close() {},
        };
      case 'REBALANCE': {
        // Round-robin, starting at the producer's index so that many producers spread evenly.
        let next = producer % n;
        return {
          collect: (r) => {
            row[next]!.push(copy(r));
            next = next + 1 === n ? 0 : next + 1;
          },
          close() {},
        };
      }
      case 'HASH': {
        const key = compileKeyExtractor(this.input.keys!, userObjects, operator);
        return {
          collect: (r) => {
            const target = n === 1 ? 0 : hashGroupKey(groupKey(key(r), types)) % n;
            row[target]!.push(copy(r));
          },
          close() {},
        };
      }
    }
  }

  /** The consumer side of subtask `consumer`. */
  reader(consumer: number): InputChannel {
    const buffers = this.buffers;
    return {
      forEach(onRecord) {
        for (const row of buffers) {
          const b = row[consumer]!;
          for (let i = 0; i < b.length; i++) onRecord(b[i]);
        }
      },
      toArray() {
        const out: unknown[] = [];
        for (const row of buffers) {
          const b = row[consumer]!;
          for (let i = 0; i < b.length; i++) out.push(b[i]);
        }
        return out;
      },
    };
  }

  /** Frees the buffers once the consumer task has finished. */
  release(): void {
    this.buffers = [];
  }
}

/** Sends every record to several outputs (a data set read by several consumers). */
export class FanOut implements Output {
  private readonly outputs: readonly Output[];
  constructor(outputs: readonly Output[]) {
    this.outputs = outputs;
  }
  collect(record: unknown): void {
    for (let i = 0; i < this.outputs.length; i++) this.outputs[i]!.collect(record);
  }
  close(): void {
    for (const o of this.outputs) o.close();
  }
}

export const DISCARD: Output = { collect() {}, close() {} };
