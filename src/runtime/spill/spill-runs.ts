/**
 * Sorted runs on disk: a run is a file of binary record batches written in order; a
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

/** The encoded size of one batch of a run (a merge holds one decoded batch per run it reads). */
const RUN_BATCH_BYTES = 64 * 1024;

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
  const run = new RunWriter(files, path, types);
  try {
    for (let i = 0; i < records.length; i++) run.write(records[i]);
  } finally {
    run.close();
  }
}

/** Writes a run file record by record, a batch at a time. */
class RunWriter {
  private readonly files: SpillFiles;
  private readonly fd: number;
  private readonly writer: RecordWriter;
  private pos = 0;
  private closed = false;

  constructor(files: SpillFiles, path: string, types: TypeRegistry) {
    spillStatistics.runs++;
    this.files = files;
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw files.failure(e);
    }
    this.writer = new RecordWriter(types);
  }

  write(record: unknown): void {
    this.writer.write(record);
    if (this.writer.size >= RUN_BATCH_BYTES) this.flush();
  }

  /** Writes what is left and closes the file (also after a failure). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.writer.count > 0) this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  private flush(): void {
    const bytes = this.writer.finish();
    try {
      writeAllAt(this.fd, bytes, this.pos);
    } catch (e) {
      throw this.files.failure(e);
    }
    this.pos += bytes.length;
    spillStatistics.bytes += bytes.length;
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

/**
 * Decoded records take several times their encoded size: a merge counts this much memory per
 * open run (a batch of RUN_BATCH_BYTES decoded), and opens no more runs at once than its budget
 * allows.
 */
const MERGE_BYTES_PER_RUN = 8 * RUN_BATCH_BYTES;

/** How many runs a merge within `budgetBytes` reads at once (at least 2). */
export function mergeFanIn(budgetBytes: number): number {
  return Math.max(2, Math.floor(budgetBytes / MERGE_BYTES_PER_RUN));
}

/**
 * Merges sorted runs (and an in-memory sorted tail, taken as the last run) into one ordered
 * stream. With `spill`, a merge never reads more runs at once than its budget allows: more runs
 * than that are first merged, a group of earlier runs at a time, into longer runs in `spill.files`
 * (earlier runs first, so ties keep their order), the tail written out as the last run (and
 * emptied, so that its records can go).
 */
export function mergeRuns(
  paths: readonly string[],
  memoryTail: unknown[],
  compare: (a: unknown, b: unknown) => number,
  types: TypeRegistry,
  onRecord: (record: unknown) => void,
  spill?: { readonly files: SpillFiles; readonly budgetBytes: number },
): void {
  if (spill === undefined || paths.length + 1 <= mergeFanIn(spill.budgetBytes)) {
    mergeAtOnce(paths, memoryTail, compare, types, onRecord);
    return;
  }
  const fanIn = mergeFanIn(spill.budgetBytes);
  let runs = [...paths];
  if (memoryTail.length > 0) {
    const tailPath = spill.files.newPath();
    writeRun(spill.files, tailPath, memoryTail, types);
    memoryTail.length = 0;
    runs.push(tailPath);
  }
  while (runs.length > fanIn) {
    const merged: string[] = [];
    for (let i = 0; i < runs.length; i += fanIn) {
      const group = runs.slice(i, i + fanIn);
      if (group.length === 1) {
        merged.push(group[0]!);
        continue;
      }
      const path = spill.files.newPath();
      const out = new RunWriter(spill.files, path, types);
      try {
        mergeAtOnce(group, [], compare, types, (r) => out.write(r));
      } finally {
        out.close();
      }
      for (const g of group) rmSync(g, { force: true });
      merged.push(path);
    }
    runs = merged;
  }
  mergeAtOnce(runs, [], compare, types, onRecord);
}

function mergeAtOnce(paths: readonly string[], memoryTail: readonly unknown[], compare: (a: unknown, b: unknown) => number, types: TypeRegistry, onRecord: (record: unknown) => void): void {
  const cursors = paths.map((p, i) => new RunCursor(p, i, types));
  let tail = 0;
  try {
    // Few runs (at most the fan-in): a linear scan for the smallest head is cheaper than a heap here.
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
