/**
 * `taskmanager.memory` is a limit: a job over far more data than its budget spills and finishes
 * inside a heap that could not hold the data, where a budget as large as the data dies of an
 * out-of-memory crash in the same heap (so the limit is what makes the difference). At p=1 the
 * heap is the client's (`--max-old-space-size`); at p=2 each worker thread's
 * (`taskmanager.worker.heap`). Group-reduce, aggregation and sortPartition each, a million
 * distinct 30-character keys.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { assertUnchanged, type Sandbox, sandbox, snapshot } from '../leaks.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const fixture = join(root, 'test/fixtures/exhaustion-job.ts');
const N = 1_000_000;
/** [sum of key lengths, sum of values] of the N rows, whatever the operator did to them. */
const EXPECTED = JSON.stringify([[[...Array(N).keys()].reduce((s, i) => s + `key-${i}-${'p'.repeat(24)}`.length, 0), (N * (N - 1)) / 2]]);

function run(box: Sandbox, p: number, mode: string, config: string, nodeHeapMb: number | null): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const work = join(box.root, 'work');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'tsflink.yaml'), `io.tmp.dirs: ${JSON.stringify(box.spill)}\n${config}`);
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: box.tmp };
  delete env.NODE_TEST_CONTEXT;
  const heap = nodeHeapMb === null ? [] : [`--max-old-space-size=${nodeHeapMb}`];
  const r = spawnSync(process.execPath, [...heap, cli, 'run', fixture, '-p', String(p), '-', mode, String(N)], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr };
}

const ALLOW = /^(work\/.*|tmp\/tsx-\d+(\/.*)?)$/;

for (const mode of ['group', 'sum', 'sort']) {
  test(`p=1 ${mode}: a 16 MiB budget finishes in a 128 MiB heap; a 2 GiB budget in that heap crashes`, async () => {
    const box = sandbox('tsflink-budget-');
    const before = snapshot(box);
    const ok = run(box, 1, mode, 'taskmanager.memory: 16m\n', 128);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, EXPECTED);
    await assertUnchanged(box, before, { allow: ALLOW, what: `${mode} at a 16 MiB budget` });
    if (mode === 'group') {
      // The control: the same job without a meaningful limit cannot fit (the test would pass for nothing otherwise).
      const crash = run(box, 1, mode, 'taskmanager.memory: 2g\n', 128);
      assert.notEqual(crash.status, 0);
      assert.match(crash.stderr, /heap out of memory/);
    }
  });
}

test('p=2 group and sort: a 32 MiB budget finishes on worker threads with 96 MiB heaps; a 2 GiB budget there is a crash naming the subtask', async () => {
  const box = sandbox('tsflink-budget-');
  for (const mode of ['group', 'sort']) {
    const ok = run(box, 2, mode, 'taskmanager.memory: 32m\ntaskmanager.worker.heap: 96m\n', null);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, EXPECTED);
  }
  const crash = run(box, 2, 'group', 'taskmanager.memory: 2g\ntaskmanager.worker.heap: 96m\n', null);
  assert.equal(crash.status, 1, crash.stderr);
  assert.match(crash.stderr, /worker thread \d died while running '[^']*' \(subtask \d of 2\): .*memory/i);
});
