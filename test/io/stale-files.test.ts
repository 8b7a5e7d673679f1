import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLivePid, staleName, sweepStale } from '../../src/io/stale-files.ts';
import { listTree, sandbox } from '../leaks.ts';

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  assert.ok(r.pid !== undefined && !isLivePid(r.pid));
  return r.pid;
}

test('sweepStale removes folders and files of a dead pid, saying so, and leaves a live pid and other names alone', () => {
  const box = sandbox();
  const dead = deadPid();
  mkdirSync(join(box.spill, `tsflink-job-${dead}-abc123`, 'inner'), { recursive: true });
  writeFileSync(join(box.spill, `tsflink-job-${dead}-abc123`, 'inner', 'x'), 'x');
  mkdirSync(join(box.spill, `tsflink-sort-${dead}-zz`));
  writeFileSync(join(box.data, `.out.txt.tsflink-staging-${dead}-job_1`), 'partial');
  mkdirSync(join(box.spill, `tsflink-job-${process.pid}-mine`));
  mkdirSync(join(box.spill, `tsflink-job-${process.ppid}-parent`));
  mkdirSync(join(box.spill, 'tsflink-job-oldstyle'));
  writeFileSync(join(box.spill, 'unrelated'), '');
  const lines: string[] = [];
  sweepStale(box.spill, (t) => lines.push(t));
  sweepStale(box.data, (t) => lines.push(t));
  assert.deepEqual(listTree(box.spill), [`tsflink-job-${process.pid}-mine/`, `tsflink-job-${process.ppid}-parent/`, 'tsflink-job-oldstyle/', 'unrelated'].sort());
  assert.deepEqual(listTree(box.data), []);
  assert.deepEqual(
    lines.sort(),
    [
      `tsflink: removed ${join(box.data, `.out.txt.tsflink-staging-${dead}-job_1`)}, left by an earlier run (pid ${dead}) that did not finish\n`,
      `tsflink: removed ${join(box.spill, `tsflink-job-${dead}-abc123`)}, left by an earlier run (pid ${dead}) that did not finish\n`,
      `tsflink: removed ${join(box.spill, `tsflink-sort-${dead}-zz`)}, left by an earlier run (pid ${dead}) that did not finish\n`,
    ].sort(),
  );
});

test("sweepStale moves a dead run's replaced output back when the target is missing, and removes it when the target is there", () => {
  const box = sandbox();
  const dead = deadPid();
  mkdirSync(join(box.data, `.a.tsflink-replaced-${dead}-j1`));
  writeFileSync(join(box.data, `.a.tsflink-replaced-${dead}-j1`, '1'), 'old a');
  mkdirSync(join(box.data, `.a.tsflink-staging-${dead}-j1`));
  writeFileSync(join(box.data, `.b.tsflink-replaced-${dead}-j2`), 'old b');
  writeFileSync(join(box.data, 'b'), 'new b');
  const lines: string[] = [];
  sweepStale(box.data, (t) => lines.push(t));
  assert.deepEqual(listTree(box.data), ['a/', 'a/1', 'b']);
  assert.equal(readFileSync(join(box.data, 'a', '1'), 'utf8'), 'old a');
  assert.equal(readFileSync(join(box.data, 'b'), 'utf8'), 'new b');
  assert.ok(
    lines.includes(`tsflink: restored ${join(box.data, 'a')} from ${join(box.data, `.a.tsflink-replaced-${dead}-j1`)}, left by an earlier run (pid ${dead}) that did not finish replacing it\n`),
    lines.join(''),
  );
  assert.equal(lines.length, 3, lines.join(''));
});

test('sweepStale of a missing folder does nothing; staleName names this process', () => {
  sweepStale('/nonexistent/tsflink-nowhere', () => assert.fail('nothing to say'));
  assert.equal(staleName('job'), `tsflink-job-${process.pid}-`);
  assert.throws(() => staleName('Job1'), RangeError);
});
