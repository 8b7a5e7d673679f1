/**
 * Exchanges between threads: the producer side encodes records into one binary batch per
 * target (SPEC §6) and ships each batch when it is full; the consumer side decodes batches that
 * arrive in memory or sit in spill files. Encoding is the copy SPEC §9.4 asks for.
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

/** A batch is shipped once it holds this many bytes: large enough to amortise a message, small enough to pipeline. */
export const BATCH_BYTES = 256 * 1024;

export type BatchSink = (target: number, bytes: Uint8Array) => void;

export class BinaryExchangeWriter implements Output {
  private readonly partitioner: Partitioner;
  private readonly writers: RecordWriter[];
  private readonly broadcastWriter: RecordWriter;
  private readonly ship: BatchSink;
  private readonly operator: string;

  constructor(partitioner: Partitioner, consumers: number, types: TypeRegistry, ship: BatchSink, operator: string) {
    this.operator = operator;
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
    if (w.size >= BATCH_BYTES) this.ship(t, w.finish());
  }

  close(): void {
    for (let t = 0; t < this.writers.length; t++) {
      const w = this.writers[t]!;
      if (w.count > 0) this.ship(t, w.finish());
    }
    if (this.broadcastWriter.count > 0) this.ship(ALL_TARGETS, this.broadcastWriter.finish());
  }
}

/** Reads the batches of one input of one consumer subtask. */
export class BatchInputChannel implements InputChannel {
  private readonly sources: readonly BatchSource[];
  private readonly reader: RecordReader;

  constructor(sources: readonly BatchSource[], types: TypeRegistry) {
    this.sources = sources;
    this.reader = new RecordReader(types);
  }

  forEach(onRecord: (record: unknown) => void): void {
    for (const source of this.sources) this.reader.forEach(loadBatch(source), onRecord);
  }

  toArray(): unknown[] {
    const out: unknown[] = [];
    this.forEach((r) => out.push(r));
    return out;
  }

  *batches(): Iterable<readonly unknown[]> {
    for (const source of this.sources) yield this.reader.readAll(loadBatch(source));
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
