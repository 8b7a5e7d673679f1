/**
 * Runs the compiler on `type-checks.ts`: it must compile as written (inferred types as asserted),
 * and each line marked @ts-expect-error must be a real compile error once the marker is removed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const source = join(root, 'test/types/type-checks.ts');

function compile(file: string): string {
  const args = [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--allowImportingTsExtensions', '--types', 'node', file];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  return r.stdout + r.stderr;
}

test('static types: the type checks compile and every marked line is a compile error without its marker', () => {
  assert.equal(compile(source).trim(), '', 'type-checks.ts compiles');

  const lines = readFileSync(source, 'utf8').split('\n');
  const marked: number[] = [];
  const stripped = lines.map((l, i) => {
    if (!l.trimStart().startsWith('// @ts-expect-error')) return l;
    marked.push(i + 2); // the line after the marker, 1-based
    return '';
  });
  const copy = join(root, 'test/types/.type-checks-unmarked.ts');
  writeFileSync(copy, stripped.join('\n'));
  try {
    const out = compile(copy);
    const errorLines = new Set([...out.matchAll(/\.type-checks-unmarked\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])));
    assert.ok(marked.length >= 8);
    for (const line of marked) assert.ok(errorLines.has(line), `line ${line} (${lines[line - 1]!.trim()}) must not compile`);
  } finally {
    spawnSync('rm', ['-f', copy]);
  }
});
