/**
 * Exchanges between tasks in one process: the producer side partitions every record into
 * per-(producer, consumer) buffers; the consumer side reads its column of buffers. Records are
 * copied as they enter a buffer (SPEC §9.4) unless the program enabled object reuse.
 */
import type { TaskInput } from '../optimizer/physical-plan.ts';
import type { Output } from './collector.ts';
import { copyRecord } from './copy.ts';
import type { InputChannel } from './input-channel.ts';
import { ALL_TARGETS, createPartitioner } from './partitioner.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';

export class LocalExchange {
  readonly input: TaskInput;
  readonly producers: number;
  readonly consumers: number;
  /** The consuming operator, whose key a HASH exchange reads: key errors name it (SPEC §7). */
  readonly keyOwner: string;
  /** buffers[producer][consumer] */
  private buffers: unknown[][][];

  constructor(input: TaskInput, producers: number, consumers: number, keyOwner = '') {
    this.input = input;
    this.producers = producers;
    this.consumers = consumers;
    this.keyOwner = keyOwner;
    this.buffers = Array.from({ length: producers }, () => Array.from({ length: consumers }, () => []));
  }

  /** The producer side of subtask `producer`. */
  writer(producer: number, userObjects: ReadonlyMap<string, unknown>, types: TypeRegistry, objectReuse: boolean, operator: string): Output {
    const row = this.buffers[producer]!;
    const n = this.consumers;
    const target = createPartitioner(this.input.ship, this.input.keys, producer, n, userObjects, types, operator);
    return {
      collect(r) {
        const t = target(r);
        if (t !== ALL_TARGETS) row[t]!.push(objectReuse ? r : copyRecord(r, types));
        else for (let i = 0; i < n; i++) row[i]!.push(objectReuse ? r : copyRecord(r, types));
      },
      close() {},
    };
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
