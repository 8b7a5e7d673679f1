/**
 * The Flink target (`tsflink run --target flink`): jobs run on an in-process Flink MiniCluster
 * and on a standalone cluster started by scripts/flink-cluster.sh, and give the same results
 * as the embedded engine (compared as multisets). Needs Java 17 and Maven:
 * scripts/install-flink-deps.sh (run first, idempotent) fetches Flink and builds the binder.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameMultiset, tempDir } from '../helpers.ts';
import { clusterScript, clusterState } from './cluster-state.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const fixture = 'test/flink/fixtures/map-filter-group.ts';
const TIMEOUT = 300_000;

await setUpFlinkTests();

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function tsflink(args: readonly string[], input?: string): Run {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_TARGET;
  delete env.TSFLINK_JOBMANAGER;
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env, timeout: TIMEOUT, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function clientEnvOf(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_TARGET;
  delete env.TSFLINK_JOBMANAGER;
  return env;
}

function ok(args: readonly string[]): string {
  const r = tsflink(args);
  assert.equal(r.status, 0, `tsflink ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

function readParts(path: string): string[] {
  const files = readdirSync(path).sort();
  return files.flatMap((f) => lines(readFileSync(join(path, f), 'utf8')));
}

test('WordCount on a Flink MiniCluster gives the embedded engine’s counts (p=2, output() and writeCsv)', { timeout: TIMEOUT }, () => {
  const local = lines(ok(['run', '--target', 'local', '-p', '2', 'examples/wordcount.ts']));
  const flink = lines(ok(['run', '--target', 'flink', '-p', '2', 'examples/wordcount.ts']));
  assert.ok(local.includes('(the,7)'));
  assertSameMultiset(flink, local);

  const dir = tempDir();
  ok(['run', '--target', 'local', '-p', '2', 'examples/wordcount.ts', '-', 'examples/data/hamlet.txt', join(dir, 'local.csv')]);
  ok(['run', '--target', 'flink', '-p', '2', 'examples/wordcount.ts', '-', 'examples/data/hamlet.txt', join(dir, 'flink.csv')]);
  assert.deepEqual(readdirSync(join(dir, 'flink.csv')).sort(), ['1', '2']);
  assertSameMultiset(readParts(join(dir, 'flink.csv')), readParts(join(dir, 'local.csv')));
});

test('map/filter/groupBy/reduce/max, a join, a broadcast set and mapPartition over three jobs: Flink = embedded (p=3)', { timeout: TIMEOUT }, () => {
  const dir = tempDir();
  const local = lines(ok(['run', '--target', 'local', '-p', '3', fixture, '-', join(dir, 'local.csv')]));
  const flink = lines(ok(['run', '--target', 'flink', '-p', '3', fixture, '-', join(dir, 'flink.csv')]));
  assert.equal(flink.length, 3);
  const parse = (l: string) => JSON.parse(l) as Record<string, unknown>;
  const [ls, lc, lt] = local.map(parse);
  const [fs, fc, ft] = flink.map(parse);
  assertSameMultiset(fs!.sums as unknown[], ls!.sums as unknown[]);
  assert.equal((fs!.sums as unknown[]).length, 37);
  assert.deepEqual(fc, lc);
  assert.deepEqual(ft, lt);
  assert.deepEqual(ft, { totalRecords: 5000 - Math.floor(5000 / 3) });
  assertSameMultiset(readParts(join(dir, 'flink.csv')), readParts(join(dir, 'local.csv')));
});

test("'-' reads stdin and writes stdout on the Flink target as embedded (p=2)", { timeout: TIMEOUT }, () => {
  const input = Array.from({ length: 2000 }, (_, i) => `k${i % 5},${i}`).join('\n');
  const flink = tsflink(['run', '--target', 'flink', '-p', '2', 'test/flink/fixtures/stdio-job.ts'], input);
  const local = tsflink(['run', '--target', 'local', '-p', '2', 'test/flink/fixtures/stdio-job.ts'], input);
  assert.equal(flink.status, 0, flink.stderr);
  assert.equal(local.status, 0, local.stderr);
  assert.equal(lines(flink.stdout).length, 5);
  assertSameMultiset(lines(flink.stdout), lines(local.stdout));
});

test('Date, Map, Set, RegExp, bigint and typed arrays cross Flink unregistered and are keys by value, and a custom accumulator comes back unregistered, as embedded (p=2)', {
  timeout: TIMEOUT,
}, () => {
  const flink = lines(ok(['run', '--target', 'flink', '-p', '2', 'test/flink/fixtures/built-in-values.ts']));
  const local = lines(ok(['run', '--target', 'local', '-p', '1', 'test/flink/fixtures/built-in-values.ts']));
  assert.equal(flink.length, 32);
  assert.equal(flink[30], 'keys 2026-01-01=135 2026-01-02=145 2026-01-03=155 maps=4 joined=20');
  assert.equal(flink[31], 'accumulator ["t0","t1","t2"]');
  assert.match(flink[0]!, /^\[1,Date\(86400000\),Map\(\[k,Set\(1,0\)\]\),RegExp\(x\+,gi\),1n,Float64Array\(1,NaN\),BigInt64Array\(-1n\)\]$/);
  assert.deepEqual(flink, local);
});

test('the value matrix on Flink at p=1, 2 and 4: the same results and errors as embedded at p=2 (test/fixtures/value-matrix.ts)', { timeout: TIMEOUT }, () => {
  const job = 'test/flink/fixtures/value-matrix-job.ts';
  // (On Flink every task boundary is a process boundary, so p=1 is like embedded p > 1.)
  const local = JSON.parse(ok(['run', '--target', 'local', '-p', '2', job])) as Record<string, string>;
  assert.equal(Object.keys(local).length, 14);
  assert.match(local.function!, /^error: Cannot serialize function/);
  assert.match(local['a class instance']!, /^error: Cannot serialize an instance of class 'Plain'/);
  for (const p of ['1', '2', '4']) assert.deepEqual(JSON.parse(ok(['run', '--target', 'flink', '-p', p, job])), local, `p=${p}`);
});

test('readJson over a glob of plain and gzip parts, and writeJson to .gz, on Flink give the embedded engine’s output (p=2)', { timeout: TIMEOUT }, () => {
  const lines = (target: string): string[] => {
    const dir = tempDir('tsflink-json-');
    for (const [day, part, rows] of [
      [
        '2026-01',
        'part-1',
        [
          ['ann', 5, '2026-01-03T10:00:00Z'],
          ['bob', 2, '2026-01-04T00:00:00Z'],
        ],
      ],
      ['2026-02', 'part-1', [['ann', 7, '2026-02-09T00:00:00Z']]],
      ['2025-12', 'part-1', [['ann', 1000, '2025-12-31T00:00:00Z']]],
    ] as const) {
      mkdirSync(join(dir, 'logs', day), { recursive: true });
      const text = rows.map(([user, amount, at]) => JSON.stringify({ user, amount, at })).join('\n');
      writeFileSync(join(dir, 'logs', day, part), day === '2026-02' ? gzipSync(text) : text);
    }
    return ok(['run', '--target', target, '-p', '2', 'test/flink/fixtures/json-job.ts', '-', dir]).split('\n').filter(Boolean);
  };
  const flink = lines('flink');
  assert.deepEqual(flink, ['{"user":"ann","total":12,"lastDay":9,"tags":["ANN"]}', '{"user":"bob","total":2,"lastDay":4,"tags":["BOB"]}']);
  assert.deepEqual(flink, lines('local'));
});

test('readParquet of a DuckDB-written file and writeParquet on Flink give the embedded engine’s results (p=2)', { timeout: TIMEOUT }, async () => {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const file = join(tempDir('tsflink-parquet-'), 'rows.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  await duck.run(
    `COPY (SELECT i AS id, {'city': 'c' || (i % 4), 'zip': CASE WHEN i % 7 = 0 THEN NULL ELSE i END} AS place, DATE '2026-01-01' + (i % 28)::INTEGER AS day FROM range(20000) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
  );
  duck.closeSync();
  instance.closeSync();
  const job = (target: string) => ['run', '--target', target, '-p', '2', 'test/flink/fixtures/parquet-job.ts', '-', file, join(tempDir('tsflink-parquet-out-'), 'out.parquet')];
  const flink = lines(ok(job('flink')));
  assert.equal(flink.length, 5);
  assert.match(flink[0]!, /^c0 5000 \d+ 2026-01-25$/);
  // Rows 0…19999 written by writeParquet on the cluster and read back: the sum of the ids, and of the label lengths.
  assert.equal(flink[4], `written ${(19999 * 20000) / 2} ${Array.from({ length: 20000 }, (_, i) => `row ${i}`.length).reduce((a, b) => a + b, 0)}`);
  assert.deepEqual(flink, lines(ok(job('local'))));
});

test('a compiled pipeline (readCsv -> map -> filter -> project -> aggregate) on Flink gives the embedded results, compiled or not, and the same error (p=2)', { timeout: TIMEOUT }, () => {
  const dir = tempDir('tsflink-flink-compiled-');
  const input = join(dir, 'in.csv');
  writeFileSync(input, `${Array.from({ length: 4000 }, (_, i) => `k${i % 23},skip,${i * 7},${i % 13}`).join('\n')}\n`);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'a,1\nb,2\nc,three\n');
  const fixture = 'test/flink/fixtures/compiled-csv.ts';
  const run = (target: string, compile: string): string[] => {
    const r = spawnSync(process.execPath, [cli, 'run', '-q', '--target', target, '-p', '2', fixture, '-', input, bad], {
      cwd: root,
      encoding: 'utf8',
      env: { ...clientEnvOf(), TSFLINK_COMPILE: compile },
      timeout: TIMEOUT,
    });
    assert.equal(r.status, 0, r.stderr);
    return lines(r.stdout);
  };
  const embedded = run('local', '1');
  const parse = (out: string[]) => out.map((l) => JSON.parse(l) as { sums?: unknown[]; error?: string | null });
  const [sums, error] = parse(embedded);
  assert.equal(sums!.sums!.length, 23);
  assert.match(error!.error!, /bad\.csv:3/);
  for (const compile of ['1', '0']) {
    const [fs, fe] = parse(run('flink', compile));
    assertSameMultiset(fs!.sums!, sums!.sums!);
    assert.equal(fe!.error, error!.error);
  }
  const plan = spawnSync(process.execPath, [cli, 'plan', '-p', '2', fixture, '-', input, bad], { cwd: root, encoding: 'utf8', env: { ...clientEnvOf(), TSFLINK_COMPILE: '1' }, timeout: TIMEOUT });
  assert.match(plan.stdout, /compiled: DataSource \(readCsv\) at compiled-csv\.ts:\d+ -> Map at compiled-csv\.ts:\d+ -> Filter at compiled-csv\.ts:\d+ -> Project at compiled-csv\.ts:\d+ -> Combine/);
});

test('a throwing user function fails the Flink job with the embedded engine’s error text', { timeout: TIMEOUT }, () => {
  const dir = tempDir();
  const local = tsflink(['run', '--target', 'local', '-p', '2', fixture, '-', join(dir, 'local.csv'), 'fail']);
  const flink = tsflink(['run', '--target', 'flink', '-p', '2', fixture, '-', join(dir, 'flink.csv'), 'fail']);
  assert.notEqual(local.status, 0);
  assert.equal(flink.status, local.status);
  const errorLine = (r: Run) => lines(r.stderr).find((l) => l.includes('value too large'));
  assert.ok(errorLine(local), local.stderr);
  assert.equal(errorLine(flink), errorLine(local));
  // The first job's result was printed before the failing one (the order of a collect()ed
  // result across subtasks is not defined); no partial output was committed.
  const sums = (r: Run) => lines(r.stdout).map((l) => (JSON.parse(l) as { sums: unknown[] }).sums);
  assert.equal(sums(flink).length, 1);
  assertSameMultiset(sums(flink)[0]!, sums(local)[0]!);
  assert.deepEqual(readdirSync(dir), []);
});

test('a job of many tasks reuses its Node workers (fewer workers than subtasks)', { timeout: TIMEOUT }, () => {
  const dir = tempDir();
  const flink = lines(ok(['run', '--target', 'flink', '-p', '2', 'test/flink/fixtures/worker-count.ts', '-', dir]));
  const local = lines(ok(['run', '--target', 'local', '-p', '2', 'test/flink/fixtures/worker-count.ts', '-', tempDir()]));
  assert.deepEqual(flink, local);
  const printed = ok(['plan', '--format', 'json', '-p', '2', 'test/flink/fixtures/worker-count.ts', '-', tempDir()]);
  const plan = JSON.parse(printed.slice(printed.indexOf('{\n'))) as { tasks: { parallelism: number }[] }; // what the script printed, then the plan
  const subtasks = plan.tasks.reduce((n, t) => n + t.parallelism, 0);
  assert.ok(subtasks >= 10, `only ${subtasks} subtasks`);
  const workers = readdirSync(dir).length;
  // How many stages overlap depends on the machine's load (a loaded CI machine saw 6 workers for
  // 11 subtasks, an idle one 4); without reuse every subtask would start its own.
  assert.ok(workers >= 1 && workers < subtasks, `${workers} Node workers for ${subtasks} subtasks`);
});

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`${signal} of the client mid-job stops its Flink JVM and Node workers and removes its job folder`, { timeout: TIMEOUT }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tsflink.yaml'), `io.tmp.dirs: ${dir}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, TSFLINK_CONF: join(dir, 'tsflink.yaml') };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, [cli, 'run', '--target', 'flink', '-p', '2', 'test/flink/fixtures/slow-collect.ts'], { cwd: root, env, stdio: 'ignore' });
    const mine = (): number[] =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir) || readFileSync(`/proc/${p}/environ`, 'utf8').includes(dir);
          } catch {
            return false; // gone, or not ours
          }
        })
        .map(Number)
        .filter((p) => p !== child.pid);
    // Wait until the job's Node workers run (the map is slow), then interrupt the client.
    for (let i = 0; i < 600 && !mine().some((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--input-type=module')); i++) await sleep(100);
    assert.ok(mine().length >= 2, 'the job did not start');
    // SIGTERM: the client stops its JVM; SIGKILL: the JVM notices its client is gone.
    child.kill(signal);
    await new Promise((resolve) => child.once('exit', resolve));
    let left = mine();
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await sleep(100);
      left = mine();
    }
    assert.deepEqual(left, [], 'processes of the interrupted job survived');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('tsflink-flink-')),
      [],
    );
  });
}

test('WordCount and a join/coGroup/broadcast job with shipped code on a standalone cluster (1 JobManager + 2 TaskManagers) started by scripts/flink-cluster.sh', { timeout: TIMEOUT }, () => {
  const { state, env } = clusterState('tsflink-flink-cluster-');
  const script = clusterScript;
  const address = execFileSync('bash', [script, 'start', '--taskmanagers', '2'], { env, encoding: 'utf8', timeout: 180_000 }).trim();
  assert.match(address, /^127\.0\.0\.1:\d+$/);
  const status = execFileSync('bash', [script, 'status'], { env, encoding: 'utf8' });
  assert.match(status, /"taskmanagers":2,"slots-total":4/);

  const local = lines(ok(['run', '--target', 'local', '-p', '2', 'examples/wordcount.ts']));
  const flink = lines(ok(['run', '--target', 'flink', '-m', address, '-p', '2', 'examples/wordcount.ts']));
  assertSameMultiset(flink, local);
  const overview = JSON.parse(execFileSync('curl', ['-fsS', `http://${address}/overview`], { encoding: 'utf8' })) as Record<string, number>;
  assert.equal(overview['jobs-finished'], 1);

  // A join, a coGroup and a broadcast set, with functions from a module shipped along: on the
  // cluster the functions run from the copy shipped through Flink's BlobServer, not the client's files.
  const job = ['test/flink/fixtures/shipped-job.ts', 'test/flink/fixtures/shipped-helper.ts'];
  type Shipped = { results: string[]; places: string[]; client: string; words: string[]; files: string[] };
  const [embedded] = lines(ok(['run', '--target', 'local', '-p', '2', ...job])).map((l) => JSON.parse(l) as Shipped);
  const [cluster] = lines(ok(['run', '--target', 'flink', '-m', address, '-p', '2', ...job])).map((l) => JSON.parse(l) as Shipped);
  assert.deepEqual(cluster!.results, embedded!.results);
  assert.ok(embedded!.results.includes('cogroup five:0:0') && embedded!.results.includes('bonus 1040'), embedded!.results.join(' '));
  assert.deepEqual(embedded!.places, [embedded!.client]);
  assert.ok(cluster!.places.length > 0);
  for (const place of cluster!.places) {
    assert.match(place, /\/tsflink-work-[^/]+\/app\/shipped-helper\.ts$/);
    assert.notEqual(place, cluster!.client);
  }
  // registerCachedFile: embedded reads the client's file, the cluster's workers their TaskManager's copy.
  const client = fileURLToPath(new URL('./fixtures/cached-words.txt', import.meta.url));
  assert.deepEqual(embedded!.words, ['alpha beta gamma']);
  assert.deepEqual(embedded!.files, [client]);
  assert.deepEqual(cluster!.words, ['alpha beta gamma']);
  assert.ok(cluster!.files.length > 0 && cluster!.files.every((f) => f !== client), cluster!.files.join(' '));

  // A collect() result larger than Flink's default RPC frame (the cluster script raises pekko.framesize).
  assert.deepEqual(lines(ok(['run', '--target', 'flink', '-m', address, '-p', '2', 'test/flink/fixtures/big-collect.ts'])), ['200000 18088895']);

  const stopped = execFileSync('bash', [script, 'stop'], { env, encoding: 'utf8' });
  assert.match(stopped, /stopped 3 process/);
  const pids = readdirSync(state).filter((f) => f.endsWith('.pid'));
  assert.deepEqual(pids, []);
});
