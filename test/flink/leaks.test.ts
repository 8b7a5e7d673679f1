/**
 * The Flink target on its in-process MiniCluster (p=2) leaves the machine as it was, and its
 * retries give exactly the fault-free output. Each case runs test/fixtures/fault-job.ts's
 * 'pipeline' job (source → Tagger → shuffle → Summer → writeCsv) through a child `tsflink run
 * --target flink` client whose TMPDIR (and so io.tmp.dirs and the binder JVM's java.io.tmpdir)
 * is a private sandbox, with TSFLINK_FAULT choosing the failing attempt; afterwards the sandbox
 * holds only the committed output and no process naming it is alive. One JVM start per case:
 * each costs seconds, so the cases are few and each checks several things.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameMultiset, clientEnv, runNode } from '../helpers.ts';
import { assertUnchanged as assertBoxUnchanged, listTree, processesNaming, type Sandbox, sandbox, snapshot } from '../leaks.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const fixture = 'test/fixtures/fault-job.ts';
const TIMEOUT = 300_000;

await setUpFlinkTests();

const box = sandbox('tsflink-flink-leaks-');
const out = join(box.data, 'out');

/** 'pipeline' groups 1..2000 by x % 7: per key, the count and the sum, as writeCsv writes them. */
const EXPECTED = Array.from({ length: 7 }, (_, k) => {
  let n = 0;
  let sum = 0;
  for (let x = 1; x <= 2000; x++) {
    if (x % 7 === k) {
      n++;
      sum += x;
    }
  }
  return `${k},${n},${sum}`;
});

/** As leaks.ts's, also allowing tsx's compile cache (the client and the workers run TypeScript through tsx, which caches in TMPDIR) and `allow`. */
function assertUnchanged(b: Sandbox, before: readonly string[], options: { allow?: RegExp; what?: string } = {}): Promise<void> {
  const tsx = /^tmp\/tsx-\d+(\/.*)?$/;
  const allow = options.allow;
  return assertBoxUnchanged(b, before, { ...options, allow: { test: (p: string) => tsx.test(p) || (allow?.test(p) ?? false) } as RegExp });
}

function env(fault: unknown, settings: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Java ignores TMPDIR: without the runner's own java.io.tmpdir the binder's files would land in
  // the sandbox's tmp through JAVA_TOOL_OPTIONS (rather than in /tmp, unseen).
  const e = clientEnv({ TMPDIR: box.tmp, JAVA_TOOL_OPTIONS: `-Djava.io.tmpdir=${box.tmp}`, ...settings });
  delete e.TSFLINK_FAULT;
  delete e.TSFLINK_CONF;
  delete e.TSFLINK_KEEP_FLINK_JOB_DIR;
  if (fault !== undefined) e.TSFLINK_FAULT = JSON.stringify(fault);
  return e;
}

const args = (retries: number): string[] => [cli, 'run', '--target', 'flink', '-p', '2', fixture, '-', 'pipeline', 'file', String(retries), out];

function pipeline(retries: number, fault?: unknown, settings: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return runNode(args(retries), { cwd: root, env: env(fault, settings), timeoutMs: TIMEOUT });
}

/** The fixture's one JSON line. */
function report(stdout: string): { accumulators?: Record<string, number>; error?: string; message?: string } {
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line !== undefined, `no report in ${JSON.stringify(stdout)}`);
  return JSON.parse(line) as { accumulators?: Record<string, number>; error?: string; message?: string };
}

function outputRows(): string[] {
  return readdirSync(out)
    .sort()
    .flatMap((f) =>
      readFileSync(join(out, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
}

/** An old output at the target, which a failed job must leave as it is. */
function oldTarget(): void {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  writeFileSync(join(out, '1'), 'old\n');
}

function assertOldTarget(): void {
  assert.deepEqual(listTree(out), ['1']);
  assert.equal(readFileSync(join(out, '1'), 'utf8'), 'old\n');
}

const OUTPUT = /^data\/out(\/.*)?$/;

test('a successful job leaves only its output: no MiniCluster, RPC, blob or spill files in the temp folder, no process', { timeout: TIMEOUT }, async () => {
  const before = snapshot(box);
  const r = await pipeline(0);
  assert.equal(r.status, 0, r.stderr);
  assertSameMultiset(outputRows(), EXPECTED);
  assert.deepEqual(report(r.stdout).accumulators, { tagged: 2000 });
  await assertUnchanged(box, before, { allow: OUTPUT, what: 'a successful job' });
});

test('with setNumberOfExecutionRetries(2), a throw at attempt 1 in each task gives exactly the fault-free output, and the accumulator of one attempt', { timeout: TIMEOUT }, async () => {
  const before = snapshot(box);
  const r = await pipeline(2, [
    { kind: 'throw', task: 'Tagger', subtask: 1, attempt: 1, record: 50 },
    // On Flink, Summer's groups come from Flink's own grouping: its records are groups (3 or 4 per subtask here).
    { kind: 'throw', task: 'Summer', subtask: 0, attempt: 1, record: 2 },
  ]);
  assert.equal(r.status, 0, r.stderr);
  assertSameMultiset(outputRows(), EXPECTED);
  // Flink keeps the accumulators of a subtask's last attempt only (and tsflink sends them when a subtask ends).
  assert.deepEqual(report(r.stdout).accumulators, { tagged: 2000 });
  await assertUnchanged(box, before, { allow: OUTPUT, what: 'a retried throw' });
});

test('with setNumberOfExecutionRetries(2), a Node worker exiting at attempt 1 in each task gives exactly the fault-free output', { timeout: TIMEOUT }, async () => {
  const before = snapshot(box);
  const r = await pipeline(2, [
    { kind: 'exit', task: 'Tagger', subtask: 0, attempt: 1, record: 10 },
    { kind: 'exit', task: 'Summer', subtask: 1, attempt: 1, record: 2 },
  ]);
  assert.equal(r.status, 0, r.stderr);
  assertSameMultiset(outputRows(), EXPECTED);
  assert.deepEqual(report(r.stdout).accumulators, { tagged: 2000 });
  await assertUnchanged(box, before, { allow: OUTPUT, what: 'a retried worker exit' });
});

test('without retries, a throw fails the job naming the operator and subtask; the target is untouched', { timeout: TIMEOUT }, async () => {
  oldTarget();
  const before = snapshot(box);
  const r = await pipeline(0, { kind: 'throw', task: 'Tagger', subtask: 1, attempt: 1, record: 50 });
  assert.equal(r.status, 1, r.stderr);
  const { error, message } = report(r.stdout);
  assert.equal(error, 'JobExecutionError');
  assert.match(message!, /injected fault \(TSFLINK_FAULT\) in '[^']*Tagger' \(subtask 2 of 2\), attempt 1, at record 50/);
  assertOldTarget();
  await assertUnchanged(box, before, { what: 'a failed job' });
});

test('without retries, a Node worker exiting fails the job naming the operator and subtask; the target is untouched', { timeout: TIMEOUT }, async () => {
  oldTarget();
  const before = snapshot(box);
  const r = await pipeline(0, { kind: 'exit', task: 'Summer', subtask: 0, attempt: 1, record: 2 });
  assert.equal(r.status, 1, r.stderr);
  const { error, message } = report(r.stdout);
  assert.equal(error, 'JobExecutionError');
  assert.match(message!, /the Node worker running 'Summer -> DataSink \(writeCsv\) at fault-job\.ts:\d+' \(subtask 1 of 2\) exited with code 70 before it finished/);
  assertOldTarget();
  await assertUnchanged(box, before, { what: 'a worker exit' });
});

// On Flink a subtask's time includes waiting for its pipelined inputs: the timeout is generous.
const TIMEOUT_SETTING = { TSFLINK_TASK_TIMEOUT: '12s' };

test('task.timeout ends a hung function on Flink: without retries the job fails naming the operator and subtask, the target untouched', { timeout: TIMEOUT }, async () => {
  oldTarget();
  const before = snapshot(box);
  const r = await pipeline(0, { kind: 'hang', task: 'Summer', subtask: 1, attempt: 1, record: 1 }, TIMEOUT_SETTING);
  assert.equal(r.status, 1, r.stderr);
  const { error, message } = report(r.stdout);
  assert.equal(error, 'JobExecutionError');
  assert.match(message!, /'Summer[^']*' \(subtask 2 of 2\) did not finish within task\.timeout \(12 s\) and was stopped/);
  assertOldTarget();
  await assertUnchanged(box, before, { what: 'a timed-out task' });
});

test('task.timeout with setNumberOfExecutionRetries(2): the hung attempt is stopped and retried, the output is exact', { timeout: TIMEOUT }, async () => {
  const before = snapshot(box);
  const r = await pipeline(2, { kind: 'hang', task: 'Summer', subtask: 1, attempt: 1, record: 1 }, TIMEOUT_SETTING);
  assert.equal(r.status, 0, r.stderr);
  assertSameMultiset(outputRows(), EXPECTED);
  assert.deepEqual(report(r.stdout).accumulators, { tagged: 2000 });
  await assertUnchanged(box, before, { allow: OUTPUT, what: 'a retried timeout' });
});

test('taskmanager.worker.heap limits each Node worker: out of heap fails naming the subtask, and with retries the output is exact', { timeout: TIMEOUT }, async () => {
  const heap = { TSFLINK_WORKER_HEAP: '96m' };
  oldTarget();
  let before = snapshot(box);
  const failed = await pipeline(0, { kind: 'oom', task: 'Tagger', subtask: 0, attempt: 1, record: 10 }, heap);
  assert.equal(failed.status, 1, failed.stderr);
  const { error, message } = report(failed.stdout);
  assert.equal(error, 'JobExecutionError');
  assert.match(message!, /the Node worker running '[^']*Tagger[^']*' \(subtask 1 of 2\) exited with code \d+ before it finished/);
  assertOldTarget();
  await assertUnchanged(box, before, { what: 'a worker out of heap' });
  before = snapshot(box);
  const r = await pipeline(2, { kind: 'oom', task: 'Tagger', subtask: 0, attempt: 1, record: 10 }, heap);
  assert.equal(r.status, 0, r.stderr);
  assertSameMultiset(outputRows(), EXPECTED);
  await assertUnchanged(box, before, { allow: OUTPUT, what: 'a retried out-of-heap worker' });
});

/**
 * Starts the job with Summer's first subtask hung, and resolves once its second subtask has
 * written its part of the output to the staging (the job is mid-flight: Summer's workers run).
 */
async function startHung(): Promise<{ child: ReturnType<typeof spawn>; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, args(0), { cwd: root, env: env({ kind: 'hang', task: 'Summer', subtask: 0, attempt: 1, record: 1 }), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const staged = (): boolean =>
    readdirSync(box.data)
      .filter((n) => n.includes('tsflink-staging-'))
      .some((n) => {
        try {
          return readdirSync(join(box.data, n)).some((f) => statSync(join(box.data, n, f)).size > 0);
        } catch {
          return false; // not a folder, or gone meanwhile
        }
      });
  while (!staged()) {
    assert.ok(!ended, `the job ended before it was interrupted:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // The binder JVM keeps no hsperfdata file (in /tmp whatever java.io.tmpdir says; a killed JVM leaves it).
  const jvms = processesNaming(box.root).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('tsflink.flink.PlanBinder'));
  assert.equal(jvms.length, 1, 'no binder JVM running');
  assert.deepEqual(
    jvms.filter((pid) => existsSync(join('/tmp', `hsperfdata_${userInfo().username}`, String(pid)))),
    [],
    'a binder JVM with hsperfdata',
  );
  return { child, stderr: () => stderr, exited };
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`${signal} of the client mid-job: exit ${code}, "cancelled", the target untouched, nothing left in the sandbox, no process`, { timeout: TIMEOUT }, async () => {
    oldTarget();
    const before = snapshot(box);
    const { child, stderr, exited } = await startHung();
    child.kill(signal);
    assert.equal(await exited, code, stderr());
    assert.match(stderr(), new RegExp(`tsflink: job 'fault-pipeline' cancelled by ${signal}; nothing was written`));
    assertOldTarget();
    await assertUnchanged(box, before, { what: signal });
  });
}

test('SIGKILL of the client mid-job: its JVM and workers stop and remove the job folder; the next run removes the staging it left, saying so', { timeout: TIMEOUT }, async () => {
  oldTarget();
  const before = snapshot(box);
  const { child, exited } = await startHung();
  const pid = child.pid!;
  child.kill('SIGKILL');
  await exited;
  // The binder JVM sees its parent go: it stops the Node workers, removes the job folder and halts.
  for (let i = 0; i < 200 && processesNaming(box.root).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(processesNaming(box.root), [], 'processes of the killed client survived');
  const left = listTree(box.root).filter((p) => !before.includes(p) && !/^tmp\/tsx-\d+(\/.*)?$/.test(p));
  assert.ok(left.length > 0, 'a killed client left no staging');
  for (const p of left) assert.match(p, new RegExp(`^data/\\.out\\.tsflink-(staging-${pid}-[^/]*(/.*)?|lock)$`), 'left outside the staging next to the target');
  assertOldTarget();

  const r = await pipeline(0);
  assert.equal(r.status, 0, r.stderr);
  const staging = readdirSync(box.data).filter((n) => n.includes('tsflink-staging-'));
  assert.deepEqual(staging, []);
  assert.match(r.stderr, new RegExp(`tsflink: removed ${box.data}/\\.out\\.tsflink-staging-${pid}-\\S*, left by an earlier run \\(pid ${pid}\\) that did not finish`));
  assertSameMultiset(outputRows(), EXPECTED);
  await assertUnchanged(box, before, { allow: OUTPUT, what: 'the run after a SIGKILL' });
});
