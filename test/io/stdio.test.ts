/**
 * `-` as stdin for sources and stdout for sinks, piped stdin through /dev/stdin, and sinks that
 * refuse a special file such as /dev/stdout, at p=1, 2 and 4 on the embedded engine (the Flink
 * target's run is in test/flink/flink-target.test.ts). Each job's io.tmp.dirs is checked empty after.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameMultiset, clientEnv, tempDir } from '../helpers.ts';
import { INDEX_TS, lines } from '../api/spawn-script.ts';

const TSX = import.meta.resolve('tsx');

interface Piped {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the job left in its io.tmp.dirs. */
  readonly leftInTmp: string[];
}

/** Runs `body` (after `import { names } from tsflink`) with `input` piped to its stdin. */
function pipe(body: string, input: string | Buffer, env: NodeJS.ProcessEnv = {}, names = ['getEnvironment', 'Types', 'WriteMode']): Piped {
  const dir = tempDir('tsflink-stdio-');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  writeFileSync(join(dir, 'tsflink.yaml'), `io.tmp.dirs: ${tmp}\n`);
  const file = join(dir, 'job.mts');
  writeFileSync(file, `import { ${names.join(', ')} } from ${JSON.stringify(INDEX_TS)};\n${body}\n`);
  const r = spawnSync(process.execPath, ['--import', TSX, file], { cwd: dir, input, env: clientEnv({ TSFLINK_CONF: join(dir, 'tsflink.yaml'), ...env }), encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, leftInTmp: readdirSync(tmp) };
}

const csvIn = Array.from({ length: 3000 }, (_, i) => `k${i % 7},${i}\n`).join('');
const sums = Array.from(
  { length: 7 },
  (_, k) =>
    `k${k},${Array.from({ length: 3000 }, (_, i) => i)
      .filter((i) => i % 7 === k)
      .reduce((a, b) => a + b, 0)}`,
);

for (const p of [1, 2, 4]) {
  test(`readCsv('-') reads piped stdin and writeCsv('-') writes stdout, at p=${p}`, () => {
    const r = pipe(
      `const env = getEnvironment();
env.setParallelism(${p});
env.readCsv('-', [Types.STRING, Types.INT]).groupBy(0).sum(1).writeCsv('-');
await env.execute();`,
      csvIn,
    );
    assert.equal(r.status, 0, r.stderr);
    assertSameMultiset(lines(r.stdout), sums);
    assert.deepEqual(r.leftInTmp, []);
  });

  test(`readText('/dev/stdin') reads a pipe (not 0 lines), writeText('-') writes every line once, at p=${p}`, () => {
    const r = pipe(
      `const env = getEnvironment();
env.setParallelism(${p});
const text = env.readText('/dev/stdin');
text.map((l) => l.toUpperCase()).writeText('-');
console.error('count ' + (await text.count()));`,
      'one\ntwo\nthree\n',
    );
    assert.equal(r.status, 0, r.stderr);
    assertSameMultiset(lines(r.stdout), ['ONE', 'TWO', 'THREE']);
    assert.match(r.stderr, /count 3/);
    assert.deepEqual(r.leftInTmp, []);
  });

  test(`a failed job writes nothing to stdout through '-' and leaves nothing in io.tmp.dirs, at p=${p}`, () => {
    const r = pipe(
      `const env = getEnvironment();
env.setParallelism(${p});
env.readText('-').map((l) => { if (l === 'line 900') throw new Error('bad line ' + l); return l; }).writeText('-');
await env.execute();`,
      Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(''),
    );
    assert.notEqual(r.status, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /bad line line 900/);
    assert.deepEqual(r.leftInTmp, []);
  });
}

test("writeCsv('/dev/stdout') under OVERWRITE is refused before anything runs, pointing at '-'; /dev/stdout stays", () => {
  const before = lstatSync('/dev/stdout');
  const r = pipe(
    `const env = getEnvironment();
env.setParallelism(2);
env.fromElements(['a', 1]).writeCsv('/dev/stdout', { writeMode: WriteMode.OVERWRITE });
await env.execute();`,
    '',
  );
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /will not write output '\/dev\/stdout': it is a (symbolic link|character device|named pipe)/);
  assert.match(r.stderr, /'-' writes to stdout/);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.leftInTmp, []);
  const after = lstatSync('/dev/stdout');
  assert.deepEqual([after.ino, after.mode, after.isSymbolicLink()], [before.ino, before.mode, before.isSymbolicLink()]);
});

test("a source '-' and a sink '-' in one job are not a path conflict; the plan names stdin and stdout", () => {
  const r = pipe(
    `const env = getEnvironment();
env.readText('-').writeText('-');
await env.execute();`,
    'not read\n',
    { TSFLINK_PLAN_FORMAT: 'text' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /from stdin \(-\)/);
  assert.match(r.stdout, /to stdout \(-\)/);
  assert.doesNotMatch(r.stdout, /not read/);
});
