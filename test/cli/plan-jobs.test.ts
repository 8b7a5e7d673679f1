/**
 * `tsflink plan` of a script that runs several jobs (a count() first, then execute()) prints one
 * document in every format — valid JSON with a job list, one DOT digraph, one Mermaid flowchart,
 * one HTML page — and ends quietly when its reader goes away (`| head`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { clientEnv, tempDir } from '../helpers.ts';
import { INDEX_TS } from '../api/spawn-script.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

function twoJobs(): { dir: string; script: string } {
  const dir = tempDir('tsflink-plan-jobs-');
  const script = join(dir, 'two-jobs.mts');
  writeFileSync(
    script,
    `import { getEnvironment } from ${JSON.stringify(INDEX_TS)};
const env = getEnvironment();
const n = await env.generateSequence(1, 10).name('counted').count();
env.generateSequence(1, 10).map((x) => x * (n ?? 1)).name('scaled').output();
await env.execute({ jobName: 'second job' });
`,
  );
  return { dir, script };
}

function plan(format: string): { status: number | null; stdout: string; stderr: string } {
  const { dir, script } = twoJobs();
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, 'plan', '--format', format, script], { cwd: dir, env: clientEnv(), encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('json: one valid document listing both jobs', () => {
  const r = plan('json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { jobs: { jobName: string; nodes: { name: string }[] }[] };
  assert.equal(doc.jobs.length, 2);
  assert.ok(doc.jobs[0]!.nodes.some((n) => n.name === 'counted'));
  assert.equal(doc.jobs[1]!.jobName, 'second job');
  assert.ok(doc.jobs[1]!.nodes.some((n) => n.name === 'scaled'));
});

test('text, dot and mermaid: one document naming both jobs', () => {
  const text = plan('text');
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout.match(/^Job "/gm)?.length, 2);
  const dot = plan('dot');
  assert.equal(dot.stdout.match(/^digraph /gm)?.length, 1);
  assert.match(dot.stdout, /subgraph cluster_1 \{[\s\S]*subgraph cluster_2 \{[\s\S]*label="Job 2: second job"/);
  const mermaid = plan('mermaid');
  assert.equal(mermaid.stdout.match(/^flowchart /gm)?.length, 1);
  assert.match(mermaid.stdout, /subgraph j2\["Job 2: second job"\]/);
});

test('html: one page with both jobs drawn', () => {
  const r = plan('html');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.match(/<!DOCTYPE html>/g)?.length, 1);
  assert.equal(r.stdout.match(/<svg/g)?.length, 2);
  assert.match(r.stdout, /<h2>Job 2: second job<\/h2>/);
});

test('plan | head -1 ends quietly: no EPIPE, exit 0', () => {
  // 200 jobs: far more plan than a pipe holds, so the writer is still writing when head has gone.
  const dir = tempDir('tsflink-plan-jobs-');
  const script = join(dir, 'many-jobs.mts');
  writeFileSync(
    script,
    `import { getEnvironment } from ${JSON.stringify(INDEX_TS)};\nconst env = getEnvironment();\nfor (let i = 0; i < 200; i++) await env.generateSequence(1, i).map((x) => x + 1).filter((x) => x > 2).count();\n`,
  );
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" --import "${TSX}" "${MAIN}" plan --format json "${script}" | head -1`], {
    cwd: dir,
    env: clientEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.stdout, '{\n');
  assert.doesNotMatch(r.stderr, /EPIPE/);
  assert.equal(r.status, 0, r.stderr);
});
