/**
 * The run report on the Flink target: `tsflink run --target flink --report` writes the figures
 * Flink's REST API reported for tsflink's tasks (every subtask finished, records through the
 * hash exchange), with the link to the job in Flink's own web UI, in the JSON and in the page.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobFigures } from '../../src/index.ts';
import { tempDir } from '../helpers.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');

await setUpFlinkTests();

test('--report on the Flink target: Flink’s figures for tsflink’s tasks and a link to its web UI', { timeout: 300_000 }, () => {
  const dir = tempDir();
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_PARALLELISM;
  for (const ext of ['json', 'html']) {
    const r = spawnSync(process.execPath, [cli, 'run', '--target', 'flink', '-p', '2', '--quiet', '--report', join(dir, `report.${ext}`), 'examples/wordcount.ts'], {
      cwd: root,
      encoding: 'utf8',
      env,
      timeout: 280_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes('(the,7)'));
  }
  const f = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JobFigures;
  assert.equal(f.target, 'flink');
  assert.equal(f.state, 'FINISHED');
  assert.match(f.flinkWebUi ?? '', /^http:\/\/[^/]+\/#\/job\/(running|completed)\/[0-9a-f]{32}\/overview$/);
  for (const t of f.tasks) for (const s of t.subtasks) assert.equal(s.state, 'finished', `${t.name}: every subtask finished`);
  const sum = (t: JobFigures['tasks'][number], k: 'recordsIn' | 'recordsOut') => t.subtasks.reduce((n, s) => n + s[k], 0);
  const [tokenizer, count] = f.tasks;
  assert.ok(sum(tokenizer!, 'recordsOut') > 0);
  assert.equal(sum(count!, 'recordsIn'), sum(tokenizer!, 'recordsOut'), 'what one task sent, the next received');
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /on the Flink target/);
  assert.match(html, /<a href="http:\/\/[^"]+\/#\/job\/[^"]+">The job in Flink's web UI<\/a>/);
  assert.match(html, /<svg/);
});
