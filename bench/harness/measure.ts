/**
 * Runs one contender as a child process and measures it: wall time (spawn to exit, as a user
 * waits for it), CPU time and peak RSS. Peak RSS comes from GNU time (`/usr/bin/time -f`, the
 * kernel's ru_maxrss of the child — worker threads included, they share the process) or, where
 * that is missing, from polling `/proc/<pid>/status` VmHWM every 20 ms.
 *
 * A contender of several processes (a Python driver with its JVM and the JVM's Python workers:
 * PySpark, PyFlink) is measured with `processTree`: ru_maxrss is that of the largest single
 * process of the tree (the kernel keeps the maximum over the reaped children, not their sum), so
 * the resident sets of all the processes of the tree are also polled every 50 ms and summed, and
 * the peak is the larger of the two figures. CPU time from GNU time counts the children the tree
 * reaped (the peers wait for their JVM before they exit: bench/peers/python/).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measurement {
  readonly ok: boolean;
  readonly wallMs: number;
  /** User + system CPU seconds (null when /usr/bin/time is missing). */
  readonly cpuSeconds: number | null;
  readonly peakRssMiB: number | null;
  readonly exitCode: number | null;
  /** The last lines of stderr, for a failed run. */
  readonly stderrTail: string;
}

export interface MeasureOptions {
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  /** The executable (default: this Node binary); `args` follow it. */
  readonly command?: string;
  /** Sum the resident sets of the whole process tree (polled), for a contender of several processes. */
  readonly processTree?: boolean;
}

const GNU_TIME = '/usr/bin/time';

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

export async function measure(args: readonly string[], options: MeasureOptions): Promise<Measurement> {
  const useTime = hasGnuTime();
  const statsFile = join(tmpdir(), `tsflink-bench-${process.pid}-${Date.now()}.time`);
  const executable = options.command ?? process.execPath;
  const command = useTime ? GNU_TIME : executable;
  const argv = useTime ? ['-f', '%M %U %S', '-o', statsFile, executable, ...args] : [...args];

  const started = performance.now();
  const child = spawn(command, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-8000);
  });

  let polledKiB = 0;
  let treeKiB = 0;
  const poller = useTime ? null : setInterval(() => (polledKiB = Math.max(polledKiB, readVmHwmKiB(child.pid))), 20);
  // Under GNU time the tree's root is `time` itself (a megabyte or two): its children are the contender.
  const treePoller = options.processTree ? setInterval(() => (treeKiB = Math.max(treeKiB, treeRssKiB(child.pid, useTime))), 50) : null;
  // The whole tree: a peer's JVM (and its workers) would outlive a killed driver.
  const timer = setTimeout(() => killTree(child.pid), options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  if (poller) clearInterval(poller);
  if (treePoller) clearInterval(treePoller);

  let cpuSeconds: number | null = null;
  let peakKiB: number | null = useTime ? null : polledKiB || null;
  if (useTime && existsSync(statsFile)) {
    // GNU time writes "Command exited with non-zero status N" above the figures on failure.
    const last = readFileSync(statsFile, 'utf8').trim().split('\n').pop() ?? '';
    const [rss, user, sys] = last.split(' ').map(Number);
    if (rss !== undefined && Number.isFinite(rss)) peakKiB = rss;
    if (user !== undefined && sys !== undefined && Number.isFinite(user + sys)) cpuSeconds = user + sys;
    rmSync(statsFile, { force: true });
  }
  if (treeKiB > 0) peakKiB = Math.max(peakKiB ?? 0, treeKiB);
  return {
    ok: exitCode === 0,
    wallMs,
    cpuSeconds,
    peakRssMiB: peakKiB === null ? null : peakKiB / 1024,
    exitCode,
    stderrTail: stderr.split('\n').slice(-15).join('\n'),
  };
}

function readVmHwmKiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // already gone
  }
}

/** The summed VmRSS of the process `root` and its descendants (without `root` when `skipRoot`). */
function treeRssKiB(root: number | undefined, skipRoot: boolean): number {
  if (root === undefined) return 0;
  let total = 0;
  const pending = [root];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    if (pid !== root || !skipRoot) total += readVmRssKiB(pid);
    pending.push(...childrenOf(pid));
  }
  return total;
}

function readVmRssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The child processes of `pid`: each of its threads lists those it started (/proc/<pid>/task/<tid>/children). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim() !== '') children.push(Number(c));
      } catch {
        // the thread ended
      }
    }
  } catch {
    // the process ended
  }
  return children;
}

/** SIGKILL to `root` and every process below it (the children listed first, before they are orphaned). */
function killTree(root: number | undefined): void {
  if (root === undefined) return;
  const all: number[] = [];
  const pending = [root];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    all.push(pid);
    pending.push(...childrenOf(pid));
  }
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
