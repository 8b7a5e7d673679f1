/**
 * Issue 10: a program's top-level code runs exactly once per process, whatever the parallelism.
 * The program appends its pid to a log at top level, then runs the same job embedded at p=1, 2
 * and 4; each process run must leave exactly one line, and the parallel jobs still run on
 * worker threads with the p=1 answer.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { builtPackage } from './built-package.ts';
import { INDEX_TS, RUN_JOB, TSX, type Report, type Row, assertCleanRun, assertParallelReport, caseDir, esmHeader, parseReport, runHost } from './host-run.ts';

function program(dir: string, log: string, tsflink?: string): string {
  return `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(log)}, process.pid + '\\n');
${esmHeader(dir, tsflink)}${RUN_JOB}
const spec = { n: 200000, multiplier: 1, keep: 1 };
const p1 = await runJob(getEnvironment, where, 1, spec);
const p2 = await runJob(getEnvironment, where, 2, spec);
const p4 = await runJob(getEnvironment, where, 4, spec);
console.log(JSON.stringify({ pid: process.pid, p1, p2, p4 }));
`;
}

test('top-level code runs once per process with jobs at p=1, 2 and 4: `node`, `tsflink run -p 4`, `node --import tsx`', async () => {
  const dir = caseDir('once');
  const log = join(dir, 'top-level.log');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'once.mjs'), program(dir, log));
  writeFileSync(join(dir, 'once.ts'), program(dir, log, INDEX_TS));
  const hosts: [string, string[]][] = [
    ['node once.mjs', ['once.mjs']],
    ['tsflink run once.mjs -p 4', [join(builtPackage(), 'dist', 'cli', 'main.js'), 'run', 'once.mjs', '-p', '4']],
    ['node --import tsx once.ts', ['--import', TSX, 'once.ts']],
  ];
  const pids: number[] = [];
  for (const [name, args] of hosts) {
    const before = readFileSync(log, 'utf8');
    const run = await runHost(dir, args);
    const added = readFileSync(log, 'utf8').slice(before.length);
    assertCleanRun(run);
    const report = parseReport(run.stdout) as Report & { p4: Row[] };
    assert.deepEqual(added, `${report.pid}\n`, `${name}: the top-level code ran ${added.split('\n').length - 1} times`);
    assertParallelReport(report);
    assertParallelReport(report, undefined, report.p4, 4);
    pids.push(report.pid);
  }
  assert.equal(readFileSync(log, 'utf8'), pids.map((p) => `${p}\n`).join(''));
});
