/**
 * Runs one contender as a child process and measures it: wall time (spawn to exit, as a user
 * waits for it), CPU time and peak RSS. Peak RSS comes from GNU time (`/usr/bin/time -f`, the
 * kernel's ru_maxrss of the child — worker threads included, they share the process) or, where
 * that is missing, from polling `/proc/<pid>/status` VmHWM every 20 ms.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
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

const GNU_TIME = '/usr/bin/time';

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

export async function measure(args: readonly string[], options: { cwd: string; timeoutMs: number; env: NodeJS.ProcessEnv }): Promise<Measurement> {
  const useTime = hasGnuTime();
  const statsFile = join(tmpdir(), `tsflink-bench-${process.pid}-${Date.now()}.time`);
  const command = useTime ? GNU_TIME : process.execPath;
  const argv = useTime ? ['-f', '%M %U %S', '-o', statsFile, process.execPath, ...args] : [...args];

  const started = performance.now();
  const child = spawn(command, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-8000);
  });

  let polledKiB = 0;
  const poller = useTime ? null : setInterval(() => (polledKiB = Math.max(polledKiB, readVmHwmKiB(child.pid))), 20);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  if (poller) clearInterval(poller);

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
