/**
 * Running one small tsflink program in a real host (a `tsflink run`, a plain `node` script, tsx,
 * a test runner, `node -e`, a service …) as a child process, and checking what issue 10 asks of
 * every host: the answer at p=2 is the p=1 answer, the user functions ran on worker threads (two
 * of them, never the main thread), and the child left no temp files and no processes behind.
 *
 * Each child gets its own TMPDIR (a fresh folder in the case directory); afterwards that folder
 * holds nothing tsflink made, and no process started with it in its environment is alive.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { assertSameMultiset, clientEnv, runNode, tempDir } from '../helpers.ts';
import { ROOT, builtPackage } from './built-package.ts';

/** tsflink's sources, for TypeScript hosts run under tsx. */
export const INDEX_TS = join(ROOT, 'src', 'index.ts');
/** `node --import <TSX>`: tsx's loader. */
export const TSX = import.meta.resolve('tsx');
/** The `tsx` command (what `npx tsx` runs). */
export const TSX_CLI = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** What a host's job computes: generateSequence(1, n) → × multiplier → keep multiples of `keep`. */
export interface JobSpec {
  readonly n: number;
  readonly multiplier: number;
  readonly keep: number;
}

export const DEFAULT_SPEC: JobSpec = { n: 200_000, multiplier: 1, keep: 1 };

/**
 * A module the programs import: where a function runs. A worker imports it (it is not the
 * entry script), so there `threadId` and `isMainThread` are the worker's own.
 */
const PROBE = `import { isMainThread, threadId } from 'node:worker_threads';
export function where() {
  return [threadId, isMainThread ? 1 : 0];
}
`;

/**
 * `runJob(getEnvironment, where, p, spec)`: the job every host runs, as plain JavaScript (valid
 * TypeScript for tsx too). Rows are [value % 10, sum of values, threadId, isMainThread, count],
 * one per key and thread that mapped records of it.
 */
export const RUN_JOB = `async function runJob(getEnvironment, where, p, spec) {
  const env = getEnvironment();
  env.setParallelism(p);
  const multiplier = spec.multiplier;
  const keep = spec.keep;
  return env
    .generateSequence(1, spec.n)
    .map((x) => x * multiplier)
    .filter((x) => x % keep === 0)
    .map((x) => {
      const [thread, main] = where();
      return [x % 10, x, thread, main, 1];
    })
    .groupBy(0, 2, 3)
    .reduce((a, b) => [a[0], a[1] + b[1], a[2], a[3], a[4] + b[4]])
    .collect();
}
`;

/** Statements that run the job at p=1 and p=2 and print one JSON report line (needs top-level await or an async function). */
export function reportStatements(spec: JobSpec = DEFAULT_SPEC): string {
  const s = JSON.stringify(spec);
  return `const p1 = await runJob(getEnvironment, where, 1, ${s});
const p2 = await runJob(getEnvironment, where, 2, ${s});
console.log(JSON.stringify({ pid: process.pid, p1, p2 }));
`;
}

/**
 * A case directory for one host: `package.json` ({"type":"module"}), `node_modules/tsflink`
 * linked to the built package (as `npm install tsflink` would give), and the probe module.
 */
export function caseDir(name: string): string {
  const dir = tempDir(`tsflink-test-host-${name}-`);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `host-${name}`, private: true, type: 'module' })}\n`);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(builtPackage(), join(dir, 'node_modules', 'tsflink'), 'dir');
  writeFileSync(join(dir, 'probe.mjs'), PROBE);
  return dir;
}

/** The probe module's URL, for programs that are not files in the case directory (`node -e`). */
export function probeUrl(dir: string): string {
  return pathToFileURL(join(dir, 'probe.mjs')).href;
}

/** The ESM header of a program: tsflink (by package name, or a path) and the probe. */
export function esmHeader(dir: string, tsflink = 'tsflink'): string {
  return `import { getEnvironment } from ${JSON.stringify(tsflink)};\nimport { where } from ${JSON.stringify(probeUrl(dir))};\n`;
}

export type Row = [number, number, number, number, number];

export interface Report {
  readonly pid: number;
  readonly p1: Row[];
  readonly p2: Row[];
}

/** [key, sum, count] per key, whatever threads the rows came from. */
export function answer(rows: readonly Row[]): [number, number, number][] {
  const byKey = new Map<number, [number, number, number]>();
  for (const [k, sum, , , n] of rows) {
    const e = byKey.get(k) ?? [k, 0, 0];
    e[1] += sum;
    e[2] += n;
    byKey.set(k, e);
  }
  return [...byKey.values()];
}

/** The answer computed here, without tsflink. */
export function expectedAnswer(spec: JobSpec): [number, number, number][] {
  const rows: Row[] = [];
  for (let i = 1; i <= spec.n; i++) {
    const x = i * spec.multiplier;
    if (x % spec.keep === 0) rows.push([x % 10, x, 0, 0, 1]);
  }
  return answer(rows);
}

/** The threads the map function ran on, and whether any of them was a main thread. */
export function threadsOf(rows: readonly Row[]): { threads: number[]; onMain: boolean } {
  return { threads: [...new Set(rows.map((r) => r[2]))].sort((a, b) => a - b), onMain: rows.some((r) => r[3] === 1) };
}

/**
 * (a) The parallel run (`rows`, p=2 unless told) gives the p=1 answer, which is the right one;
 * (b) its map function ran on worker threads only, as many as the job has workers
 * (min(p, cores): two at p=2 on this 2-core machine).
 */
export function assertParallelReport(report: Report, spec: JobSpec = DEFAULT_SPEC, rows: readonly Row[] = report.p2, p = 2): void {
  assertSameMultiset(answer(report.p1), expectedAnswer(spec), 'the p=1 answer');
  assertSameMultiset(answer(rows), answer(report.p1), `the p=${p} answer is the p=1 answer`);
  const { threads, onMain } = threadsOf(rows);
  const workers = Math.min(p, availableParallelism());
  assert.equal(onMain, false, `at p=${p} the map function ran on the main thread (threads ${threads.join(', ')})`);
  assert.equal(threads.length, workers, `at p=${p} the map function ran on ${threads.length} thread(s) (${threads.join(', ')}), not ${workers}`);
}

/** The report line a program printed (the last line that is a JSON object). */
export function parseReport(stdout: string): Report {
  const line = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  assert.ok(line, `no report line in the output:\n${stdout}`);
  return JSON.parse(line) as Report;
}

let tmpCount = 0;

/** A fresh folder in `dir` to be a child's TMPDIR. */
export function childTmp(dir: string): string {
  const tmp = join(dir, `tmp-${++tmpCount}`);
  mkdirSync(tmp);
  return tmp;
}

/** What a child left in its TMPDIR (tsx's compile cache, `tsx-<uid>`, is tsx's, not tsflink's). */
export function leftoversIn(tmp: string): string[] {
  return readdirSync(tmp).filter((f) => !/^tsx-\d+$/.test(f));
}

function startedWith(tmp: string): number[] {
  const marker = `TMPDIR=${tmp}\0`;
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'latin1').includes(marker)) pids.push(Number(p));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/**
 * Processes still alive that were started with TMPDIR `tmp` (a child's descendants), after
 * giving ones on their way out a few seconds; those still there are killed and named.
 */
export async function survivorsOf(tmp: string): Promise<string[]> {
  let pids = startedWith(tmp);
  for (let i = 0; i < 50 && pids.length > 0; i++) {
    await sleep(100);
    pids = startedWith(tmp);
  }
  const named = pids.map((pid) => {
    let cmd = '?';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      // gone meanwhile
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    return `${pid}: ${cmd}`;
  });
  return named;
}

export interface HostRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly leftovers: string[];
  readonly survivors: string[];
}

/** Runs `node …args` in `dir` with its own TMPDIR, to the end (killed after 60 s: status null). */
export async function runHost(dir: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<HostRun> {
  const tmp = childTmp(dir);
  const r = await runNode(args, { cwd: dir, env: clientEnv({ ...extraEnv, TMPDIR: tmp }), timeoutMs: 60_000 });
  return { ...r, leftovers: leftoversIn(tmp), survivors: await survivorsOf(tmp) };
}

/** The child exited 0 by itself, ran nothing in a fallback, and left nothing behind. */
/** A host that ran the job at p=1 and p=2 cleanly, quietly (nothing on stderr), its p=2 map on two worker threads. */
export function assertParallelRun(run: HostRun, spec: JobSpec = DEFAULT_SPEC): void {
  assertCleanRun(run);
  assert.equal(run.stderr, '');
  assertParallelReport(parseReport(run.stdout), spec);
}

export function assertCleanRun(run: HostRun): void {
  assert.equal(run.status, 0, `exit status ${run.status} (null: killed after 60 s)\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /running in this thread/, 'the job fell back to one thread');
  assert.deepEqual(run.leftovers, [], 'temp files left in the TMPDIR');
  assert.deepEqual(run.survivors, [], 'processes left running');
}
