/**
 * Leak checks for fault tests: a private "machine" (temp folder, io.tmp.dirs, output parent) that a
 * job runs against, and assertions that after the job it holds exactly what it held before and
 * that no process started for it is still running.
 *
 * The sandbox is private so that test files running at the same time cannot disturb the snapshot:
 * a child client gets it as TMPDIR (Node's `os.tmpdir()` and, through the runners, Java's
 * `java.io.tmpdir`), and a process belongs to the sandbox when its command line or environment
 * names the sandbox's path.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after } from 'node:test';

export interface Sandbox {
  /** The sandbox root; every other folder is inside it. */
  readonly root: string;
  /** Give a child client this as TMPDIR. */
  readonly tmp: string;
  /** For `io.tmp.dirs`. */
  readonly spill: string;
  /** A parent folder for inputs and outputs. */
  readonly data: string;
}

/** A new sandbox, removed when the test file ends. */
export function sandbox(prefix = 'tsflink-leaks-'): Sandbox {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  const box = { root, tmp: join(root, 'tmp'), spill: join(root, 'spill'), data: join(root, 'data') };
  for (const dir of [box.tmp, box.spill, box.data]) mkdirSync(dir);
  return box;
}

/** Every path under `root` (relative, folders marked with a trailing `/`), sorted. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.isDirectory()) {
        out.push(`${relative(root, path)}/`);
        walk(path);
      } else {
        out.push(relative(root, path));
      }
    }
  };
  walk(root);
  return out.sort();
}

/** The pids of live processes (other than this one) whose command line or environment names `marker`. */
export function processesNaming(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    for (const file of ['cmdline', 'environ']) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/${file}`, 'latin1');
      } catch {
        continue; // gone, or not ours to read
      }
      if (text.includes(marker)) {
        if (!isZombie(pid)) pids.push(pid);
        break;
      }
    }
  }
  return pids;
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return true;
  }
}

/** What a sandbox holds now: compare it with `assertUnchanged` after the job. */
export function snapshot(box: Sandbox): string[] {
  return listTree(box.root);
}

/**
 * Asserts that the sandbox holds exactly `before` (allowing only paths matching `allow`, e.g. the
 * job's committed output) and that no process naming the sandbox is alive. Processes get
 * `graceMs` to end, since a killed client's children notice their parent's end a moment later.
 */
export async function assertUnchanged(box: Sandbox, before: readonly string[], options: { allow?: RegExp; graceMs?: number; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + (options.graceMs ?? 10_000);
  let alive = processesNaming(box.root);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = processesNaming(box.root);
  }
  const what = options.what === undefined ? '' : ` after ${options.what}`;
  assert.deepEqual(
    alive.map((pid) => describeProcess(pid)),
    [],
    `processes left running${what}`,
  );
  const now = listTree(box.root).filter((p) => !before.includes(p) && !(options.allow?.test(p) ?? false));
  const gone = before.filter((p) => !listTree(box.root).includes(p));
  assert.deepEqual({ added: now, removed: gone }, { added: [], removed: [] }, `sandbox changed${what}`);
}

function describeProcess(pid: number): string {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').slice(0, 200)}`;
  } catch {
    return String(pid);
  }
}
