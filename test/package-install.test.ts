/**
 * The README's "Use tsflink in your own project": the `shell` block runs as it is written, in a
 * temporary folder holding a copy of this repository as `tsflink/` (so `npm pack` builds the
 * package from its sources, as a user's clone would), and the installed package runs the job.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientEnv, tempDir } from './helpers.ts';

const root = new URL('../', import.meta.url).pathname;

test("the README's install-from-a-tarball walk-through runs: a CommonJS project installs the packed package, runs a job at p=2, installs the Flink target and runs it there", {
  timeout: 600_000,
}, () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = /## Use tsflink in your own project\n([\s\S]*?)\n## /.exec(readme);
  assert.ok(section, 'the README has the section');
  const block = /```shell\n([\s\S]*?)```/.exec(section[1]!);
  assert.ok(block, 'the section has a shell block');
  const dir = tempDir('tsflink-test-install-');
  // The sources as a clone has them: no node_modules, no build.
  cpSync(root, join(dir, 'tsflink'), {
    recursive: true,
    filter: (src) => !/\/(node_modules|dist|\.git|\.readme-snippets|flink-runner\/target)(\/|$)/.test(src.slice(root.length - 1)),
  });
  const out = execFileSync('bash', ['-euo', 'pipefail', '-c', block[1]!], { cwd: dir, encoding: 'utf8', env: clientEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(out.match(/^4 distinct words$/gm)?.length, 2, out); // embedded, then on Flink
  assert.ok(readdirSync(dir).includes('tsflink-0.1.0.tgz'));
  const installed = JSON.parse(readFileSync(join(dir, 'my-job', 'node_modules', 'tsflink', 'package.json'), 'utf8')) as { name: string };
  assert.equal(installed.name, 'tsflink');
  const files = readdirSync(join(dir, 'my-job', 'node_modules', 'tsflink'));
  assert.ok(files.includes('LICENSE') && files.includes('dist'), files.join(' '));
});
