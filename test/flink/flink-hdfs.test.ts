/**
 * hdfs:// on the Flink target: a standalone Flink cluster (scripts/flink-cluster.sh, 1 JobManager
 * and 2 TaskManagers) and a real HDFS (scripts/hdfs-cluster.sh), both started for this file.
 * WordCount reads its input from HDFS and writes its counts to HDFS at p=1 and p=2, the Node
 * workers of every TaskManager reading their splits and writing their files over WebHDFS (the
 * NameNode's address reaches them in the client's TSFLINK_WEBHDFS); the counts equal the embedded
 * engine's. A job that fails on the cluster leaves the HDFS target as it was, with no staging.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameMultiset } from '../helpers.ts';
import { HdfsFiles, setUpHdfs } from '../io/hdfs-fixture.ts';
import { clusterScript, clusterState } from './cluster-state.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const TIMEOUT = 400_000;

await setUpFlinkTests();
const hdfs = await setUpHdfs({ lock: false });

function tsflink(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_TARGET;
  delete env.TSFLINK_JOBMANAGER;
  delete env.TSFLINK_PARALLELISM;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env, timeout: TIMEOUT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TEXT = Array.from({ length: 3000 }, (_, i) => `to be or not to be ${i % 11} that is the question ${i % 5}`).join('\n') + '\n';

test('WordCount reading and writing hdfs:// on a standalone Flink cluster at p=1 and p=2 equals the embedded counts; a failed job leaves the HDFS target as it was', { timeout: TIMEOUT }, () => {
  const { rpc } = hdfs();
  const files = new HdfsFiles(hdfs());
  files.put('/flink/in/a.txt', TEXT);
  files.put('/flink/in/b.txt', TEXT.slice(0, 4000));
  const { env } = clusterState('tsflink-flink-cluster-');
  const address = execFileSync('bash', [clusterScript, 'start', '--taskmanagers', '2'], { env, encoding: 'utf8', timeout: 180_000 }).trim();

  const embedded = tsflink(['run', '-p', '2', 'examples/wordcount.ts', '-', `${rpc}/flink/in`]);
  assert.equal(embedded.status, 0, embedded.stderr);
  const expected = embedded.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\((.*),(\d+)\)$/, '$1,$2'));
  assert.ok(expected.includes('be,6000') || expected.some((l) => l.startsWith('be,')), expected.join(' '));
  for (const p of [1, 2]) {
    const r = tsflink(['run', '--target', 'flink', '-m', address, '-p', String(p), 'examples/wordcount.ts', '-', `${rpc}/flink/in`, `${rpc}/flink/out-p${p}`]);
    assert.equal(r.status, 0, r.stderr);
    assertSameMultiset(files.outputLines(`/flink/out-p${p}`), expected);
    assert.deepEqual(files.list(`/flink/out-p${p}`), p === 1 ? [''] : ['1', '2']);
  }

  // A job whose function throws on the cluster: the existing output stays, nothing is left next to it.
  const failed = tsflink(['run', '--target', 'flink', '-m', address, '-p', '2', 'test/flink/fixtures/hdfs-failing-job.ts', '-', `${rpc}/flink/in`, `${rpc}/flink/out-p2`]);
  assert.notEqual(failed.status, 0);
  assert.match(failed.stderr, /no line may say 'question 4'/);
  assertSameMultiset(files.outputLines('/flink/out-p2'), expected);
  assert.deepEqual(files.list('/flink'), ['in', 'out-p1', 'out-p2']);
  execFileSync('bash', [clusterScript, 'stop'], { env, encoding: 'utf8' });
});
