/**
 * Declared-async operators on the Flink target: the async task runs in the Node workers, which
 * pull their input a batch at a time from the JVM as capacity frees (node-worker.ts). Results
 * equal the embedded engine's (p=2), each partition of an ordered mapAsync is in input order, and
 * a rejecting function fails the job naming the operator and the record.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientEnv, runNode, tempDir } from '../helpers.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const fixture = 'test/flink/fixtures/async-job.ts';
const TIMEOUT = 300_000;

await setUpFlinkTests();

function run(target: string, args: readonly string[] = []) {
  const env = { ...clientEnv(), TMPDIR: tempDir('tsflink-async-') };
  return runNode([cli, 'run', '--target', target, '-p', '2', fixture, ...(args.length > 0 ? ['-', ...args] : [])], { cwd: root, env, timeoutMs: TIMEOUT });
}

test("mapAsync and flatMapAsync on a Flink MiniCluster give the embedded engine's results (p=2)", { timeout: TIMEOUT }, async () => {
  const local = await run('local');
  assert.equal(local.status, 0, local.stderr);
  const flink = await run('flink');
  assert.equal(flink.status, 0, flink.stderr);
  const results = JSON.parse(flink.stdout.trim().split('\n').at(-1)!) as string[];
  const orderedLines = results.filter((r) => r.startsWith('ordered'));
  assert.equal(orderedLines.length, 2, 'one line per partition');
  let total = 0;
  for (const line of orderedLines) {
    const m = /^ordered n=(\d+) increasing=(true|false) maxInFlight=(\d+) nodeWorker=true$/.exec(line);
    assert.ok(m, `the async task ran in the Flink Node workers: ${line}`);
    total += Number(m[1]);
    assert.equal(m[2], 'true', `input order kept: ${line}`);
    assert.ok(Number(m[3]) <= 16 && Number(m[3]) > 1, `in flight within capacity and above 1: ${line}`);
  }
  assert.equal(total, 400);
  assert.equal(results.filter((r) => r.startsWith('u')).length, 200);
  assert.deepEqual(
    results.filter((r) => r.startsWith('retried')),
    Array.from({ length: 20 }, (_, i) => `retried ${i + 1} 3`).sort(),
  );
  // (the ordered lines' maxInFlight may differ between engines; the rest is equal)
  const rest = (rs: string[]) => rs.filter((r) => !r.startsWith('ordered'));
  assert.deepEqual(rest(results), rest(JSON.parse(local.stdout.trim().split('\n').at(-1)!) as string[]));
});

test('a rejecting async function fails the Flink job naming the operator and the record', { timeout: TIMEOUT }, async () => {
  const r = await run('flink', ['fail']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /'lookup'/);
  assert.match(r.stderr, /on record 42: the service rejected 42/);
});
