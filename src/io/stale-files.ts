/**
 * Leftovers of runs that could not clean up (SIGKILL, a V8 out-of-memory, a power cut), removed by
 * the next run.
 *
 * Every folder or file a running job creates outside its output (job and spill folders in
 * io.tmp.dirs, Flink job folders, a sink's staging, replaced and lock files next to its target)
 * has a name containing `tsflink-<kind>-<pid>-`, where `<pid>` is the client process's pid
 * (`staleName`). Before a job starts, `sweepStale` is run on io.tmp.dirs and on each sink target's
 * parent: an entry whose pid is not a live process on this machine is what a run that ended
 * without cleaning up left, and is removed, saying so on stderr. An entry of a live pid (another
 * job running now, or this process's own) is left alone.
 *
 * A `.<out>.tsflink-replaced-<pid>-<jobId>` is an old output moved aside while a new one moved in
 * (see output-committer.ts: a directory cannot replace a directory in one rename). If its run died
 * between the two renames the target is missing: the old output is moved back, since the job that
 * was replacing it never finished and a failed job leaves its target as it was. If the target is
 * present the new output did move in (the job committed), and the old one is removed.
 *
 * A target's lock `.<out>.tsflink-lock` (see output-committer.ts) has a fixed name, so that only
 * one job can create it; it holds its owner's pid, and a dead owner's lock is removed too.
 *
 * Pid reuse can make a dead run's leftovers look live; they are then left for a later sweep, which
 * errs on the side of never removing what a running job uses.
 */
import { hostname } from 'node:os';
import { childPath, fileSystemOf } from './fs/file-system.ts';

/** Matches a name made by `staleName`; group 1 is the pid. */
export const STALE_NAME = /tsflink-([a-z]+)-(\d+)-/;

const REPLACED = /^\.(.+)\.tsflink-replaced-(\d+)-/;

/** A fresh name part `tsflink-<kind>-<pid>-` for something of this process (`kind` is lower-case letters). */
export function staleName(kind: string): string {
  if (!/^[a-z]+$/.test(kind)) throw new RangeError(`kind must be lower-case letters, got '${kind}'`);
  return `tsflink-${kind}-${process.pid}-`;
}

/**
 * The pid and host of a target's lock (output-committer.ts): its first line and its second (none:
 * this machine's), or null if it cannot be read (gone, or being written).
 */
export function lockHolder(lock: string): { pid: number; host: string } | null {
  try {
    const [first, second] = fileSystemOf(lock).readText(lock).split('\n');
    const pid = Number(first!.trim());
    return Number.isSafeInteger(pid) && pid > 0 ? { pid, host: second?.trim() || hostname() } : null;
  } catch {
    return null;
  }
}

/**
 * Whether a lock's holder may be running: a live pid of this machine, or any process of another
 * machine (a lock on a shared file system; whether it lives cannot be told from here).
 */
export function lockIsLive(lock: string): boolean {
  const holder = lockHolder(lock);
  if (holder === null) return false;
  return holder.host !== hostname() || isLivePid(holder.pid);
}

/** Whether `pid` is a live process on this machine (`process.kill(pid, 0)`: ESRCH means no; EPERM means someone else's, alive). */
export function isLivePid(pid: number): boolean {
  if (pid === process.pid) return true;
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the entries of `dir` left by runs that did not finish (name matching `STALE_NAME`, pid
 * not alive), and repairs an output a dead run left half replaced (see the header). Says on
 * `stderr` what it removed or moved back. A missing or unreadable `dir` is nothing to sweep.
 */
export function sweepStale(dir: string, stderr: (text: string) => void): void {
  const fs = fileSystemOf(dir);
  let names: string[];
  try {
    names = fs.list(dir);
  } catch {
    return;
  }
  // Replaced outputs first: one moved back must not then count as leftover of anything else.
  const ordered = [...names.filter((n) => REPLACED.test(n)), ...names.filter((n) => !REPLACED.test(n))];
  for (const name of ordered) {
    const m = STALE_NAME.exec(name);
    const lock = m === null && name.endsWith('.tsflink-lock') ? lockHolder(childPath(dir, name)) : null;
    const pid = m !== null ? Number(m[2]) : (lock?.pid ?? null);
    if (pid === null) continue;
    // A name's pid is this machine's, except on a shared file system, where only a lock says whose it is.
    if (m !== null ? isLivePid(pid) || fs.name !== 'local' : lockIsLive(childPath(dir, name))) continue;
    const path = childPath(dir, name);
    if (fs.stat(path, false) === undefined) continue; // another sweeper was first
    const replaced = REPLACED.exec(name);
    try {
      if (replaced !== null) {
        const target = childPath(dir, replaced[1]!);
        if (fs.stat(target, false) === undefined) {
          fs.rename(path, target);
          stderr(`tsflink: restored ${target} from ${path}, left by an earlier run (pid ${pid}) that did not finish replacing it\n`);
          continue;
        }
      }
      fs.remove(path);
      stderr(`tsflink: removed ${path}, left by an earlier run (pid ${pid}) that did not finish\n`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // another sweeper was first
      stderr(`tsflink: could not remove ${path}, left by an earlier run (pid ${pid}): ${(e as Error).message}\n`);
    }
  }
}
