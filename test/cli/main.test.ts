/**
 * The `tsflink` executable end to end: spawned as `node --import tsx src/cli/main.ts ...` in a
 * temporary working directory, with user scripts that do not import tsflink.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsflink-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return name;
}

script('args.ts', `const argv: string[] = process.argv.slice(2);\nconsole.log(JSON.stringify(argv));\nconsole.log(process.env.TSFLINK_PARALLELISM);\n`);
script(
  'env.mjs',
  `const pick = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TSFLINK_')));\n` + `console.log(JSON.stringify({ argv1: process.argv[1], env: pick }));\n`,
);
script('throws.ts', `function load(): never {\n  throw new Error('cannot load', { cause: new TypeError('bad input') });\n}\nload();\n`);
script('rejects.mjs', `Promise.reject(new RangeError('execute() failed'));\nsetTimeout(() => console.log('still running'), 2000);\n`);
script('later.mjs', `setTimeout(() => { throw new Error('from a callback'); }, 10);\n`);
script('pool.ts', `import { workerPool } from ${JSON.stringify(fileURLToPath(new URL('../../src/runtime/worker/worker-pool.ts', import.meta.url)))};\nconsole.log(workerPool().size);\n`);
script('ok.yaml', 'parallelism.default: 2\n');
script('bad.yaml', 'parallelism.default: 0\n');
mkdirSync(path.join(dir, 'lib'));

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with a clean TSFLINK_* environment plus `env`. */
function tsflink(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TSFLINK_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: dir, env: { ...clean, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The one paragraph the CLI prints on failure: no blank line, ends with a newline. */
function assertOneParagraph(stderr: string): void {
  assert.ok(stderr.startsWith('tsflink: '), stderr);
  assert.ok(stderr.endsWith('\n'), stderr);
  assert.ok(!stderr.trimEnd().includes('\n\n'), stderr);
}

describe('tsflink run', { concurrency: true }, () => {
  test('the script gets the arguments after a lone -, and -p as TSFLINK_PARALLELISM', async () => {
    const r = await tsflink(['run', 'args.ts', '-p', '3', '-', 'a', 'b']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '["a","b"]\n3\n');
  });

  test('-- separates too; tsflink options after it belong to the script', async () => {
    const r = await tsflink(['run', 'args.ts', '--', '-p', '7', '--verbose', '-']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '["-p","7","--verbose","-"]\nundefined\n');
  });

  test('flags become TSFLINK_* variables and override the inherited ones; modules are recorded', async () => {
    const r = await tsflink(['run', 'env.mjs', 'lib', 'args.ts', '--parallelism', '5', '--target', 'flink', '-m', 'jm.example:8081', '--conf', 'ok.yaml', '--verbose'], {
      TSFLINK_PARALLELISM: '9',
      TSFLINK_TARGET: 'local',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      argv1: path.join(dir, 'env.mjs'),
      env: {
        TSFLINK_PARALLELISM: '5',
        TSFLINK_TARGET: 'flink',
        TSFLINK_JOBMANAGER: 'jm.example:8081',
        TSFLINK_CONF: path.join(dir, 'ok.yaml'),
        TSFLINK_VERBOSE: '1',
        TSFLINK_SHIP_FILES: [path.join(dir, 'lib'), path.join(dir, 'args.ts')].join(path.delimiter),
      },
    });
  });

  test('without flags the inherited variables stay', async () => {
    const r = await tsflink(['run', 'args.ts'], { TSFLINK_PARALLELISM: '6' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[]\n6\n');
  });

  test("a script that throws: exit 1, one paragraph with the cause and the script's line, no stack", async () => {
    const r = await tsflink(['run', 'throws.ts']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'tsflink: Error: cannot load\n  caused by: TypeError: bad input\n  at throws.ts:2:43 (--verbose prints the stack traces)\n');
  });

  test('--verbose adds the stack trace', async () => {
    const r = await tsflink(['run', 'throws.ts', '--verbose']);
    assert.equal(r.code, 1);
    assertOneParagraph(r.stderr);
    assert.match(r.stderr, /^tsflink: Error: cannot load\n {4}at .*throws\.ts:2/);
    assert.match(r.stderr, /\n {2}caused by: TypeError: bad input\n {6}at /);
  });

  test('TSFLINK_VERBOSE=1 adds the stack trace too', async () => {
    const r = await tsflink(['run', 'throws.ts'], { TSFLINK_VERBOSE: '1' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tsflink: Error: cannot load\n {4}at /);
  });

  test('a rejected promise nobody awaited fails the run at once', async () => {
    const r = await tsflink(['run', 'rejects.mjs']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'tsflink: RangeError: execute() failed\n  at rejects.mjs:1:16 (--verbose prints the stack traces)\n');
    assert.equal(r.stdout, '');
  });

  test('an exception thrown from a callback after the script finished', async () => {
    const r = await tsflink(['run', 'later.mjs']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'tsflink: Error: from a callback\n  at later.mjs:1:26 (--verbose prints the stack traces)\n');
  });

  test('a missing script', async () => {
    const r = await tsflink(['run', 'missing.ts', '-', 'x']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `tsflink: CliError: Script 'missing.ts' does not exist (looked for ${path.join(dir, 'missing.ts')})\n`);
  });

  test('a missing module to ship', async () => {
    const r = await tsflink(['run', 'args.ts', 'nowhere']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tsflink: CliError: Module to ship 'nowhere' does not exist/);
    assert.equal(r.stdout, '');
  });

  test('a bad configuration fails before the script runs', async () => {
    const r = await tsflink(['run', 'args.ts', '--conf', 'bad.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tsflink: ConfigError: Invalid value 0 for 'parallelism\.default' in .*bad\.yaml: expected a positive integer\n$/);
    assert.equal(r.stdout, '');
  });

  test("at a default parallelism above 1 the pool's threads start before the script runs; at 1, or on Flink, none", async () => {
    const [two, one, flink] = await Promise.all([tsflink(['run', 'pool.ts', '-p', '2']), tsflink(['run', 'pool.ts', '-p', '1']), tsflink(['run', 'pool.ts', '-p', '2', '--target', 'flink'])]);
    for (const r of [two, one, flink]) assert.equal(r.code, 0, r.stderr);
    assert.equal(two.stdout, `${Math.min(2, os.availableParallelism())}\n`);
    assert.equal(one.stdout, '0\n');
    assert.equal(flink.stdout, '0\n');
  });

  test('a bad flag value is a usage error', async () => {
    const r = await tsflink(['run', 'args.ts', '-p', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /argument '0' is invalid\. expected a positive integer/);
  });
});

describe('tsflink plan', { concurrency: true }, () => {
  // env.mjs runs no job: the script runs, then plan says there was nothing to plan.
  test('sets TSFLINK_PLAN_FORMAT (text by default) and runs the script with its arguments; a script that ran no job is an error', async () => {
    const r = await tsflink(['plan', 'env.mjs', '-', 'in.txt']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tsflink: .*'env\.mjs' ran no job: it never called execute\(\), collect\(\) or count\(\)/);
    assert.deepEqual(JSON.parse(r.stdout).env, { TSFLINK_PLAN_FORMAT: 'text' });
  });

  test('--format', async () => {
    const r = await tsflink(['plan', 'env.mjs', '--format', 'dot', '-p', '2']);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout).env, { TSFLINK_PLAN_FORMAT: 'dot', TSFLINK_PARALLELISM: '2' });
  });

  test('run never plans, even when the variable is inherited', async () => {
    const r = await tsflink(['run', 'env.mjs'], { TSFLINK_PLAN_FORMAT: 'json' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).env, {});
  });
});

describe('help and version', { concurrency: true }, () => {
  for (const command of ['run', 'plan']) {
    test(`${command} --help`, async () => {
      const r = await tsflink([command, '--help']);
      assert.equal(r.code, 0);
      assert.ok(r.stdout.startsWith(`Usage: tsflink ${command} [options] <script> [modules...] [- <arg>...]\n`), r.stdout);
      assert.match(r.stdout, /-p, --parallelism <n>/);
      assert.match(r.stdout, new RegExp(`Example:\\n {2}\\$ tsflink ${command} wc\\.ts`));
    });
  }

  test('--help', async () => {
    const r = await tsflink(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: tsflink \[options\] \[command\]/);
    assert.match(r.stdout, /run \[options\]/);
    assert.match(r.stdout, /plan \[options\]/);
  });

  test('--version prints the package version', async () => {
    const r = await tsflink(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${VERSION}\n`);
  });
});
