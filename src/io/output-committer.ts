/**
 * Sink output is written aside and moved into place only when the job succeeds (SPEC §5, §9.9):
 * a failed job leaves no partial output and an existing target untouched.
 *
 * The staging area is a hidden sibling of the target (`.<name>.tsflink-staging-<jobId>`), so the
 * final rename stays on one file system, and `listInputFiles` of the parent skips it.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OutputExistsError } from '../errors/index.ts';
import type { WriteModeName } from '../plan/nodes.ts';
import { resolvePath } from './input-files.ts';

/** Throws OutputExistsError when `path` exists and the write mode is NO_OVERWRITE. Run before the job starts. */
export function checkOutputTarget(path: string, writeMode: WriteModeName): void {
  if (writeMode === 'NO_OVERWRITE' && exists(resolvePath(path))) throw new OutputExistsError(path);
}

type CommitterState = 'created' | 'prepared' | 'committed' | 'aborted';

export class OutputCommitter {
  readonly path: string;
  /** The absolute local target. */
  readonly target: string;
  /** The staging file (parallelism 1) or directory (parallelism > 1). */
  readonly staging: string;
  private readonly parallelism: number;
  private readonly writeMode: WriteModeName;
  private readonly replaced: string; // where an existing target waits while the new output moves in
  private state: CommitterState = 'created';

  constructor(path: string, parallelism: number, writeMode: WriteModeName, jobId: string) {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
    this.path = path;
    this.target = resolvePath(path);
    this.parallelism = parallelism;
    this.writeMode = writeMode;
    const hidden = `.${basename(this.target)}.tsflink-`;
    const safeJobId = jobId.replace(/[^A-Za-z0-9._-]/g, '_');
    this.staging = join(dirname(this.target), `${hidden}staging-${safeJobId}`);
    this.replaced = join(dirname(this.target), `${hidden}replaced-${safeJobId}`);
  }

  /** The staging file that subtask `index` (0-based) writes: the staging file itself at parallelism 1, else `<staging>/<index + 1>`. */
  fileForSubtask(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.parallelism) {
      throw new RangeError(`subtask index ${index} is outside 0..${this.parallelism - 1}`);
    }
    return this.parallelism === 1 ? this.staging : join(this.staging, String(index + 1));
  }

  /** Creates the staging area with every subtask's file, empty, so that files 1…p all exist even if some subtask writes nothing. */
  prepare(): void {
    mkdirSync(dirname(this.target), { recursive: true });
    rmSync(this.staging, { recursive: true, force: true });
    if (this.parallelism === 1) {
      writeFileSync(this.staging, '');
    } else {
      mkdirSync(this.staging);
      for (let i = 0; i < this.parallelism; i++) writeFileSync(this.fileForSubtask(i), '');
    }
    this.state = 'prepared';
  }

  /** Moves the staged output to the target, replacing an existing one under OVERWRITE. */
  commit(): void {
    if (this.state !== 'prepared') throw new Error(`OutputCommitter for '${this.path}': commit() in state ${this.state}`);
    if (exists(this.target)) {
      if (this.writeMode === 'NO_OVERWRITE') {
        this.abort();
        throw new OutputExistsError(this.path);
      }
      rmSync(this.replaced, { recursive: true, force: true });
      renameSync(this.target, this.replaced);
      try {
        renameSync(this.staging, this.target);
      } catch (e) {
        renameSync(this.replaced, this.target);
        throw e;
      }
      rmSync(this.replaced, { recursive: true, force: true });
    } else {
      renameSync(this.staging, this.target);
    }
    this.state = 'committed';
  }

  /** Removes the staging area; the target is left as it was. Safe to call more than once, and after commit() (a no-op). */
  abort(): void {
    if (this.state === 'committed') return;
    rmSync(this.staging, { recursive: true, force: true });
    this.state = 'aborted';
  }
}

function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}
