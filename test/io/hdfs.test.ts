/**
 * hdfs:// paths on a real HDFS (scripts/hdfs-cluster.sh, started for this file; hdfs-fixture.ts),
 * embedded: WordCount reading and writing HDFS at p=1 and p=2 through the CLI, block-aligned
 * splits, every format (text, CSV, JSON Lines, Parquet, gzip), globs, and what a failed job or
 * NO_OVERWRITE leaves on HDFS (the target as it was, no staging, no lock). The test reads and
 * writes the cluster's files with curl, not with tsflink's client.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputPathError, OutputExistsError, Types, WriteMode } from '../../src/index.ts';
import { fileSystemOf } from '../../src/io/fs/file-system.ts';
import { httpAddress } from '../../src/io/fs/webhdfs.ts';
import { listInputFiles } from '../../src/io/input-files.ts';
import { splitsFor } from '../../src/io/input-splits.ts';
import { assertSameMultiset, causeOf, envAt, failure } from '../helpers.ts';
import { HdfsFiles, setUpHdfs } from './hdfs-fixture.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const cluster = await setUpHdfs();

function tsflink(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_PARALLELISM;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TEXT = Array.from({ length: 4000 }, (_, i) => `the quick brown fox ${i % 13} jumps over the lazy dog ${i % 7} Ünïcode ${i % 3}`).join('\n') + '\n';

/** The counts WordCount gives, per word, from the text itself. */
function expectedCounts(text: string): string[] {
  const counts = new Map<string, number>();
  for (const w of text
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter((x) => x.length > 0))
    counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([w, n]) => `${w},${n}`);
}

describe('hdfs:// embedded', () => {
  test('WordCount reads and writes hdfs:// at p=1 and p=2 (tsflink run), p files at p=2', { timeout: 240_000 }, () => {
    const { rpc } = cluster();
    const files = new HdfsFiles(cluster());
    files.put('/wc/in/part-1.txt', TEXT);
    files.put('/wc/in/part-2.txt', TEXT.slice(0, 5000));
    for (const p of [1, 2]) {
      const out = `${rpc}/wc/out-p${p}`;
      const r = tsflink(['run', '-p', String(p), 'examples/wordcount.ts', '-', `${rpc}/wc/in`, out]);
      assert.equal(r.status, 0, r.stderr);
      assertSameMultiset(files.outputLines(`/wc/out-p${p}`), expectedCounts(TEXT + TEXT.slice(0, 5000)));
      if (p === 2) assert.deepEqual(files.list('/wc/out-p2'), ['1', '2']);
    }
    // Nothing but the outputs next to them: no staging, no lock.
    assert.deepEqual(files.list('/wc'), ['in', 'out-p1', 'out-p2']);
  });

  test('a file of many blocks is split at block boundaries; p=2 reads every line once', { timeout: 120_000 }, async () => {
    const { rpc } = cluster();
    const files = new HdfsFiles(cluster());
    const lines = Array.from({ length: 500_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    const block = 1 << 20;
    files.put('/split/big.txt', `${lines.join('\n')}\n`, block);
    const path = `${rpc}/split/big.txt`;
    const st = fileSystemOf(path).stat(path)!;
    assert.equal(st.blockSize, block);
    assert.ok(st.size > 10 * block, `${st.size} bytes`);
    const splits = [0, 1].map((s) => splitsFor(listInputFiles(path), 2, s));
    for (const mine of splits) {
      assert.ok(mine.length >= 1, 'each instance reads a part');
      for (const split of mine) assert.equal(split.start % block, 0, `split start ${split.start} on a block boundary`);
    }
    const read = await envAt(2).readText(path).collect();
    assert.equal(read.length, lines.length);
    assertSameMultiset(read, lines);
  });

  test('CSV, JSON Lines, Parquet and gzip round trips on HDFS, and a glob over HDFS directories', { timeout: 120_000 }, async () => {
    const { rpc } = cluster();
    const files = new HdfsFiles(cluster());
    const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `n${i % 17} ü`, score: i / 4, ok: i % 2 === 0 }));
    for (const p of [1, 2]) {
      const env = envAt(p);
      const ds = env.fromCollection(rows);
      ds.map((r) => [r.id, r.name, r.score, r.ok] as [number, string, number, boolean]).writeCsv(`${rpc}/fmt/p${p}/rows.csv`);
      ds.writeJson(`${rpc}/fmt/p${p}/rows.jsonl.gz`);
      ds.writeParquet(`${rpc}/fmt/p${p}/rows.parquet`, { id: Types.INT, name: Types.STRING, score: Types.DOUBLE, ok: Types.BOOL });
      await env.execute();
      const back = envAt(p);
      const csv = await back.readCsv(`${rpc}/fmt/p${p}/rows.csv`, [Types.INT, Types.STRING, Types.DOUBLE, Types.BOOL]).collect();
      assertSameMultiset(
        csv,
        rows.map((r) => [r.id, r.name, r.score, r.ok]),
      );
      const json = await back.readJson(`${rpc}/fmt/p${p}/rows.jsonl.gz`).collect();
      assertSameMultiset(json, rows);
      const parquet = await back.readParquet(`${rpc}/fmt/p${p}/rows.parquet`).collect();
      assertSameMultiset(parquet, rows);
    }
    // gzip written by another tool, read by magic number; a glob over two days of logs.
    files.put('/logs/2026-01-01/part-1.gz', gzipSync('a\nb\n'));
    files.put('/logs/2026-01-02/part-1.gz', gzipSync('c\n'));
    files.put('/logs/2026-01-02/_SUCCESS', '');
    files.put('/logs/2025-12-31/part-1.gz', gzipSync('old\n'));
    assertSameMultiset(await envAt(2).readText(`${rpc}/logs/2026-*/part-*.gz`).collect(), ['a', 'b', 'c']);
    assertSameMultiset(await envAt(1).readText(`${rpc}/logs/2026-01-02`).collect(), ['c']);
  });

  test('NO_OVERWRITE on an existing HDFS target fails before running and leaves it as it was', { timeout: 60_000 }, async () => {
    const { rpc } = cluster();
    const files = new HdfsFiles(cluster());
    files.put('/keep/out.txt', 'old\n');
    const env = envAt(2);
    env.fromElements('new').writeText(`${rpc}/keep/out.txt`, WriteMode.NO_OVERWRITE);
    const e = await failure(env.execute());
    assert.ok(causeOf(e, OutputExistsError), String(e));
    assert.equal(files.text('/keep/out.txt'), 'old\n');
    assert.deepEqual(files.list('/keep'), ['out.txt']);
  });

  test('a failed job writing HDFS leaves the existing target untouched and no staging or lock', { timeout: 60_000 }, async () => {
    const { rpc } = cluster();
    const files = new HdfsFiles(cluster());
    files.put('/failed/out/1', 'old-1\n');
    files.put('/failed/out/2', 'old-2\n');
    for (const p of [1, 2]) {
      const env = envAt(p);
      env
        .generateSequence(1, 50_000)
        .map((n) => {
          if (n === 40_000) throw new Error('boom at 40000');
          return n;
        })
        .writeText(`${rpc}/failed/out`, WriteMode.OVERWRITE);
      const e = await failure(env.execute());
      assert.match(String(e), /boom at 40000/);
      assert.deepEqual(files.list('/failed'), ['out'], `p=${p}: nothing next to the target`);
      assert.deepEqual(files.list('/failed/out'), ['1', '2']);
      assert.equal(files.text('/failed/out/1'), 'old-1\n');
    }
    // And a successful OVERWRITE replaces the directory whole.
    const env = envAt(1);
    env.fromElements('x', 'y').writeText(`${rpc}/failed/out`, WriteMode.OVERWRITE);
    await env.execute();
    assert.deepEqual(files.outputLines('/failed/out'), ['x', 'y']);
  });

  test('webhdfs:// names the HTTP address itself; a missing input, a missing NameNode and a bad URL are clear errors', { timeout: 60_000 }, async () => {
    const { http, rpc } = cluster();
    const files = new HdfsFiles(cluster());
    files.put('/web/a.txt', 'one\ntwo\n');
    const web = `webhdfs://${new URL(http).host}`;
    assert.deepEqual(await envAt(1).readText(`${web}/web/a.txt`).collect(), ['one', 'two']);
    assert.equal(httpAddress(new URL('hdfs://nn.example:8020/x'), {}), 'http://nn.example:9870');
    assert.equal(httpAddress(new URL('hdfs://nn:8020/x'), { TSFLINK_WEBHDFS: 'other:1=http://o:2, nn:8020=http://nn:50070/' }), 'http://nn:50070');
    assert.equal(httpAddress(new URL('hdfs://nn:8020/x'), { TSFLINK_WEBHDFS: 'http://gateway:14000' }), 'http://gateway:14000');

    const missing = await failure(envAt(1).readText(`${rpc}/web/nope.txt`).collect());
    assert.ok(causeOf(missing, InputPathError), String(missing));
    assert.match(String(missing), /does not exist/);
    // A NameNode nobody serves: the error names WebHDFS and the address.
    const unreachable = await failure(envAt(1).readText('webhdfs://127.0.0.1:9/x.txt').collect());
    assert.match(String(unreachable), /cannot reach WebHDFS at 127\.0\.0\.1:9/);
    assert.match(String(await failure(envAt(1).readText('hdfs:///x').collect())), /names no NameNode/);
  });

  test('nothing of an HDFS path was made on the local disk (a path taken for a relative local one)', () => {
    for (const dir of new Set([process.cwd(), root]))
      assert.deepEqual(
        readdirSync(dir).filter((n) => /^(web)?hdfs:/i.test(n)),
        [],
        dir,
      );
  });
});
