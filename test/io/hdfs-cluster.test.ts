/**
 * scripts/hdfs-cluster.sh: a real HDFS (Hadoop's MiniDFSCluster, one NameNode and one DataNode in
 * one JVM, hdfs-cluster/) on loopback. The test starts it in a state dir of its own, writes two
 * files through WebHDFS (one with noredirect=true and a PUT to the returned Location, one
 * following the 307 by hand), with 4 KiB blocks, reads them back (op=OPEN), lists them
 * (op=LISTSTATUS) and asks for their blocks; then `stop`, after which the JVM is gone and the
 * state dir holds only its logs (no pid file, data or temp files). Everything goes through fetch
 * but the writes to the DataNode: its WebHDFS handler answers a CREATE with an unasked-for
 * "100 Continue" before the 201, which Node 20's fetch (undici) rejects as a bad response, while
 * node:http skips it (its 'information' event). Needs Java 17 and Maven:
 * scripts/install-hdfs-deps.sh (run first, idempotent) fetches Hadoop and builds the module.
 * The JVM test files take turns (the Flink tests' lock): on a small machine they starve each other.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { takeFlinkTestLock } from '../flink/flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const script = join(root, 'scripts/hdfs-cluster.sh');
const user = 'user.name=tsflink-test';

await takeFlinkTestLock();
before(
  () => {
    execFileSync('bash', [join(root, 'scripts/install-hdfs-deps.sh')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  },
  { timeout: 600_000 },
);

const state = mkdtempSync(join(tmpdir(), 'tsflink-hdfs-cluster-'));
const env = { ...process.env, TSFLINK_HDFS_CLUSTER_DIR: state };
after(() => {
  // Stop first, then remove the dir (the other way round, `stop` would find no pid file).
  execFileSync('bash', [script, 'stop'], { env, stdio: 'ignore' });
  rmSync(state, { recursive: true, force: true });
});

function hdfs(verb: string): string {
  return execFileSync('bash', [script, verb], { env, encoding: 'utf8', timeout: 150_000 });
}

/** Gone, or a zombie that init has not reaped yet: either way no longer running. */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** A PUT with node:http, which takes the DataNode's "100 Continue" before its answer. */
function put(url: URL, body: Buffer): Promise<{ status: number; location: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-length': body.length, 'content-type': 'application/octet-stream' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function loopback(location: string): URL {
  const url = new URL(location);
  assert.ok(url.hostname === '127.0.0.1' || url.hostname === 'localhost', `a redirect off loopback: ${location}`);
  return url;
}

test('scripts/hdfs-cluster.sh: start, write, read and list files through WebHDFS (4 KiB blocks), stop leaves no JVM, data or temp files', { timeout: 120_000 }, async () => {
  const [rpc, http, ...rest] = hdfs('start').trim().split('\n');
  assert.deepEqual(rest, []);
  assert.match(rpc!, /^hdfs:\/\/127\.0\.0\.1:\d+$/);
  assert.match(http!, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(readFileSync(join(state, 'namenode-rpc'), 'utf8').trim(), rpc);
  assert.equal(readFileSync(join(state, 'namenode-http'), 'utf8').trim(), http);
  const pid = Number(readFileSync(join(state, 'namenode.pid'), 'utf8'));
  assert.ok(running(pid));
  assert.match(hdfs('status'), new RegExp(`running \\(pid ${pid}\\)[\\s\\S]*"type":"DIRECTORY"`));

  const web = `${http}/webhdfs/v1`;
  const a = Buffer.from(
    Array.from({ length: 10_000 }, (_, i) => `line ${i}\n`)
      .join('')
      .slice(0, 10_000),
  );
  const b = Buffer.from('héllo hdfs\n');

  // noredirect=true: the NameNode answers 200 with the DataNode's Location in JSON.
  const created = await fetch(`${web}/t/dir/a.txt?op=CREATE&${user}&blocksize=4096&noredirect=true`, { method: 'PUT' });
  assert.equal(created.status, 200);
  const { Location } = (await created.json()) as { Location: string };
  const putA = await put(loopback(Location), a);
  assert.equal(putA.status, 201, putA.text);
  assert.equal(putA.location, `${rpc}/t/dir/a.txt`);

  // Without it: a 307 to the DataNode, followed by hand.
  const redirect = await fetch(`${web}/t/dir/b.txt?op=CREATE&${user}&blocksize=4096`, { method: 'PUT', redirect: 'manual' });
  assert.equal(redirect.status, 307);
  await redirect.arrayBuffer();
  const putB = await put(loopback(redirect.headers.get('location')!), b);
  assert.equal(putB.status, 201, putB.text);

  // OPEN redirects to the DataNode too (fetch follows a GET's redirect).
  const opened = await fetch(`${web}/t/dir/a.txt?op=OPEN&${user}`, { redirect: 'manual' });
  assert.equal(opened.status, 307);
  loopback(opened.headers.get('location')!);
  await opened.arrayBuffer();
  assert.deepEqual(Buffer.from(await (await fetch(`${web}/t/dir/a.txt?op=OPEN&${user}`)).arrayBuffer()), a);
  assert.equal(await (await fetch(`${web}/t/dir/b.txt?op=OPEN&${user}`)).text(), 'héllo hdfs\n');
  // A range: offset and length.
  assert.deepEqual(Buffer.from(await (await fetch(`${web}/t/dir/a.txt?op=OPEN&${user}&offset=4090&length=20`)).arrayBuffer()), a.subarray(4090, 4110));

  type Status = { pathSuffix: string; type: string; length: number; blockSize: number; replication: number; owner: string };
  const listed = (await (await fetch(`${web}/t/dir?op=LISTSTATUS&${user}`)).json()) as { FileStatuses: { FileStatus: Status[] } };
  const files = listed.FileStatuses.FileStatus.map((s) => [s.pathSuffix, s.type, s.length, s.blockSize, s.replication, s.owner]);
  assert.deepEqual(files, [
    ['a.txt', 'FILE', 10_000, 4096, 1, 'tsflink-test'],
    ['b.txt', 'FILE', b.length, 4096, 1, 'tsflink-test'],
  ]);
  type Block = { offset: number; length: number; hosts: string[] };
  const blocks = (await (await fetch(`${web}/t/dir/a.txt?op=GETFILEBLOCKLOCATIONS&${user}`)).json()) as { BlockLocations: { BlockLocation: Block[] } };
  assert.deepEqual(
    blocks.BlockLocations.BlockLocation.map((l) => [l.offset, l.length, l.hosts]),
    [
      [0, 4096, ['127.0.0.1']],
      [4096, 4096, ['127.0.0.1']],
      [8192, 1808, ['127.0.0.1']],
    ],
  );

  assert.match(hdfs('stop'), /stopped 1 process/);
  for (let i = 0; i < 50 && running(pid); i++) await sleep(100);
  assert.ok(!running(pid), `the HDFS JVM (pid ${pid}) survived stop`);
  assert.deepEqual(readdirSync(state), ['log']);
  assert.ok(!existsSync(join(tmpdir(), `hsperfdata_${process.env.USER ?? 'root'}`, String(pid))));
  assert.match(hdfs('stop'), /stopped 0 process/);
  const status = spawnSync('bash', [script, 'status'], { env, encoding: 'utf8' });
  assert.equal(status.status, 1);
  assert.equal(status.stdout, 'no cluster running\n');
});
