/**
 * A Flink worker's input, streamed with credits (worker-frames.ts): the worker asks for one
 * batch at a time (CREDIT) when its operators want records, and the JVM answers with one DATA
 * or END frame. One batch is in flight at a time, so neither side holds more than a batch, and
 * since the JVM writes only to a worker waiting to read, a worker busy writing output never
 * blocks it (no deadlock, however slow either side).
 *
 * Flink interleaves the batches of a task's inputs (their union feeds the task). A channel
 * being read streams its own batches straight to the operators; the batches of other inputs that
 * arrive meanwhile are spooled to a file per input and read from there when their turn comes —
 * a hash join's probe side while it builds, say — so memory stays bounded there too.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { InputChannel } from '../../runtime/input-channel.ts';
import { loadBatch } from '../../runtime/worker/binary-exchange.ts';
import type { BatchSource } from '../../runtime/worker/protocol.ts';
import { RecordReader } from '../../serde/record-reader.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';

/** Asks the JVM for the next batch: its slot and bytes, or null at the end of the input. */
export type NextBatch = () => { readonly slot: number; readonly batch: Uint8Array } | null;

export class StreamedInput {
  private readonly next: NextBatch;
  private readonly dir: string;
  private readonly spooled: BatchSource[][];
  private readonly files: { fd: number; size: number }[];
  private ended = false;

  constructor(slots: number, dir: string, next: NextBatch) {
    this.next = next;
    this.dir = dir;
    this.spooled = Array.from({ length: slots }, () => []);
    this.files = Array.from({ length: slots }, () => ({ fd: -1, size: 0 }));
  }

  /** The channel of one input slot; read it once. */
  channel(slot: number, types: TypeRegistry): InputChannel {
    const reader = new RecordReader(types);
    const forEach = (onRecord: (record: unknown) => void): void => {
      this.closeFile(slot);
      for (const source of this.spooled[slot]!) reader.forEach(loadBatch(source), onRecord);
      this.spooled[slot] = [];
      while (!this.ended) {
        const got = this.pull();
        if (got === null) break;
        if (got.slot === slot) reader.forEach(got.batch, onRecord);
        else this.spool(got.slot, got.batch);
      }
    };
    const self = this;
    return {
      forEach,
      toArray(): unknown[] {
        const out: unknown[] = [];
        forEach((r) => out.push(r));
        return out;
      },
      // The same order as forEach; a CREDIT goes out only when the previous batch has been taken.
      *batches(): Iterable<readonly unknown[]> {
        self.closeFile(slot);
        const spooled = self.spooled[slot]!;
        self.spooled[slot] = [];
        for (const source of spooled) yield reader.readAll(loadBatch(source));
        while (!self.ended) {
          const got = self.pull();
          if (got === null) break;
          if (got.slot === slot) yield reader.readAll(got.batch);
          else self.spool(got.slot, got.batch);
        }
      },
    };
  }

  /** Reads what the operators left unread, so the JVM reaches the end of this task's input. */
  finish(): void {
    while (!this.ended && this.pull() !== null) {
      // discarded: an operator that stops early (first(n) of an ungrouped input) ignores the rest
    }
    for (let s = 0; s < this.files.length; s++) this.closeFile(s);
  }

  private pull(): { readonly slot: number; readonly batch: Uint8Array } | null {
    const got = this.next();
    if (got === null) this.ended = true;
    return got;
  }

  private spool(slot: number, batch: Uint8Array): void {
    const f = this.files[slot]!;
    const path = join(this.dir, `input-${slot}`);
    if (f.fd < 0) {
      // The folder is made when first needed (the JVM names it; the worker removes it after the task).
      mkdirSync(this.dir, { recursive: true });
      f.fd = openSync(path, 'a');
    }
    writeSync(f.fd, batch);
    this.spooled[slot]!.push({ kind: 'file', path, offset: f.size, length: batch.length });
    f.size += batch.length;
  }

  private closeFile(slot: number): void {
    const f = this.files[slot]!;
    if (f.fd >= 0) {
      closeSync(f.fd);
      f.fd = -1;
    }
  }
}
