/**
 * What a program gets wrong without an error: sinks defined and never run, and a setting of
 * tsflink.yaml that tsflink does not read (a typo), each said once on stderr as a warning.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runScript } from './spawn-script.ts';

test('sinks defined but never run: a warning naming them at exit, output untouched, exit 0', () => {
  const dir = tempDir();
  const r = runScript(
    dir,
    'forgot',
    ['getEnvironment'],
    `const env = getEnvironment();\nenv.fromElements(1, 2).writeText(${JSON.stringify(join(dir, 'out'))});\nenv.fromElements(3).output();\nconsole.log('done');`,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'done\n');
  assert.match(
    r.stderr,
    /^tsflink: warning: 2 sinks were defined but never run \(DataSink \(writeText\) at forgot\.mts:3, DataSink \(output\) at forgot\.mts:4\): nothing was written; call `await env\.execute\(\)`/,
  );
});

test('no warning when every sink ran, nor for a failed script', () => {
  const dir = tempDir();
  const ran = runScript(dir, 'ran', ['getEnvironment'], `const env = getEnvironment();\nenv.fromElements(1).output();\nawait env.execute();\nconsole.log(await env.fromElements(2).count());`);
  assert.equal(ran.status, 0, ran.stderr);
  assert.doesNotMatch(ran.stderr, /warning/);
  const failed = runScript(dir, 'failed', ['getEnvironment'], `const env = getEnvironment();\nenv.fromElements(1).output();\nthrow new Error('before execute');`);
  assert.notEqual(failed.status, 0);
  assert.doesNotMatch(failed.stderr, /warning/);
});

test('an unknown key in tsflink.yaml is a warning with the nearest known key, once; known keys still apply', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'tsflink.yaml'), 'paralelism.default: 3\ntaskmanager.memory: 64m\nsomething.else: 1\n');
  const r = runScript(dir, 'conf', ['getEnvironment'], `getEnvironment();\nconst env = getEnvironment();\nconsole.log(env.getParallelism());`, { TSFLINK_PARALLELISM: undefined });
  assert.equal(r.status, 0, r.stderr);
  const warnings = r.stderr.split('\n').filter((l) => l.includes('warning'));
  assert.equal(warnings.length, 2, r.stderr);
  assert.match(warnings[0]!, /tsflink\.yaml: unknown setting 'paralelism\.default' is ignored; did you mean 'parallelism\.default'\?$/);
  assert.match(warnings[1]!, /unknown setting 'something\.else' is ignored; tsflink reads parallelism\.default, /);
});
