/**
 * Every example runs through the real `tsflink` command (the built package, as a user runs it)
 * and prints the right answer.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameMultiset, tempDir } from '../helpers.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');

function tsflink(...args: string[]): string {
  return execFileSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/** The word counts of a text, computed the plain way, in the example's text form. */
function expectedWordCounts(text: string): string[] {
  const counts = new Map<string, number>();
  for (const w of text.toLowerCase().split(/[^\p{L}\p{N}']+/u)) if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([w, n]) => `(${w},${n})`);
}

for (const p of ['1', '2']) {
  test(`wordcount example prints the counts of the shipped text (p=${p})`, () => {
    const out = tsflink('run', 'examples/wordcount.ts', '-p', p);
    const expected = expectedWordCounts(readFileSync(join(root, 'examples/data/hamlet.txt'), 'utf8'));
    assertSameMultiset(lines(out), expected);
    assert.ok(lines(out).includes('(the,7)'));
  });
}

test('wordcount example writes a CSV file when given an output path', () => {
  const dir = tempDir();
  const out = join(dir, 'counts.csv');
  tsflink('run', 'examples/wordcount.ts', '-p', '2', '-', 'examples/data/hamlet.txt', out);
  const files = readdirSync(out).sort();
  assert.deepEqual(files, ['1', '2']);
  const rows = files.flatMap((f) => lines(readFileSync(join(out, f), 'utf8')));
  const expected = expectedWordCounts(readFileSync(join(root, 'examples/data/hamlet.txt'), 'utf8')).map((s) => s.slice(1, -1));
  assertSameMultiset(rows, expected);
});

test('tpch-join example: revenue of open orders since 1995 per nation', () => {
  assertSameMultiset(lines(tsflink('run', 'examples/tpch-join.ts', '-p', '2')), ['(FRANCE,112.74,2)', '(GERMANY,505.75,3)']);
});

test('cogroup example: one row per page present in either month', () => {
  assertSameMultiset(lines(tsflink('run', 'examples/cogroup.ts', '-p', '2')), ['(/home,125,140,15)', '(/about,30,0,-30)', '(/blog,75,60,-15)', '(/pricing,0,42,42)']);
});

test('broadcast example: stop words removed in every parallel instance', () => {
  assertSameMultiset(lines(tsflink('run', 'examples/broadcast.ts', '-p', '2')), ['quick', 'brown', 'fox', 'lazy', 'dog', 'night']);
});

test('custom-type example: equal points group together', () => {
  assertSameMultiset(lines(tsflink('run', 'examples/custom-type.ts', '-p', '2')), ['Point(1, 2) visited by alice & carol', 'Point(3, 4) visited by bob & erin', 'Point(5, 6) visited by dave']);
});

test('tsflink plan prints the optimized plan of an example without running it', () => {
  const text = tsflink('plan', 'examples/wordcount.ts', '-p', '2');
  assert.match(text, /HASH/);
  assert.match(text, /COMBINE/);
  assert.doesNotMatch(text, /\(the,7\)/);
  const json = JSON.parse(tsflink('plan', 'examples/wordcount.ts', '--format', 'json', '-p', '2'));
  assert.equal(json.jobName, 'WordCount');
  assert.ok(json.tasks.length >= 2);
});

test('tsflink plan --format html writes one page with the plan drawn as SVG', () => {
  const html = tsflink('plan', 'examples/tpch-join.ts', '--format', 'html', '-p', '2');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<svg[\s\S]*<\/svg>/);
  assert.match(html, /Orders ⋈ Customers/);
  assert.match(html, /HASH_JOIN_BUILD_SECOND/);
});
