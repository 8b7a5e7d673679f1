/**
 * Issue 10 on the Flink target: the Node workers Flink starts get the job's functions shipped,
 * so the script's top-level code runs once, in the client (p=2 on the in-process MiniCluster),
 * while the map function runs in the workers; the answer is the embedded p=1 one, and the run
 * leaves no tsflink temp files and no processes behind.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameMultiset, clientEnv, runNode, tempDir } from '../helpers.ts';
import { survivorsOf } from '../hosts/host-run.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const fixture = 'test/flink/fixtures/top-level-once.ts';
const TIMEOUT = 300_000;

await setUpFlinkTests();

type Row = [number, number, number];

async function run(dir: string, name: string, args: readonly string[]): Promise<{ pid: number; rows: Row[]; log: string; tmp: string }> {
  const tmp = join(dir, `tmp-${name}`);
  mkdirSync(tmp);
  const log = join(dir, `${name}.log`);
  const r = await runNode([cli, 'run', ...args, fixture, '-', log], { cwd: root, env: clientEnv({ TMPDIR: tmp }), timeoutMs: TIMEOUT });
  assert.equal(r.status, 0, `tsflink run ${args.join(' ')} failed (status ${r.status}):\n${r.stderr}`);
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { pid: number; rows: Row[] };
  return { ...report, log: readFileSync(log, 'utf8'), tmp };
}

const answer = (rows: readonly Row[]): [number, number][] => {
  const byKey = new Map<number, number>();
  for (const [k, sum] of rows) byKey.set(k, (byKey.get(k) ?? 0) + sum);
  return [...byKey.entries()];
};

test('on the Flink target (p=2) the top-level code runs once, in the client; the map runs in Node workers', { timeout: TIMEOUT }, async () => {
  const dir = tempDir('tsflink-flink-once-');
  const local = await run(dir, 'local', ['--target', 'local', '-p', '1']);
  const flink = await run(dir, 'flink', ['--target', 'flink', '-p', '2']);

  assertSameMultiset(answer(flink.rows), answer(local.rows));
  assert.equal(local.log, `${local.pid}\n`);
  assert.equal(flink.log, `${flink.pid}\n`, 'the script’s top-level code ran in the Node workers too');
  const workers = [...new Set(flink.rows.map((r) => r[2]))];
  assert.ok(workers.length >= 1 && !workers.includes(flink.pid), `the map ran in processes ${workers.join(', ')} (client ${flink.pid})`);

  for (const tmp of [local.tmp, flink.tmp]) {
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith('tsflink-')),
      [],
      `tsflink temp files left in ${tmp}`,
    );
    assert.deepEqual(await survivorsOf(tmp), [], 'processes left running');
  }
});
