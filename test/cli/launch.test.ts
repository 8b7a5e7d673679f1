import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CliError } from '../../src/cli/cli-error.ts';
import { applyLaunchOptions } from '../../src/cli/launch.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsflink-launch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('flags become TSFLINK_* variables, overriding values already set', () => {
  writeFileSync(path.join(dir, 'prod.yaml'), 'parallelism.default: 2\n');
  const env: NodeJS.ProcessEnv = { TSFLINK_PARALLELISM: '9', TSFLINK_TARGET: 'local', OTHER: 'kept' };
  applyLaunchOptions({ parallelism: 3, target: 'flink', jobmanager: 'jm:8081', conf: 'prod.yaml', verbose: true }, dir, env);
  assert.deepEqual(env, {
    TSFLINK_PARALLELISM: '3',
    TSFLINK_TARGET: 'flink',
    TSFLINK_JOBMANAGER: 'jm:8081',
    TSFLINK_CONF: path.join(dir, 'prod.yaml'),
    TSFLINK_VERBOSE: '1',
    OTHER: 'kept',
  });
});

test('absent flags leave the environment as it is', () => {
  const env: NodeJS.ProcessEnv = { TSFLINK_PARALLELISM: '9', TSFLINK_VERBOSE: '1' };
  applyLaunchOptions({}, dir, env);
  assert.deepEqual(env, { TSFLINK_PARALLELISM: '9', TSFLINK_VERBOSE: '1' });
});

test('--conf naming a missing file is an error', () => {
  assert.throws(
    () => applyLaunchOptions({ conf: 'missing.yaml' }, dir, {}),
    (err: unknown) => {
      assert.ok(err instanceof CliError);
      assert.match(err.message, /^Configuration file 'missing\.yaml' does not exist/);
      return true;
    },
  );
});
