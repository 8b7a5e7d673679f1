/**
 * `tsflink run`'s progress on stderr: on a terminal (a pseudo-terminal made by util-linux
 * `script`) a live display that redraws while the job runs and ends with a summary line, the
 * cursor shown again; on a pipe, a plain line every few seconds and the summary; with --quiet,
 * nothing. stdout stays the program's in every case.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const job = 'test/cli/fixtures/slow-count.ts';

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_PARALLELISM;
  return env;
}

function counts(dir: string): number {
  return readdirSync(join(dir, 'out.csv')).reduce(
    (n, f) =>
      n +
      readFileSync(join(dir, 'out.csv', f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .reduce((m, l) => m + Number(l.split(',')[1]), 0),
    0,
  );
}

test('on a terminal: a live display that redraws while the job runs, then a summary, the cursor restored', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const command = [process.execPath, cli, 'run', '-p', '2', job, '-', join(dir, 'out.csv'), '6000000'].map((a) => `'${a}'`).join(' ');
  // script(1) runs the command on a pseudo-terminal and copies what it writes (stdout and stderr) to ours.
  const r = spawnSync('script', ['-q', '-e', '-c', `stty cols 160; ${command}`, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...cleanEnv(), TERM: 'xterm' }, timeout: 110_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const out = r.stdout;
  assert.ok(out.includes('\x1b[?25l'), 'hides the cursor while drawing');
  assert.ok(out.includes('\x1b[?25h'), 'shows it again at the end');
  // Redraws: the generator's count appears with several different values, each a frame.
  const frames = [...out.matchAll(/(\d+(?:\.\d+)? [KM]?) ?in, (\d+(?:\.\d+)? ?[KM]?) out/g)].map((m) => m[2]);
  assert.ok(new Set(frames).size >= 3, `several different frames: ${[...new Set(frames)].join(' | ')}`);
  assert.match(out, /tsflink: slow count finished in \d/);
  assert.equal(counts(dir), 6_000_000);
});

test('at p=1 too (one thread, busy in the job): the live display redraws as the source reads', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const input = join(dir, 'words.txt');
  const words = Array.from({ length: 5000 }, (_, i) => `w${(i * 7919) % 5000}`).join(' ');
  writeFileSync(input, `${words}\n`.repeat(2000)); // 55 MiB
  const command = [process.execPath, cli, 'run', '-p', '1', 'examples/wordcount.ts', '-', input, join(dir, 'out.csv')].map((a) => `'${a}'`).join(' ');
  // TSFLINK_PROGRESS_COST=1 (the progress benchmark's direct measure): the display's own time, printed at the end.
  const r = spawnSync('script', ['-q', '-e', '-c', `stty cols 160; ${command}`, '/dev/null'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...cleanEnv(), TERM: 'xterm', TSFLINK_PROGRESS_COST: '1' },
    timeout: 110_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const frames = [...r.stdout.matchAll(/(\d+(?:\.\d+)? [KM]?i?B) of (\d+\.\d MiB)/g)].filter((m) => m[1] !== m[2]).map((m) => m[1]);
  assert.ok(new Set(frames).size >= 2, `frames while it read: ${[...new Set(frames)].join(' | ')}`);
  assert.match(r.stdout, /finished in \d/);
  assert.match(r.stdout, /tsflink: the progress display took \d+\.\d ms in [1-9]\d* updates of a \d+\.\d s job/);
});

test('on a pipe: a plain line every few seconds, then the summary; --quiet: nothing on stderr', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const r = spawnSync(process.execPath, [cli, 'run', '-p', '2', job, '-', join(dir, 'out.csv'), '6000000'], { cwd: root, encoding: 'utf8', env: cleanEnv(), timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.ok(!r.stderr.includes('\x1b['), 'no terminal escapes on a pipe');
  const progress = lines.filter((l) => /^tsflink: slow count \d+(\.\d)? s: .* in, .* out/.test(l));
  assert.ok(progress.length >= 1, r.stderr);
  assert.match(lines[lines.length - 1]!, /^tsflink: slow count finished in \d/);

  const quiet = spawnSync(process.execPath, [cli, 'run', '-p', '2', '--quiet', job, '-', join(dir, 'out.csv'), '6000000'], { cwd: root, encoding: 'utf8', env: cleanEnv(), timeout: 110_000 });
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
  assert.equal(counts(dir), 6_000_000);
});

test('execute({ progress: true }) shows the progress from a program run without the tsflink command', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/cli/fixtures/progress-from-execute.ts', join(dir, 'out.csv'), '6000000'], {
    cwd: root,
    encoding: 'utf8',
    env: cleanEnv(),
    timeout: 110_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(
    r.stderr.split('\n').some((l) => /^tsflink: slow count \d+(\.\d)? s: .* in, .* out/.test(l)),
    r.stderr,
  );
  assert.match(r.stderr, /tsflink: slow count finished in \d/);
  assert.equal(counts(dir), 6_000_000);
});
