/**
 * The Flink target survives losing a TaskManager: a standalone cluster (1 JobManager + 2
 * TaskManagers, scripts/flink-cluster.sh) runs a slow job with setNumberOfExecutionRetries(2);
 * while its Node workers run, the TaskManager hosting one of them is killed with SIGKILL (by
 * the pid the script recorded). The job must finish with exactly the embedded engine's output,
 * leave no staging files next to the target, and leave no Node worker behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameMultiset, clientEnv, runNode, tempDir } from '../helpers.ts';
import { clusterScript, clusterState } from './cluster-state.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const fixture = 'test/flink/fixtures/slow-job.ts';
const TIMEOUT = 300_000;
/** Every process of this test's jobs carries this mark in its environment (the client ships TSFLINK_* to workers). */
const MARK = `fault-${process.pid}-${Date.now()}`;

await setUpFlinkTests();

function run(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return runNode([cli, ...args], { cwd: root, env: clientEnv({ TSFLINK_TEST_MARK: MARK }), timeoutMs: TIMEOUT });
}

/** Node workers of this test's jobs: pid → parent pid. */
function workers(): Map<number, number> {
  const found = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('node-worker.')) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(`TSFLINK_TEST_MARK=${MARK}`)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      found.set(Number(entry), ppid);
    } catch {
      // the process is gone
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

function readParts(path: string): string[] {
  return readdirSync(path)
    .sort()
    .flatMap((f) => lines(readFileSync(join(path, f), 'utf8')));
}

test('kill -9 of a TaskManager mid-job: the job restarts and gives the fault-free output, no staging leftovers, no orphan worker', { timeout: TIMEOUT }, async () => {
  const { state, env: scriptEnv } = clusterState('tsflink-flink-fault-', process.env.FAULT_STATE);
  const start = () => execFileSync('bash', [clusterScript, 'start', '--taskmanagers', '2'], { env: scriptEnv, encoding: 'utf8', timeout: 180_000 }).trim();
  let address: string;
  try {
    address = start();
  } catch (first) {
    // The script picks free ports before the JVMs bind them: a cluster starting at the same
    // time (another test file) can take one. Once more, with fresh ports.
    console.error(`the cluster did not start, once more: ${first instanceof Error ? first.message : String(first)}`);
    address = start();
  }
  const tmPids = new Map([1, 2].map((i) => [Number(readFileSync(join(state, `taskmanager-${i}.pid`), 'utf8').trim()), i]));

  const dir = tempDir();
  const expectedRun = await run(['run', '--target', 'local', '-p', '2', fixture, '-', join(dir, 'local', 'out'), '3000', '1']);
  assert.equal(expectedRun.status, 0, expectedRun.stderr);
  const expected = readParts(join(dir, 'local', 'out'));
  assert.equal(expected.length, 3053);

  const target = join(dir, 'flink', 'out');
  const markers = join(dir, 'markers');
  mkdirSync(markers);
  const job = run(['run', '--target', 'flink', '-m', address, '-p', '2', fixture, '-', target, '3000', '3', markers]);
  // Wait until the slow map runs (its instances leave their pids in `markers`) and kill the
  // TaskManager that started one of its Node workers.
  let victim: number | undefined;
  const deadline = Date.now() + 120_000;
  while (victim === undefined && Date.now() < deadline) {
    const running = workers();
    for (const pid of readdirSync(markers).map(Number)) {
      const ppid = running.get(pid);
      if (ppid !== undefined && tmPids.has(ppid)) victim = ppid;
    }
    if (victim === undefined) await sleep(50);
  }
  assert.ok(victim !== undefined, 'the slow map did not run in a Node worker under a TaskManager of the cluster');
  await sleep(500); // well into the slow map
  process.kill(victim, 'SIGKILL');
  tmPids.delete(victim);
  // The killed TaskManager's workers notice it and end themselves: soon every worker left runs
  // under a live TaskManager (an orphan is re-parented, and would go on writing staging files).
  await sleep(1500);
  const orphans = [...workers()].filter(([, ppid]) => !tmPids.has(ppid));
  assert.deepEqual(orphans, [], 'Node workers outlived their TaskManager');

  const result = await job;
  assert.equal(result.status, 0, `the job did not survive the lost TaskManager:\n${result.stderr}`);
  assertSameMultiset(readParts(target), expected);
  // No staging area (.out.tsflink-staging-…) next to the target, nothing but the subtasks' files in it.
  assert.deepEqual(readdirSync(join(dir, 'flink')), ['out']);
  assert.deepEqual(readdirSync(target).sort(), ['1', '2']);

  // The kill really hit the job: Flink recorded failures and restarted.
  const rest = (path: string) => JSON.parse(execFileSync('curl', ['-fsS', `http://${address}${path}`], { encoding: 'utf8' })) as unknown;
  const jobs = (rest('/jobs/overview') as { jobs: { jid: string; state: string }[] }).jobs;
  assert.deepEqual(
    jobs.map((j) => j.state),
    ['FINISHED'],
  );
  const history = (rest(`/jobs/${jobs[0]!.jid}/exceptions`) as { exceptionHistory: { entries: unknown[] } }).exceptionHistory.entries;
  assert.ok(history.length > 0, 'Flink recorded no failure: the TaskManager was killed too late');

  // Every worker, the killed TaskManager's included, is gone within seconds (a TaskManager keeps
  // its idle workers for the job's next tasks, at most NodeWorkers.IDLE_MS = 5 s).
  let left = workers();
  for (let i = 0; i < 120 && left.size > 0; i++) {
    await sleep(100);
    left = workers();
  }
  assert.deepEqual([...left.keys()], [], 'orphan Node workers survived');
});
