/**
 * Issue 10: a parallel job runs on worker threads whatever program submits it — `tsflink run`,
 * a plain `node` script, tsx, a `node --test` file, a script that guards its job with
 * `isMainThread`, a child told its job through the environment, `node -e` — because its functions
 * travel to the workers; the script is not re-run there. Every case runs a real program as a
 * child process and checks the p=2 answer against p=1, the worker threads that ran the map
 * function, and that nothing was left behind (host-run.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtPackage } from './built-package.ts';
import {
  DEFAULT_SPEC,
  INDEX_TS,
  type JobSpec,
  RUN_JOB,
  TSX,
  TSX_CLI,
  assertCleanRun,
  assertParallelRun,
  assertParallelReport,
  caseDir,
  esmHeader,
  probeUrl,
  reportStatements,
  runHost,
} from './host-run.ts';

const ESM_PROGRAM = (dir: string, tsflink?: string): string => `${esmHeader(dir, tsflink)}${RUN_JOB}${reportStatements()}`;

test('`tsflink run job.ts -p 2`: the functions run on two worker threads and give the p=1 answer', async () => {
  const dir = caseDir('cli');
  writeFileSync(join(dir, 'job.ts'), ESM_PROGRAM(dir));
  const run = await runHost(dir, [join(builtPackage(), 'dist', 'cli', 'main.js'), 'run', 'job.ts', '-p', '2']);
  assertParallelRun(run);
});

test('plain `node job.mjs` importing the installed package', async () => {
  const dir = caseDir('node');
  writeFileSync(join(dir, 'job.mjs'), ESM_PROGRAM(dir));
  const run = await runHost(dir, ['job.mjs']);
  assertParallelRun(run);
});

test('`tsx job.ts` (what `npx tsx` runs) importing tsflink’s TypeScript sources', async () => {
  const dir = caseDir('tsx');
  writeFileSync(join(dir, 'job.ts'), ESM_PROGRAM(dir, INDEX_TS));
  const run = await runHost(dir, [TSX_CLI, 'job.ts']);
  assertParallelRun(run);
});

test('`node --import tsx job.ts`', async () => {
  const dir = caseDir('import-tsx');
  writeFileSync(join(dir, 'job.ts'), ESM_PROGRAM(dir, INDEX_TS));
  const run = await runHost(dir, ['--import', TSX, 'job.ts']);
  assertParallelRun(run);
});

test('a `node --test` file: its test passes, and its job ran on worker threads', async () => {
  const dir = caseDir('node-test');
  const report = join(dir, 'report.json');
  writeFileSync(
    join(dir, 'job.test.ts'),
    `import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
${esmHeader(dir, INDEX_TS)}${RUN_JOB}
test('a parallel job in a test', async () => {
  const p1 = await runJob(getEnvironment, where, 1, ${JSON.stringify(DEFAULT_SPEC)});
  const p2 = await runJob(getEnvironment, where, 2, ${JSON.stringify(DEFAULT_SPEC)});
  assert.equal(p2.reduce((n, r) => n + r[4], 0), ${DEFAULT_SPEC.n});
  writeFileSync(${JSON.stringify(report)}, JSON.stringify({ pid: process.pid, p1, p2 }));
});
`,
  );
  const run = await runHost(dir, ['--import', TSX, '--test', '--test-reporter=tap', 'job.test.ts']);
  assertCleanRun(run);
  assert.match(run.stdout, /^# pass 1$/m, run.stdout);
  assert.match(run.stdout, /^# fail 0$/m, run.stdout);
  assertParallelReport(JSON.parse(readFileSync(report, 'utf8')));
});

test('a script whose job is guarded by `if (isMainThread)`', async () => {
  const dir = caseDir('guarded');
  writeFileSync(
    join(dir, 'job.mjs'),
    `import { isMainThread } from 'node:worker_threads';
${esmHeader(dir)}${RUN_JOB}
if (isMainThread) {
${reportStatements()}}
`,
  );
  const run = await runHost(dir, ['job.mjs']);
  assertParallelRun(run);
});

test('a child process that takes its job from an environment variable (and removes it, as it would a secret)', async () => {
  const dir = caseDir('env-job');
  const spec: JobSpec = { n: 150_000, multiplier: 7, keep: 3 };
  writeFileSync(
    join(dir, 'job.mjs'),
    `${esmHeader(dir)}${RUN_JOB}
const spec = JSON.parse(process.env.HOST_TEST_JOB);
delete process.env.HOST_TEST_JOB;
const p1 = await runJob(getEnvironment, where, 1, spec);
const p2 = await runJob(getEnvironment, where, 2, spec);
console.log(JSON.stringify({ pid: process.pid, p1, p2 }));
`,
  );
  const run = await runHost(dir, ['job.mjs'], { HOST_TEST_JOB: JSON.stringify(spec) });
  assertParallelRun(run, spec);
});

test('`node -e "<code>"` (CommonJS: tsflink through require, the job function a global of the script)', async () => {
  const dir = caseDir('eval');
  const code = `
const { getEnvironment } = require('tsflink');
${RUN_JOB}
import(${JSON.stringify(probeUrl(dir))}).then(async ({ where }) => {
  ${reportStatements()}
});
`;
  const run = await runHost(dir, ['-e', code]);
  assertParallelRun(run);
});

test('`node --input-type=module -e "<code>"`', async () => {
  const dir = caseDir('eval-esm');
  const run = await runHost(dir, ['--input-type=module', '-e', ESM_PROGRAM(dir)]);
  assertParallelRun(run);
});

test('a function that reads `threadId` and `isMainThread` imported at the top of the entry script sees the worker’s own values', async () => {
  const dir = caseDir('import-binding');
  writeFileSync(
    join(dir, 'job.mjs'),
    `import { isMainThread, threadId } from 'node:worker_threads';
import { getEnvironment } from 'tsflink';
${RUN_JOB}
const where = () => [threadId, isMainThread ? 1 : 0];
${reportStatements()}`,
  );
  const run = await runHost(dir, ['job.mjs']);
  assertParallelRun(run);
});
