/**
 * Exchanges between threads: the producer side encodes records into one binary batch per
 * target and ships each batch when it is full; the consumer side decodes batches that
 * arrive in memory or sit in spill files. Encoding is the snapshot copy that emitted elements need.
 */
import { closeSync, openSync } from 'node:fs';
import { TaskError } from '../../errors/index.ts';
import { RecordReader } from '../../serde/record-reader.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';
import type { Output } from '../collector.ts';
import type { InputChannel } from '../input-channel.ts';
import { ALL_TARGETS, type Partitioner } from '../partitioner.ts';
import { readExactlyAt } from '../spill/batch-files.ts';
import type { BatchSource } from './protocol.ts';
import type { SubtaskMeter } from '../subtask-meter.ts';

/** A batch is shipped once it holds this many bytes: large enough to amortise a message, small enough to pipeline. */
export const BATCH_BYTES = 256 * 1024;

export type BatchSink = (target: number, bytes: Uint8Array) => void;

export class BinaryExchangeWriter implements Output {
  private readonly partitioner: Partitioner;
  private readonly writers: RecordWriter[];
  private readonly broadcastWriter: RecordWriter;
  private readonly ship: BatchSink;
  private readonly operator: string;
  private readonly meter: SubtaskMeter | null;

  /** `meter`: counts what it ships, per batch. */
  constructor(partitioner: Partitioner, consumers: number, types: TypeRegistry, ship: BatchSink, operator: string, meter: SubtaskMeter | null = null) {
    this.operator = operator;
    this.meter = meter;
    this.partitioner = partitioner;
    this.writers = Array.from({ length: consumers }, () => new RecordWriter(types));
    this.broadcastWriter = new RecordWriter(types);
    this.ship = ship;
  }

  collect(record: unknown): void {
    const t = this.partitioner(record);
    // A broadcast record is encoded once; the coordinator hands the batch to every consumer.
    const w = t === ALL_TARGETS ? this.broadcastWriter : this.writers[t]!;
    try {
      w.write(record);
    } catch (e) {
      throw new TaskError(this.operator, `a record cannot be sent to the next task: ${(e as Error).message}`, { cause: e });
    }
    if (w.size >= BATCH_BYTES) this.flush(t, w);
  }

  private flush(target: number, w: RecordWriter): void {
    const meter = this.meter;
    if (meter !== null) meter.recordsOut += w.count;
    const bytes = w.finish();
    if (meter !== null) {
      meter.bytesOut += bytes.byteLength;
      meter.batch();
    }
    this.ship(target, bytes);
  }

  close(): void {
    for (let t = 0; t < this.writers.length; t++) {
      const w = this.writers[t]!;
      if (w.count > 0) this.flush(t, w);
    }
    if (this.broadcastWriter.count > 0) this.flush(ALL_TARGETS, this.broadcastWriter);
  }
}

/** Reads the batches of one input of one consumer subtask. */
export class BatchInputChannel implements InputChannel {
  private readonly sources: readonly BatchSource[];
  private readonly reader: RecordReader;
  private readonly meter: SubtaskMeter | null;

  /** `meter`: counts what it delivers, per batch. */
  constructor(sources: readonly BatchSource[], types: TypeRegistry, meter: SubtaskMeter | null = null) {
    this.sources = sources;
    this.reader = new RecordReader(types);
    this.meter = meter;
  }

  forEach(onRecord: (record: unknown) => void): void {
    const meter = this.meter;
    for (const source of this.sources) {
      const bytes = loadBatch(source);
      const n = this.reader.forEach(bytes, onRecord);
      if (meter !== null) this.counted(n, bytes.byteLength);
    }
  }

  private counted(records: number, bytes: number): void {
    this.meter!.recordsIn += records;
    this.meter!.bytesIn += bytes;
    this.meter!.batch();
  }

  toArray(): unknown[] {
    const out: unknown[] = [];
    this.forEach((r) => out.push(r));
    return out;
  }

  *batches(): Iterable<readonly unknown[]> {
    for (const source of this.sources) {
      const bytes = loadBatch(source);
      const records = this.reader.readAll(bytes);
      if (this.meter !== null) this.counted(records.length, bytes.byteLength);
      yield records;
    }
  }
}

export function loadBatch(source: BatchSource): Uint8Array {
  if (source.kind === 'memory') return source.bytes;
  const bytes = new Uint8Array(source.length);
  const fd = openSync(source.path, 'r');
  try {
    readExactlyAt(fd, bytes, source.offset, source.path);
  } finally {
    closeSync(fd);
  }
  return bytes;
}
