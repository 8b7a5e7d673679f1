/**
 * The layers' imports go one way: api → plan → optimizer → job → runtime / runners (docs/architecture.md).
 * Each module of a layer is read for its import specifiers (static and dynamic), resolved, and
 * checked against the layers it must not reach.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const src = new URL('../src/', import.meta.url).pathname;

const FORBIDDEN: Record<string, readonly string[]> = {
  api: ['runtime', 'runners', 'cli'],
  plan: ['api', 'optimizer', 'job', 'runtime', 'runners', 'cli', 'io', 'serde', 'metrics'],
  optimizer: ['api', 'job', 'runtime', 'runners', 'cli'],
  job: ['api', 'cli'],
  runtime: ['api', 'runners', 'cli'],
  runners: ['api', 'cli'],
  io: ['api', 'job', 'runtime', 'runners', 'cli'],
  serde: ['api', 'job', 'runtime', 'runners', 'cli'],
  metrics: ['api', 'job', 'runtime', 'runners', 'cli'],
};

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm), ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

test('no layer imports a layer it must not reach', () => {
  const wrong: string[] = [];
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    for (const file of modules(join(src, layer))) {
      for (const target of importsOf(file)) {
        const top = relative(src, target).split('/')[0]!;
        if (forbidden.includes(top)) wrong.push(`${relative(src, file)} imports ${relative(src, target)}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('the check sees imports (it finds the runtime importing the runner contract)', () => {
  const seen = modules(join(src, 'runtime'))
    .flatMap(importsOf)
    .map((t) => relative(src, t));
  assert.ok(seen.includes('job/contract.ts'), seen.slice(0, 5).join(', '));
});
