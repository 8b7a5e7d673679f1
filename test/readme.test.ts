/**
 * Keeps the README true: every TypeScript block of the tour runs and prints what the block
 * says it prints, and every shell command in it runs (the install steps aside: CI ran them).
 */
import assert from 'node:assert/strict';
import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assertSameMultiset } from './helpers.ts';

const root = new URL('../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
const snippetDir = join(root, '.readme-snippets', String(process.pid));
mkdirSync(snippetDir, { recursive: true });
after(() => rmSync(snippetDir, { recursive: true, force: true }));

test('the Quick start holds exactly two commands: WordCount embedded, then every test', () => {
  const quick = /## Quick start\n+```sh\n([\s\S]*?)```/.exec(readme);
  assert.ok(quick, 'a Quick start section with a sh block');
  const commands = quick[1]!.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  assert.equal(commands.length, 2);
  assert.match(commands[0]!, /tsflink run examples\/wordcount\.ts/);
  assert.match(commands[1]!, /npm test/);
});

/** Runs a README shell command from the repository root, skipping `npm ci` (CI has just run it). */
function runShell(command: string): string {
  const withoutInstall = command.replace(/^npm ci && /, '');
  if (withoutInstall.includes('npm test')) return ''; // the test command itself: CI runs it
  return execSync(withoutInstall, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('every bash block of the README runs as one script (the Flink cluster and HDFS walk-throughs)', { timeout: 600_000 }, () => {
  for (const b of blocks.filter((x) => x.lang === 'bash')) {
    try {
      const out = execSync(b.code, { cwd: root, encoding: 'utf8', shell: '/bin/bash', stdio: ['ignore', 'pipe', 'pipe'] });
      const counts = out.split('\n').filter((l) => l === '(the,7)');
      assert.equal(counts.length, 2, 'WordCount printed its counts twice (embedded or on the MiniCluster, and on the cluster)');
      if (b.code.includes('hdfs-cluster.sh start'))
        assert.deepEqual(
          out.split('\n').filter((l) => l.startsWith('"pathSuffix"')),
          ['"pathSuffix":"1"', '"pathSuffix":"2"'],
          'the counts on HDFS, a file per instance',
        );
    } finally {
      // A failed walk-through must not leave a cluster running.
      if (b.code.includes('flink-cluster.sh start')) execSync('bash scripts/flink-cluster.sh stop || true', { cwd: root, stdio: 'ignore', shell: '/bin/bash' });
      if (b.code.includes('hdfs-cluster.sh start')) execSync('bash scripts/hdfs-cluster.sh stop || true', { cwd: root, stdio: 'ignore', shell: '/bin/bash' });
    }
  }
});

test('every shell command of the README runs', () => {
  const reports = ['wordcount-report.html', 'wordcount-report.json'].map((f) => join(root, f));
  try {
    for (const b of blocks.filter((x) => x.lang === 'sh')) {
      for (const line of b.code.split('\n').filter((l) => l.trim() && !l.startsWith('#'))) {
        const out = runShell(line);
        if (line.includes('wordcount.ts')) assert.match(out, /\(the,7\)|"WordCount"|"jobName"/, line);
      }
    }
    // The run reports the README's commands write.
    assert.match(readFileSync(reports[0]!, 'utf8'), /<svg[\s\S]*Tokenizer/);
    const figures = JSON.parse(readFileSync(reports[1]!, 'utf8')) as { jobName: string; state: string };
    assert.deepEqual([figures.jobName, figures.state], ['WordCount', 'FINISHED']);
  } finally {
    for (const r of reports) rmSync(r, { force: true });
  }
});

const tsBlocks = blocks.filter((b) => b.lang === 'ts');
// The tour's programs clean up after themselves: what they make in the temp folder is named tour-….
const tourLeftovers = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('tour-'));
const leftBefore = new Set(tourLeftovers());
after(() =>
  assert.deepEqual(
    tourLeftovers().filter((n) => !leftBefore.has(n)),
    [],
    'a tour block left its temp folder',
  ),
);
tsBlocks.forEach((block, i) => {
  const firstLine = block.code.split('\n').find((l) => l.startsWith('const ') || l.startsWith('class ')) ?? '';
  test(`README tour block ${i + 1} (${firstLine.slice(0, 40)}) prints what it says`, () => {
    mkdirSync(snippetDir, { recursive: true });
    const file = join(snippetDir, `block-${i + 1}.ts`);
    writeFileSync(file, block.code);
    const out = execFileSync(process.execPath, [join(root, 'dist/cli/main.js'), 'run', file], { cwd: root, encoding: 'utf8' });
    const m = /\/\/ output( \(any order\))?:\n((?:\/\/.*\n?)*)/.exec(block.code);
    assert.ok(m, 'every tour block states its output');
    const expected = m[2]!
      .split('\n')
      .filter((l) => l.startsWith('// '))
      .map((l) => l.slice(3));
    const actual = out.split('\n').filter((l) => l !== '');
    if (m[1]) assertSameMultiset(actual, expected);
    else assert.deepEqual(actual, expected);
  });
});
