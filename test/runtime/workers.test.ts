/**
 * The multi-core engine: jobs with parallel tasks run on the process's warm worker threads,
 * which rebuild the job's shipped functions (the script itself runs once, in its own process).
 * These tests run a real script through the built `tsflink` command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;

function runJob(mode: string, parallelism = '2', flags: string[] = [], args: string[] = []): { lines: unknown[]; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'run', 'test/fixtures/worker-job.ts', '-p', parallelism, ...flags, '-', mode, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_TEST_CONTEXT: '' },
    timeout: 60_000,
  });
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (l.startsWith('{') || l.startsWith('[') ? JSON.parse(l) : l));
  return { lines, stderr: r.stderr, status: r.status };
}

test('a parallel job runs its subtasks on worker threads, not the main thread', () => {
  const { lines, stderr } = runJob('threads');
  const summary = lines.pop() as { mainThread: number; accumulators: Record<string, number> };
  assert.equal(stderr, '');
  const groups = lines.map((l) => JSON.parse((l as string).replace(/^\(/, '[').replace(/\)$/, ']')) as [number, number, number]);
  assert.equal(groups.length, 2, 'two worker threads tagged the records');
  assert.ok(groups.every(([t]) => t !== summary.mainThread));
  assert.equal(
    groups.reduce((a, [, n]) => a + n, 0),
    1000,
  );
  assert.equal(
    groups.reduce((a, [, , s]) => a + s, 0),
    500500,
  );
  assert.deepEqual(summary.accumulators, { seen: 1000 }, 'accumulators merged across threads');
});

test('a script that submits no job exits at once', () => {
  const started = Date.now();
  const { lines, stderr, status } = runJob('no-job');
  assert.equal(status, 0, `exit status ${status} (null: still running after 60 s); ${stderr}`);
  assert.deepEqual(lines, [{ done: true }]);
  assert.ok(Date.now() - started < 30_000, 'it did not wait for the workers');
});

test('a parallelism-1 job runs in the main thread, and a later parallel job on worker threads', () => {
  const { lines, stderr, status } = runJob('first-job-sequential');
  assert.equal(status, 0, stderr);
  const { mainThread, first, threads } = lines.pop() as { mainThread: number; first: [number, number]; threads: number[] };
  assert.deepEqual(first, [55, mainThread], 'the parallelism-1 job ran in the main thread');
  assert.ok(threads.length >= 1 && threads.every((t) => t !== mainThread), `the parallel job ran on worker threads: ${threads}`);
});

test('a later job built from an earlier job’s result gets that result as a captured value', () => {
  const { lines, stderr } = runJob('replay');
  assert.equal(stderr, '');
  assert.deepEqual(lines, [{ max: 50, count: 50, sum: 3775 }]);
});

test('registered custom types cross thread boundaries as keys and values', () => {
  const { lines } = runJob('custom');
  // i % 4 = 0: 4+8+…+40 = 220; = 1: 1+5+…+37 = 190; = 2: 200; = 3: 210
  assert.deepEqual(lines, [['Point(0,0)=220', 'Point(1,0)=190', 'Point(2,0)=200', 'Point(3,0)=210']]);
});

test('a throwing function in a worker fails the job with the same error text as in-process', () => {
  const onWorkers = runJob('throw').lines[0] as { error: string; message: string };
  const inProcess = runJob('throw', '1').lines[0] as { error: string; message: string };
  assert.equal(onWorkers.error, 'JobExecutionError');
  assert.match(onWorkers.message, /User function of operator 'Exploder' failed on record 77: bad record/);
  assert.equal(onWorkers.message, inProcess.message);
});

test('a worker thread that dies fails the job with a WorkerCrashError instead of hanging', () => {
  const { lines } = runJob('crash');
  const r = lines[0] as { error: string; message: string };
  assert.equal(r.error, 'JobExecutionError');
  assert.match(r.message, /worker thread \d died while running '[^']*Map at worker-job\.ts:\d+' \(subtask \d of 2\): exit code 3/);
});

test('an unregistered class crossing threads is an error naming the class and registerCustomType', () => {
  const r = runJob('unregistered').lines[0] as { error: string; message: string };
  assert.match(r.message, /class 'Unregistered'/);
  assert.match(r.message, /registerCustomType/);
  assert.match(r.message, /Operator '[^']*Map at worker-job\.ts:\d+'/);
});

test('a plan that differs on every run of the script runs on worker threads all the same (the workers never run the script)', () => {
  const { lines, stderr } = runJob('random-plan');
  assert.equal(stderr, '');
  const { n, threads, mainThread } = lines[0] as { n: number; threads: number[]; mainThread: number };
  assert.equal(n, 10);
  assert.ok(threads.length > 0 && threads.every((t) => t !== mainThread), `on worker threads: ${threads}`);
});

test('jobs after the first reuse the warm worker threads', () => {
  const { lines, stderr } = runJob('warm');
  assert.equal(stderr, '');
  const { first, later } = lines[0] as { first: number[]; later: number[][] };
  for (const threads of later) assert.deepEqual(threads, first, 'the same threads ran every job');
});

test('after a job whose worker thread died, the next job of the process runs on fresh threads', () => {
  const { lines, stderr } = runJob('after-crash');
  assert.equal(stderr, '');
  assert.deepEqual(lines[0], { crashed: 'JobExecutionError', threads: 2, sum: 5050 });
});

test('code a worker thread cannot rebuild fails the job with a clear error (it does not run in this thread instead)', () => {
  const { lines, stderr } = runJob('unloadable');
  assert.equal(stderr, '');
  assert.deepEqual(lines, [{ error: 'TsflinkError', message: "the job's functions could not be rebuilt in a worker: this module loads only in the main thread" }]);
});

test('concurrent jobs of one process share the worker threads and both finish', () => {
  const { lines, stderr } = runJob('concurrent');
  assert.equal(stderr, '');
  assert.deepEqual(lines[0], { sums: [5050, 20100, 45150, 80200] });
});

test('an exchange far larger than the memory budget spills to disk, applies back-pressure, and cleans up', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsflink-bp-'));
  try {
    const conf = join(tmp, 'tsflink.yaml');
    writeFileSync(conf, `taskmanager.memory: 4m\nio.tmp.dirs: ${tmp}\n`);
    const { lines, stderr } = runJob('big', '2', ['--conf', conf, '--verbose']);
    assert.deepEqual(lines, [{ n: 200_000 }]);
    assert.match(stderr, /tsflink: spilled \d+\.\d MiB of exchanged records/);
    assert.deepEqual(readdirSync(tmp), ['tsflink.yaml'], 'no spill files left');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a job whose worker dies is retried on fresh worker threads when retries are set', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsflink-retry-'));
  try {
    const { lines, stderr } = runJob('crash-once', '2', [], [join(tmp, 'crashed')]);
    assert.deepEqual(lines, [{ sum: [5050] }]);
    assert.match(stderr, /attempt 1 failed \(worker thread \d died while running .*exit code 7\); retrying \(1 of 1\)/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
