/**
 * Sink output is written aside and moved into place only when the job succeeds:
 * a failed job leaves no partial output and an existing target untouched.
 *
 * Next to the target (so that every rename stays on one file system, and hidden, so that
 * `listInputFiles` of the parent skips them) a job has:
 * - its staging area `.<name>.tsflink-staging-<pid>-<jobId>`: a file at parallelism 1, else a
 *   directory of files 1…p;
 * - a lock `.<name>.tsflink-lock`, created exclusively (link(2)) when the staging is prepared and removed at
 *   commit or abort; it holds the pid of the job's process. A second job writing the same target
 *   while the first runs fails before it runs with OutputBusyError naming that pid, so the files
 *   of two jobs never interleave; one job after another each replace the output whole. A lock of
 *   a pid that is no longer alive (a killed run) is removed and taken.
 * - while an existing target is replaced by a directory (or a directory by a file),
 *   `.<name>.tsflink-replaced-<pid>-<jobId>`: where the old output waits during the two renames.
 *
 * Replacing a file by a file is one rename(2), which is atomic: a reader, or a crash, sees the old
 * file or the new one. A directory cannot replace a directory (nor kinds differ) atomically on
 * POSIX, so the old output is moved aside, the new one moved in, and the old one removed: a crash
 * (SIGKILL) between the two renames leaves no target and the old output in the `-replaced-`
 * sibling. The next run's sweep (stale-files.ts) repairs that: a dead pid's `-replaced-` with no
 * target is moved back (the job never committed, and a failed job leaves its target as it was);
 * with the target present, the new output did move in, and the old one is removed.
 *
 * Names carry the client's pid (convention 2: `tsflink-<kind>-<pid>-`) so that `sweepStale` can
 * tell a dead run's leftovers from a running job's.
 */
import { lstatSync } from 'node:fs';
import { hostname } from 'node:os';
import { OutputBusyError, OutputExistsError, TsflinkError } from '../errors/index.ts';
import type { WriteModeName } from '../plan/nodes.ts';
import { baseName, childPath, fileSystemOf, type FileStatus, type FileSystem, isRemotePath, parentPath } from './fs/file-system.ts';
import { resolvePath } from './input-files.ts';
import { lockHolder, lockIsLive, staleName } from './stale-files.ts';

/**
 * Run before the job starts. Throws OutputExistsError when `path` exists and the write mode is
 * NO_OVERWRITE, and a TsflinkError naming the sink and the path when a parent of the target is
 * not a directory (no output could be created there).
 */
export function checkOutputTarget(path: string, writeMode: WriteModeName, sinkName?: string): void {
  const target = resolvePath(path);
  const fs = fileSystemOf(target);
  if (writeMode === 'NO_OVERWRITE' && fs.stat(target, false) !== undefined) throw new OutputExistsError(path);
  refuseSpecialTarget(fs, target, path, sinkName);
  for (let dir = parentPath(target); ; dir = parentPath(dir)) {
    const st = fs.stat(dir);
    if (st !== undefined) {
      if (st.type !== 'directory') throw new TsflinkError(`${sinkName === undefined ? 'Sink' : `Sink '${sinkName}'`}: cannot write output '${path}': '${dir}' is a file, not a directory`);
      return;
    }
    if (parentPath(dir) === dir) return;
  }
}

/**
 * OVERWRITE replaces what is at the target by a rename: never a symbolic link (the rename would
 * replace the link, not what it points to, and following it could replace anything) nor a device,
 * FIFO or socket (`/dev/stdout` replaced by a directory breaks it for the whole machine). Only a
 * regular file or a directory, or nothing, may be at an output path.
 */
function refuseSpecialTarget(fs: FileSystem, target: string, path: string, sinkName: string | undefined): void {
  // (A parent that is a file reads as nothing there: checkOutputTarget says so.)
  const st = fs.stat(target, false);
  if (st === undefined || st.type === 'file' || st.type === 'directory') return;
  const what = st.type === 'symlink' ? 'a symbolic link' : specialKind(target);
  throw new TsflinkError(
    `${sinkName === undefined ? 'Sink' : `Sink '${sinkName}'`}: will not write output '${path}': it is ${what}, which a sink never replaces; write to a path that is a regular file, a directory or nothing ('-' writes to stdout)`,
  );
}

/** What a local entry that is neither a file, a directory nor a link is. */
function specialKind(target: string): string {
  const st = lstatSync(target);
  return st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isFIFO() ? 'a named pipe' : 'a socket';
}

/** The lock file of a target: `.<name>.tsflink-lock` next to it. */
export function lockFileOf(target: string): string {
  return childPath(parentPath(target), `.${baseName(target)}.tsflink-lock`);
}

/** The pid a lock file holds (its first line), or null if it cannot be read (gone, or being written). */
export function lockOwner(lock: string): number | null {
  return lockHolder(lock)?.pid ?? null;
}

type CommitterState = 'created' | 'prepared' | 'committed' | 'aborted';

export class OutputCommitter {
  readonly path: string;
  /** The absolute local target. */
  readonly target: string;
  /** The staging file (parallelism 1) or directory (parallelism > 1). */
  readonly staging: string;
  /** The lock next to the target, held from prepare() until commit() or abort(). */
  readonly lock: string;
  private readonly parallelism: number;
  private readonly writeMode: WriteModeName;
  private readonly replaced: string; // where an existing target waits while the new output moves in
  private readonly fs: FileSystem;
  private state: CommitterState = 'created';
  private locked = false;

  constructor(path: string, parallelism: number, writeMode: WriteModeName, jobId: string) {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
    this.path = path;
    this.target = resolvePath(path);
    this.fs = fileSystemOf(this.target);
    this.parallelism = parallelism;
    this.writeMode = writeMode;
    const hidden = `.${baseName(this.target)}.`;
    const safeJobId = jobId.replace(/[^A-Za-z0-9._-]/g, '_');
    this.staging = childPath(parentPath(this.target), `${hidden}${staleName('staging')}${safeJobId}`);
    this.replaced = childPath(parentPath(this.target), `${hidden}${staleName('replaced')}${safeJobId}`);
    this.lock = lockFileOf(this.target);
  }

  /** The staging file that subtask `index` (0-based) writes: the staging file itself at parallelism 1, else `<staging>/<index + 1>`. */
  fileForSubtask(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.parallelism) {
      throw new RangeError(`subtask index ${index} is outside 0..${this.parallelism - 1}`);
    }
    return this.parallelism === 1 ? this.staging : childPath(this.staging, String(index + 1));
  }

  /**
   * Takes the target's lock and creates the staging area with every subtask's file, empty, so
   * that files 1…p all exist even if some subtask writes nothing. On failure nothing is left.
   */
  prepare(): void {
    this.fs.mkdirs(parentPath(this.target));
    this.takeLock();
    this.state = 'prepared';
    if (this.parallelism === 1) {
      this.fs.create(this.staging).close();
    } else {
      this.fs.mkdirs(this.staging);
      for (let i = 0; i < this.parallelism; i++) this.fs.create(this.fileForSubtask(i)).close();
    }
  }

  /** Moves the staged output to the target, replacing an existing one under OVERWRITE (see the header). */
  commit(): void {
    if (this.state !== 'prepared') throw new Error(`OutputCommitter for '${this.path}': commit() in state ${this.state}`);
    const existing: FileStatus | undefined = this.fs.stat(this.target, false);
    if (existing !== undefined && this.writeMode === 'NO_OVERWRITE') {
      this.abort();
      throw new OutputExistsError(this.path);
    }
    if (existing !== undefined && existing.type !== 'file' && existing.type !== 'directory') {
      this.abort();
      refuseSpecialTarget(this.fs, this.target, this.path, undefined); // made while the job ran
    }
    // rename(2) replaces a file atomically; HDFS's rename never replaces, so there a file is
    // replaced as a directory is (two renames).
    if (existing === undefined || (this.parallelism === 1 && existing.type !== 'directory' && !isRemotePath(this.target))) {
      this.fs.rename(this.staging, this.target);
    } else {
      this.fs.rename(this.target, this.replaced);
      try {
        this.fs.rename(this.staging, this.target);
      } catch (e) {
        this.fs.rename(this.replaced, this.target);
        throw e;
      }
      this.fs.remove(this.replaced);
    }
    this.state = 'committed';
    this.releaseLock();
  }

  /** Removes the staging area; the target is left as it was. Safe to call more than once, and after commit() (a no-op). */
  abort(): void {
    if (this.state === 'committed') return;
    this.fs.remove(this.staging);
    this.state = 'aborted';
    this.releaseLock();
  }

  private takeLock(): void {
    for (let tries = 0; ; tries++) {
      // Created exclusively, never seen half written (local-fs.ts: link(2)).
      if (this.fs.createExclusive(this.lock, `${process.pid}\n${hostname()}\n`)) {
        this.locked = true;
        return;
      }
      if (tries >= 2) throw Object.assign(new Error(`cannot take the lock ${this.lock}`), { code: 'EEXIST' });
      const owner = lockOwner(this.lock);
      if (owner !== null && lockIsLive(this.lock)) throw new OutputBusyError(this.path, owner);
      this.fs.remove(this.lock); // a dead run's
    }
  }

  private releaseLock(): void {
    if (!this.locked) return;
    this.locked = false;
    this.fs.remove(this.lock);
  }
}
