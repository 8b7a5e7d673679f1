/**
 * Hash-partitioned spill files, for joins and coGroups whose inputs exceed the memory budget
 * (a "grace" hash join): records are written to one of `PARTITIONS` files by key hash, and each
 * partition is later joined on its own, small enough to hold.
 */
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { RecordReader } from '../../serde/record-reader.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';
import { readBatchAt, writeAllAt } from './batch-files.ts';
import { spillStatistics, type SpillFiles } from './spill-runs.ts';

export const PARTITIONS = 16;

/** A partition for a key hash; uses the hash's high bits, since the low ones chose this subtask. */
export function spillPartition(hash: number): number {
  return Math.imul(hash, 0x9e3779b1) >>> 28;
}

export class PartitionSpill {
  private readonly types: TypeRegistry;
  private readonly paths: string[] = [];
  private readonly fds: number[] = [];
  private readonly sizes: number[] = [];
  private readonly writers: RecordWriter[] = [];
  private readonly flushBytes: number;
  private readonly files: SpillFiles;
  readonly partitions: number;

  /** `partitions` files, each written in batches of about `flushBytes` (what one holds in memory). */
  constructor(types: TypeRegistry, files: SpillFiles, partitions = PARTITIONS, flushBytes = 256 * 1024) {
    this.types = types;
    this.partitions = partitions;
    this.flushBytes = flushBytes;
    this.files = files;
    for (let i = 0; i < partitions; i++) {
      const path = files.newPath();
      this.paths.push(path);
      try {
        this.fds.push(openSync(path, 'w+'));
      } catch (e) {
        this.close();
        throw files.failure(e);
      }
      this.sizes.push(0);
      this.writers.push(new RecordWriter(types, Math.min(flushBytes * 2, 64 * 1024)));
    }
  }

  add(partition: number, record: unknown): void {
    const w = this.writers[partition]!;
    w.write(record);
    if (w.size >= this.flushBytes) this.flush(partition);
  }

  private flush(partition: number): void {
    const bytes = this.writers[partition]!.finish();
    try {
      writeAllAt(this.fds[partition]!, bytes, this.sizes[partition]!);
    } catch (e) {
      throw this.files.failure(e);
    }
    this.sizes[partition]! += bytes.length;
    spillStatistics.bytes += bytes.length;
  }

  /** Flushes what is buffered; call before reading. */
  finish(): void {
    for (let i = 0; i < this.partitions; i++) if (this.writers[i]!.count > 0) this.flush(i);
    spillStatistics.runs += this.partitions;
  }

  forEach(partition: number, onRecord: (record: unknown) => void): void {
    const fd = this.fds[partition]!;
    const size = this.sizes[partition]!;
    const reader = new RecordReader(this.types);
    for (let pos = 0; pos < size; ) {
      const bytes = readBatchAt(fd, pos, this.paths[partition]!);
      if (bytes === null) throw new Error(`spill file ${this.paths[partition]} ended early`);
      pos += bytes.length;
      reader.forEach(bytes, onRecord);
    }
  }

  /** Frees a partition's disk space once it has been read. */
  release(partition: number): void {
    ftruncateSync(this.fds[partition]!, 0);
    this.sizes[partition] = 0;
  }

  /** Bytes written to a partition so far. */
  bytes(partition: number): number {
    return this.sizes[partition]!;
  }

  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
  }
}
