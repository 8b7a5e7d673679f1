/**
 * Injected faults in the embedded engine (runtime/fault-injection.ts, `TSFLINK_FAULT`): a task
 * attempt that throws, whose worker thread exits or runs out of heap, or whose function hangs
 * until `task.timeout` ends it. With retries the job's output (and its accumulators) must be
 * exactly the fault-free run's; without, the job fails naming the operator and subtask and an
 * existing target is untouched. Every run happens in a private sandbox that must be unchanged
 * afterwards (only the committed output added), with no process left.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { assertUnchanged, type Sandbox, sandbox, snapshot } from '../leaks.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const fixture = join(root, 'test/fixtures/fault-job.ts');

interface Fault {
  readonly kind: 'throw' | 'exit' | 'oom' | 'hang';
  readonly task: string;
  readonly subtask?: number;
  readonly attempt?: number;
  readonly record?: number;
  readonly superstep?: number;
}

interface Run {
  readonly status: number | null;
  readonly report: { rows?: string[]; accumulators?: Record<string, unknown>; error?: string; message?: string };
  readonly stderr: string;
}

/** Runs fault-job.ts `job` at parallelism `p` in `box` (its config: io.tmp.dirs in the sandbox, and `config`). */
function run(box: Sandbox, p: number, job: string, sink: 'collect' | 'file', retries: number, fault: Fault | Fault[] | null, config = ''): Run {
  const work = join(box.root, 'work');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'tsflink.yaml'), `io.tmp.dirs: ${JSON.stringify(box.spill)}\n${config}`);
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: box.tmp };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_FAULT;
  if (fault !== null) env.TSFLINK_FAULT = JSON.stringify(fault);
  const out = join(box.data, 'out');
  const r = spawnSync(process.execPath, [cli, 'run', fixture, '-p', String(p), '-', job, sink, String(retries), out], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let report: Run['report'];
  try {
    report = JSON.parse(line) as Run['report'];
  } catch {
    assert.fail(`no report from the job (status ${r.status}); stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { status: r.status, report, stderr: r.stderr };
}

/** The rows of the committed output `out` (a file at p=1, a folder of files at p ≥ 2), sorted. */
function outputRows(box: Sandbox): string[] {
  const out = join(box.data, 'out');
  const files = statSync(out).isDirectory() ? readdirSync(out).map((f) => join(out, f)) : [out];
  return files
    .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter((l) => l !== '')
    .sort();
}

/** The job folder, and tsx's compile cache (TypeScript jobs run through tsx, which caches in TMPDIR). */
const TSX_OR_WORK = /^(work\/.*|tmp\/tsx-\d+(\/.*)?)$/;

/** What a job gives without faults, once per job, sink and parallelism. */
const reference = new Map<string, { rows: string[]; accumulators: Record<string, unknown> | undefined }>();
function faultFree(p: number, job: string, sink: 'collect' | 'file'): { rows: string[]; accumulators: Record<string, unknown> | undefined } {
  const key = `${p} ${job} ${sink}`;
  let r = reference.get(key);
  if (r === undefined) {
    const box = sandbox('tsflink-faults-');
    const ran = run(box, p, job, sink, 0, null);
    assert.equal(ran.status, 0, ran.stderr);
    r = { rows: sink === 'collect' ? ran.report.rows! : outputRows(box), accumulators: ran.report.accumulators };
    assert.ok(r.rows.length > 0);
    reference.set(key, r);
  }
  return r;
}

/** Runs with the fault and retries; the output must be the fault-free one, the sandbox clean. */
async function recovers(p: number, job: string, sink: 'collect' | 'file', fault: Fault | Fault[], config = ''): Promise<string> {
  const expected = faultFree(p, job, sink);
  const box = sandbox('tsflink-faults-');
  const before = snapshot(box);
  const r = run(box, p, job, sink, 2, fault, config);
  assert.equal(r.status, 0, `${JSON.stringify(r.report)}\n${r.stderr}`);
  assert.match(r.stderr, /attempt 1 failed .*; retrying \(1 of 2\)/);
  if (sink === 'collect') {
    assert.deepEqual(r.report.rows, expected.rows);
    await assertUnchanged(box, before, { allow: TSX_OR_WORK, what: `${Array.isArray(fault) ? 'faults' : fault.kind} at p=${p}` });
  } else {
    assert.deepEqual(outputRows(box), expected.rows);
    // Accumulators count only the successful attempt.
    assert.deepEqual(r.report.accumulators, expected.accumulators);
    await assertUnchanged(box, before, { allow: /^(work\/.*|tmp\/tsx-\d+(\/.*)?|data\/out(\/.*)?)$/, what: `${Array.isArray(fault) ? 'faults' : fault.kind} at p=${p}` });
  }
  return r.stderr;
}

/** Runs with the fault and no retries over an existing target: it must fail naming `named`, the target untouched. */
async function failsCleanly(p: number, job: string, fault: Fault, named: RegExp, config = ''): Promise<Run> {
  const box = sandbox('tsflink-faults-');
  writeFileSync(join(box.data, 'out'), 'the old output\n');
  const before = snapshot(box);
  const r = run(box, p, job, 'file', 0, fault, config);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.report.message ?? '', named, JSON.stringify(r.report));
  assert.equal(readFileSync(join(box.data, 'out'), 'utf8'), 'the old output\n');
  await assertUnchanged(box, before, { allow: TSX_OR_WORK, what: `${fault.kind} at p=${p}` });
  return r;
}

for (const p of [1, 2]) {
  const last = p - 1;
  test(`p=${p}: a thrown fault in attempt 1 is retried; every job's output is exactly the fault-free output`, async () => {
    await recovers(p, 'pipeline', 'file', { kind: 'throw', task: 'Tagger', subtask: last, record: 300 });
    await recovers(p, 'rows', 'file', { kind: 'throw', task: 'Doubler', subtask: 0, record: 700 });
    await recovers(p, 'join', 'collect', { kind: 'throw', task: 'Joiner', subtask: last, record: 100 });
    await recovers(p, 'iterate', 'collect', { kind: 'throw', task: 'Stepper', subtask: 0, record: 10, superstep: 3 });
  });

  test(`p=${p}: faults in two attempts in a row: the third attempt's output is exact`, async () => {
    await recovers(p, 'rows', 'file', [
      { kind: 'throw', task: 'Tagger', subtask: 0, attempt: 1, record: 5 },
      { kind: 'throw', task: 'Doubler', subtask: last, attempt: 2, record: 1000 },
    ]);
  });

  test(`p=${p}: without retries a thrown fault fails the job naming the operator and subtask; the target is untouched`, async () => {
    await failsCleanly(p, 'pipeline', { kind: 'throw', task: 'Summer', subtask: last, record: 3 }, new RegExp(`'Summer[^']*' \\(subtask ${p} of ${p}\\)`));
  });

  test(`p=${p}: a hung function is ended by task.timeout with a clear error; with retries the output is exact`, async () => {
    const r = await failsCleanly(
      p,
      'rows',
      { kind: 'hang', task: 'Doubler', subtask: last, record: 20 },
      new RegExp(`'[^']*Doubler[^']*' \\(subtask ${p} of ${p}\\).* did not finish within task.timeout \\(1.5 s\\)`),
      'task.timeout: 1500 ms\n',
    );
    assert.equal(r.report.error, 'JobExecutionError');
    await recovers(p, 'rows', 'file', { kind: 'hang', task: 'Doubler', subtask: last, record: 20 }, 'task.timeout: 1500 ms\n');
  });
}

test('p=2: a worker thread that exits in attempt 1 is replaced; the output is exact', async () => {
  await recovers(2, 'pipeline', 'file', { kind: 'exit', task: 'Summer', subtask: 1, record: 50 });
  await recovers(2, 'join', 'collect', { kind: 'exit', task: 'Joiner', subtask: 0, record: 1 });
});

test('p=2: a worker thread out of heap (taskmanager.worker.heap) is a crash naming the subtask; with retries the output is exact', async () => {
  const heap = 'taskmanager.worker.heap: 64m\n';
  await failsCleanly(2, 'pipeline', { kind: 'oom', task: 'Summer', subtask: 1, record: 10 }, /worker thread \d died while running '[^']*Summer[^']*' \(subtask 2 of 2\): .*memory/i, heap);
  await recovers(2, 'pipeline', 'file', { kind: 'oom', task: 'Summer', subtask: 1, record: 10 }, heap);
});

test("p=1: 'oom' is refused where the heap has no limit (the client's own thread)", async () => {
  await failsCleanly(1, 'pipeline', { kind: 'oom', task: 'Tagger', subtask: 0, record: 10 }, /kind 'oom' for .* refused: the heap it runs in has no limit/);
});

test('a malformed TSFLINK_FAULT is an error naming the variable', () => {
  const box = sandbox('tsflink-faults-');
  const r = run(box, 1, 'rows', 'collect', 0, { kind: 'crash' as Fault['kind'], task: 'Doubler' });
  assert.equal(r.status, 1);
  assert.match(r.report.message ?? '', /TSFLINK_FAULT: 'kind' must be one of throw, exit, oom, hang/);
});
