/**
 * Exchanges between tasks in one process: the producer side partitions every record into
 * per-(producer, consumer) buffers; the consumer side reads its column of buffers. Records are
 * copied as they enter a buffer unless the program enabled object reuse. Past the
 * job's memory budget a producer writes the rest of its records as binary batches to a spill
 * file instead (read back after its in-memory records, so each producer's order is kept).
 */
import { TaskError } from '../errors/index.ts';
import type { TaskInput } from '../optimizer/physical-plan.ts';
import type { Output } from './collector.ts';
import { copyRecord } from './copy.ts';
import type { InputChannel } from './input-channel.ts';
import { ALL_TARGETS, createPartitioner } from './partitioner.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';
import type { MemoryBudget } from './spill/memory-budget.ts';
import type { SubtaskMeter } from './subtask-meter.ts';
import { BatchInputChannel, BinaryExchangeWriter } from './worker/binary-exchange.ts';
import { ExchangeStore } from './worker/exchange-store.ts';

export class LocalExchange {
  readonly input: TaskInput;
  readonly producers: number;
  readonly consumers: number;
  /** The consuming operator, whose key a HASH exchange reads: key errors name it. */
  readonly keyOwner: string;
  /** buffers[producer][consumer] */
  private buffers: unknown[][][];
  private readonly spill: { readonly budget: MemoryBudget; readonly store: ExchangeStore } | null;

  /** `spill.describe` names the exchange in spill errors (see describeExchange). */
  constructor(
    input: TaskInput,
    producers: number,
    consumers: number,
    keyOwner = '',
    spill: { budget: MemoryBudget; tmpDir: string; describe?: () => { operator: string; spilling: string } } | null = null,
  ) {
    this.input = input;
    this.producers = producers;
    this.consumers = consumers;
    this.keyOwner = keyOwner;
    this.buffers = Array.from({ length: producers }, () => Array.from({ length: consumers }, () => []));
    this.spill = spill ? { budget: spill.budget, store: new ExchangeStore(0, spill.tmpDir, spill.describe) } : null;
  }

  /**
   * The producer side of subtask `producer`. `meter` gets its records at close (records only:
   * what stays in memory is objects, so no bytes are counted; what spills counts as spilled).
   */
  writer(producer: number, userObjects: ReadonlyMap<string, unknown>, types: TypeRegistry, objectReuse: boolean, operator: string, meter: SubtaskMeter | null = null): Output {
    const row = this.buffers[producer]!;
    const n = this.consumers;
    const target = createPartitioner(this.input.ship, this.input.keys, producer, n, userObjects, types, operator, this.input.fn);
    const spill = this.spill;
    let spilling: BinaryExchangeWriter | null = null;
    let written = 0;
    // What cannot cross a thread fails here as it does in the binary exchange at p > 1.
    const copy = (r: unknown): unknown => {
      try {
        return copyRecord(r, types);
      } catch (e) {
        throw new TaskError(operator, `a record cannot be sent to the next task: ${(e as Error).message}`, { cause: e });
      }
    };
    return {
      collect(r) {
        written++;
        if (spilling) {
          spilling.collect(r);
          return;
        }
        const t = target(r);
        if (t !== ALL_TARGETS) row[t]!.push(objectReuse ? r : copy(r));
        else for (let i = 0; i < n; i++) row[i]!.push(objectReuse ? r : copy(r));
        if (spill?.budget.add(r)) {
          spilling = new BinaryExchangeWriter(target, n, types, (t2, bytes) => spill.store.add(0, t2, bytes), operator);
        }
      },
      close() {
        spilling?.close();
        if (meter !== null) meter.recordsOut += written;
        written = 0;
      },
    };
  }

  /** The consumer side of subtask `consumer`; `meter` counts its records per producer's buffer (and its spilled batches' bytes). */
  reader(consumer: number, types?: TypeRegistry, meter: SubtaskMeter | null = null): InputChannel {
    const buffers = this.buffers;
    const spilled = this.spill && types ? new BatchInputChannel(this.spill.store.take(0, consumer, true).sources, types, meter) : null;
    return {
      forEach(onRecord) {
        for (const row of buffers) {
          const b = row[consumer]!;
          for (let i = 0; i < b.length; i++) onRecord(b[i]);
          if (meter !== null) meter.recordsIn += b.length;
        }
        spilled?.forEach(onRecord);
      },
      toArray() {
        const out: unknown[] = [];
        for (const row of buffers) {
          const b = row[consumer]!;
          for (let i = 0; i < b.length; i++) out.push(b[i]);
          if (meter !== null) meter.recordsIn += b.length;
        }
        spilled?.forEach((r) => out.push(r));
        return out;
      },
      *batches() {
        for (const row of buffers) {
          if (meter !== null) meter.recordsIn += row[consumer]!.length;
          yield row[consumer]!;
        }
        if (spilled) yield* spilled.batches();
      },
    };
  }

  /** True when no producer shipped a record to any consumer. */
  isEmpty(): boolean {
    return this.buffers.every((row) => row.every((b) => b.length === 0)) && (this.spill === null || this.spill.store.isEmpty(0));
  }

  /** Frees the buffers once the consumer task has finished; the exchange can be written again. */
  release(): void {
    this.buffers = Array.from({ length: this.producers }, () => Array.from({ length: this.consumers }, () => []));
    this.spill?.budget.spilled();
    this.spill?.store.cleanup();
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
