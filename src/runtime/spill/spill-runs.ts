/**
 * Sorted runs on disk: a run is a file of binary record batches (SPEC §6) written in order; a
 * merge reads many runs batch by batch and yields their records in one order, stable across
 * runs (on ties the earlier run first). Files live in the job's temp directory and are removed
 * by `SpillFiles.removeAll`, after success and failure alike.
 */
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SpillError, TsflinkError } from '../../errors/index.ts';
import { staleName } from '../../io/stale-files.ts';
import { RecordReader } from '../../serde/record-reader.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';
import { readBatchAt, writeAllAt } from './batch-files.ts';

const RUN_BATCH_BYTES = 1 << 20;

/** The temp files of one operator instance. */
export class SpillFiles {
  private readonly parent: string;
  private readonly operator: string;
  private readonly owner: string;
  private dir: string | null = null;
  private n = 0;
  /** `owner` names what spills in errors: `'Name' (subtask 1 of 2)`; `operator` is the bare name. */
  constructor(parent: string, operator = 'an operator', owner = operator) {
    this.parent = parent;
    this.operator = operator;
    this.owner = owner;
  }
  newPath(): string {
    if (this.dir === null) {
      try {
        this.dir = mkdtempSync(join(this.parent, staleName('sort')));
      } catch (e) {
        throw this.failure(e);
      }
    }
    return join(this.dir, `run-${this.n++}.bin`);
  }
  /** The error to throw for a failed spill-file call: a SpillError naming the operator and the directory. */
  failure(error: unknown): unknown {
    return spillFailure(error, this.operator, this.owner, this.parent);
  }
  removeAll(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/**
 * A file-system error of a spill write as a SpillError (other errors unchanged). `tmpDir` is
 * where the spill files go; a job's own folder in io.tmp.dirs is reported as io.tmp.dirs.
 */
export function spillFailure(error: unknown, operator: string, spilling: string, tmpDir: string): unknown {
  if (error instanceof TsflinkError || typeof (error as { syscall?: unknown } | null)?.syscall !== 'string') return error;
  return new SpillError(operator, spilling, ioTmpDirOf(tmpDir), error);
}

/** The io.tmp.dirs entry a spill directory is in (a job's folder in it is the job's, not the user's). */
export function ioTmpDirOf(dir: string): string {
  return /^tsflink-job-/.test(basename(dir)) ? dirname(dir) : dir;
}

/** What this thread has spilled so far (for tests and diagnostics). */
export const spillStatistics = { runs: 0, bytes: 0, exchangeBytes: 0 };

/** Writes records, already in order, to a run file (`files` made its path; its errors name the operator). */
export function writeRun(files: SpillFiles, path: string, records: readonly unknown[], types: TypeRegistry): void {
  spillStatistics.runs++;
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw files.failure(e);
  }
  try {
    const writer = new RecordWriter(types);
    let pos = 0;
    const flush = (): void => {
      const bytes = writer.finish();
      try {
        writeAllAt(fd, bytes, pos);
      } catch (e) {
        throw files.failure(e);
      }
      pos += bytes.length;
      spillStatistics.bytes += bytes.length;
    };
    for (let i = 0; i < records.length; i++) {
      writer.write(records[i]);
      if (writer.size >= RUN_BATCH_BYTES) flush();
    }
    if (writer.count > 0) flush();
  } finally {
    closeSync(fd);
  }
}

/** Reads a run file batch by batch. */
class RunCursor {
  readonly run: number;
  private readonly path: string;
  private readonly fd: number;
  private readonly reader: RecordReader;
  private pos = 0;
  private batch: unknown[] = [];
  private index = 0;
  current: unknown = undefined;
  done = false;

  constructor(path: string, run: number, types: TypeRegistry) {
    this.run = run;
    this.path = path;
    this.fd = openSync(path, 'r');
    this.reader = new RecordReader(types);
    this.advance();
  }

  advance(): void {
    if (this.index < this.batch.length) {
      this.current = this.batch[this.index++];
      return;
    }
    const bytes = readBatchAt(this.fd, this.pos, this.path);
    if (bytes === null) {
      this.done = true;
      this.current = undefined;
      closeSync(this.fd);
      return;
    }
    this.pos += bytes.length;
    this.batch = this.reader.readAll(bytes);
    this.index = 0;
    this.advance();
  }

  close(): void {
    if (!this.done) {
      this.done = true;
      closeSync(this.fd);
    }
  }
}

/** Merges sorted runs (and an in-memory sorted tail, taken as the last run) into one ordered stream. */
export function mergeRuns(
  paths: readonly string[],
  memoryTail: readonly unknown[],
  compare: (a: unknown, b: unknown) => number,
  types: TypeRegistry,
  onRecord: (record: unknown) => void,
): void {
  const cursors = paths.map((p, i) => new RunCursor(p, i, types));
  let tail = 0;
  try {
    // Few runs (budget-sized each): a linear scan for the smallest head is cheaper than a heap here.
    for (;;) {
      let best: RunCursor | null = null;
      for (const c of cursors) {
        if (c.done) continue;
        if (best === null || compare(c.current, best.current) < 0) best = c;
      }
      const tailHead = tail < memoryTail.length ? memoryTail[tail] : undefined;
      if (tail < memoryTail.length && (best === null || compare(tailHead, best.current) < 0)) {
        onRecord(tailHead);
        tail++;
        continue;
      }
      if (best === null) break;
      const v = best.current;
      best.advance();
      onRecord(v);
    }
  } finally {
    for (const c of cursors) c.close();
  }
}
