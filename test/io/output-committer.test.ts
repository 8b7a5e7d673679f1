import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { OutputBusyError, OutputExistsError, TsflinkError } from '../../src/errors/index.ts';
import { BufferedFileWriter } from '../../src/io/file-writer.ts';
import { listInputFiles } from '../../src/io/input-files.ts';
import { checkOutputTarget, lockFileOf, OutputCommitter } from '../../src/io/output-committer.ts';
import type { WriteModeName } from '../../src/plan/nodes.ts';
import { tempDir } from './temp-files.ts';

/** Runs a sink's write phase: subtask i writes `texts[i]`. */
function writeAll(committer: OutputCommitter, texts: readonly string[]): void {
  committer.prepare();
  texts.forEach((text, i) => {
    if (text === '') return; // an idle subtask never opens its file
    const writer = new BufferedFileWriter(committer.fileForSubtask(i));
    writer.write(text);
    writer.close();
  });
}

function committerFor(target: string, parallelism: number, mode: WriteModeName = 'NO_OVERWRITE', jobId = 'job-1'): OutputCommitter {
  return new OutputCommitter(target, parallelism, mode, jobId);
}

describe('checkOutputTarget', () => {
  it('NO_OVERWRITE: an existing file or directory is an OutputExistsError', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f'), '');
    assert.throws(() => checkOutputTarget(join(dir, 'f'), 'NO_OVERWRITE'), OutputExistsError);
    assert.throws(
      () => checkOutputTarget(dir, 'NO_OVERWRITE'),
      (e: unknown) => e instanceof OutputExistsError && e.path === dir,
    );
    assert.throws(() => checkOutputTarget(`file://${dir}`, 'NO_OVERWRITE'), OutputExistsError);
  });
  it('NO_OVERWRITE: a missing target is fine', () => checkOutputTarget(join(tempDir(), 'new'), 'NO_OVERWRITE'));
  it('OVERWRITE: an existing target is fine', () => checkOutputTarget(tempDir(), 'OVERWRITE'));
});

describe('a target that is not a regular file or directory', () => {
  it('a symbolic link (to a file, a directory or nothing) is refused (under NO_OVERWRITE: it exists), the link and what it points to untouched', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'kept\n');
    mkdirSync(join(dir, 'folder'));
    symlinkSync(join(dir, 'file'), join(dir, 'to-file'));
    symlinkSync(join(dir, 'folder'), join(dir, 'to-folder'));
    symlinkSync(join(dir, 'gone'), join(dir, 'dangling'));
    for (const link of ['to-file', 'to-folder', 'dangling']) {
      assert.throws(
        () => checkOutputTarget(join(dir, link), 'OVERWRITE', 'CsvSink'),
        (e: Error) => e instanceof TsflinkError && /^Sink 'CsvSink': will not write output '.*': it is a symbolic link, which a sink never replaces/.test(e.message),
      );
      assert.throws(() => checkOutputTarget(join(dir, link), 'NO_OVERWRITE'), OutputExistsError);
      assert.ok(lstatSync(join(dir, link)).isSymbolicLink());
    }
    assert.equal(readlinkSync(join(dir, 'to-file')), join(dir, 'file'));
    assert.equal(readFileSync(join(dir, 'file'), 'utf8'), 'kept\n');
    assert.deepEqual(readdirSync(join(dir, 'folder')), []);
  });

  it('a named pipe and a character device are refused naming what they are', () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.throws(() => checkOutputTarget(fifo, 'OVERWRITE'), /it is a named pipe, which a sink never replaces/);
    assert.ok(lstatSync(fifo).isFIFO());
    assert.throws(() => checkOutputTarget('/dev/null', 'OVERWRITE'), /'\/dev\/null': it is a character device/);
    assert.ok(lstatSync('/dev/null').isCharacterDevice());
  });

  it('a link made at the target while the job ran is refused at commit; the link stays and nothing is committed', () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    writeFileSync(join(dir, 'elsewhere'), 'kept\n');
    const committer = committerFor(target, 2, 'OVERWRITE');
    writeAll(committer, ['a\n', 'b\n']);
    symlinkSync(join(dir, 'elsewhere'), target);
    assert.throws(() => committer.commit(), /symbolic link/);
    assert.ok(lstatSync(target).isSymbolicLink());
    assert.equal(readFileSync(join(dir, 'elsewhere'), 'utf8'), 'kept\n');
    assert.deepEqual(readdirSync(dir).sort(), ['elsewhere', 'out']);
  });
});

describe('OutputCommitter', () => {
  it('p=1: stages aside in a hidden sibling, then moves one file into place', () => {
    const dir = tempDir();
    const target = join(dir, 'out.txt');
    const committer = committerFor(target, 1);
    writeAll(committer, ['a\nb\n']);
    assert.equal(committer.fileForSubtask(0), join(dir, `.out.txt.tsflink-staging-${process.pid}-job-1`));
    assert.equal(existsSync(target), false, 'nothing at the target before commit');
    assert.deepEqual(listInputFiles(dir), [], 'the staging file is hidden from readers of the directory');
    committer.commit();
    assert.equal(readFileSync(target, 'utf8'), 'a\nb\n');
    assert.deepEqual(readdirSync(dir), ['out.txt']);
  });

  it('p=3: a directory holding files 1…3, the idle subtask’s file empty', () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    const committer = committerFor(`file://${target}`, 3);
    writeAll(committer, ['one\n', '', 'three\n']);
    committer.commit();
    assert.ok(statSync(target).isDirectory());
    assert.deepEqual(readdirSync(target).sort(), ['1', '2', '3']);
    assert.deepEqual(
      ['1', '2', '3'].map((f) => readFileSync(join(target, f), 'utf8')),
      ['one\n', '', 'three\n'],
    );
    assert.deepEqual(readdirSync(dir), ['out']);
    assert.deepEqual(
      listInputFiles(target),
      ['1', '2', '3'].map((f) => join(target, f)),
    );
  });

  it('creates missing parent directories of the target', () => {
    const target = join(tempDir(), 'a', 'b', 'out');
    const committer = committerFor(target, 2);
    writeAll(committer, ['x', 'y']);
    committer.commit();
    assert.deepEqual(readdirSync(target).sort(), ['1', '2']);
  });

  for (const p of [1, 3]) {
    it(`p=${p}: abort leaves nothing behind`, () => {
      const dir = tempDir();
      const committer = committerFor(join(dir, 'out'), p);
      writeAll(committer, Array(p).fill('partial'));
      committer.abort();
      assert.deepEqual(readdirSync(dir), []);
      committer.abort(); // idempotent
    });

    it(`p=${p}: abort leaves an existing target untouched`, () => {
      const dir = tempDir();
      const target = join(dir, 'out');
      writeFileSync(target, 'previous');
      const committer = committerFor(target, p, 'OVERWRITE');
      writeAll(committer, Array(p).fill('new'));
      committer.abort();
      assert.equal(readFileSync(target, 'utf8'), 'previous');
      assert.deepEqual(readdirSync(dir), ['out']);
    });

    it(`p=${p}: OVERWRITE replaces an existing file`, () => {
      const dir = tempDir();
      const target = join(dir, 'out');
      writeFileSync(target, 'previous');
      const committer = committerFor(target, p, 'OVERWRITE');
      writeAll(committer, Array(p).fill('new'));
      committer.commit();
      if (p === 1) assert.equal(readFileSync(target, 'utf8'), 'new');
      else assert.deepEqual(readdirSync(target).sort(), ['1', '2', '3']);
      assert.deepEqual(readdirSync(dir), ['out']);
    });

    it(`p=${p}: OVERWRITE replaces an existing directory`, () => {
      const dir = tempDir();
      const target = join(dir, 'out');
      mkdirSync(join(target, 'deep'), { recursive: true });
      writeFileSync(join(target, 'deep', 'old'), 'x');
      writeFileSync(join(target, '9'), 'x');
      const committer = committerFor(target, p, 'OVERWRITE');
      writeAll(committer, Array(p).fill('new'));
      committer.commit();
      if (p === 1) assert.equal(readFileSync(target, 'utf8'), 'new');
      else assert.deepEqual(readdirSync(target).sort(), ['1', '2', '3']);
      assert.deepEqual(readdirSync(dir), ['out']);
    });

    it(`p=${p}: NO_OVERWRITE re-checks at commit, keeps the target and removes the staging`, () => {
      const dir = tempDir();
      const target = join(dir, 'out');
      checkOutputTarget(target, 'NO_OVERWRITE');
      const committer = committerFor(target, p);
      writeAll(committer, Array(p).fill('new'));
      writeFileSync(target, 'appeared meanwhile');
      assert.throws(() => committer.commit(), OutputExistsError);
      assert.equal(readFileSync(target, 'utf8'), 'appeared meanwhile');
      assert.deepEqual(readdirSync(dir), ['out']);
    });
  }

  it('abort after commit keeps the output', () => {
    const dir = tempDir();
    const committer = committerFor(join(dir, 'out'), 1);
    writeAll(committer, ['kept']);
    committer.commit();
    committer.abort();
    assert.equal(readFileSync(join(dir, 'out'), 'utf8'), 'kept');
  });

  it('commit without prepare, or twice, is a programming error', () => {
    const committer = committerFor(join(tempDir(), 'out'), 1);
    assert.throws(() => committer.commit(), /state created/);
    committer.prepare();
    committer.commit();
    assert.throws(() => committer.commit(), /state committed/);
  });

  it('two jobs stage apart; the job id is made safe for a file name', () => {
    const dir = tempDir();
    const a = committerFor(join(dir, 'out'), 1, 'OVERWRITE', 'job/a b');
    const b = committerFor(join(dir, 'out'), 1, 'OVERWRITE', 'job-b');
    assert.equal(a.staging, join(dir, `.out.tsflink-staging-${process.pid}-job_a_b`));
    assert.notEqual(a.staging, b.staging);
  });

  it('rejects a subtask index outside 0..p-1', () => {
    const committer = committerFor(join(tempDir(), 'out'), 3);
    assert.equal(committer.fileForSubtask(2), join(committer.staging, '3'));
    assert.throws(() => committer.fileForSubtask(3), RangeError);
    assert.throws(() => committer.fileForSubtask(-1), RangeError);
  });

  it('a second job writing the same target while the first runs fails naming the target and the pid; the first commits whole', () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    writeFileSync(target, 'old');
    const a = committerFor(target, 2, 'OVERWRITE', 'a');
    writeAll(a, ['a1', 'a2']);
    const b = committerFor(target, 2, 'OVERWRITE', 'b');
    assert.throws(
      () => b.prepare(),
      (e: unknown) =>
        e instanceof OutputBusyError && e.pid === process.pid && e.message === `Output '${target}' is being written by another job (pid ${process.pid}); run one job per output at a time`,
    );
    assert.equal(readFileSync(target, 'utf8'), 'old', 'the loser leaves the old output in place');
    a.commit();
    assert.deepEqual(
      ['1', '2'].map((f) => readFileSync(join(target, f), 'utf8')),
      ['a1', 'a2'],
    );
    assert.deepEqual(readdirSync(dir), ['out'], 'no lock, staging or replaced file left');
    const c = committerFor(target, 1, 'OVERWRITE', 'c'); // after the first, the next replaces it whole
    writeAll(c, ['c']);
    c.commit();
    assert.equal(readFileSync(target, 'utf8'), 'c');
    assert.deepEqual(readdirSync(dir), ['out']);
  });

  it('a lock left by a dead process is taken over', () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lockFileOf(target), `${dead}\n`);
    const a = committerFor(target, 1, 'OVERWRITE', 'a');
    writeAll(a, ['x']);
    assert.equal(readFileSync(lockFileOf(target), 'utf8').split('\n')[0], String(process.pid));
    a.commit();
    assert.deepEqual(readdirSync(dir), ['out']);
  });

  it('p=1: a file replaces a file in one rename (the new inode at the target, never a replaced sibling)', () => {
    const dir = tempDir();
    const target = join(dir, 'out');
    writeFileSync(target, 'old');
    const a = committerFor(target, 1, 'OVERWRITE', 'a');
    writeAll(a, ['new']);
    const staged = statSync(a.staging).ino;
    a.commit();
    assert.equal(statSync(target).ino, staged);
    assert.equal(readFileSync(target, 'utf8'), 'new');
  });

  it('a parent of the target that is a file is a clear error naming the sink and the path, before anything is made', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const path = join(dir, 'file', 'sub', 'out');
    assert.throws(
      () => checkOutputTarget(path, 'OVERWRITE', 'TextSink at job.ts:3'),
      (e: unknown) => e instanceof TsflinkError && e.message === `Sink 'TextSink at job.ts:3': cannot write output '${path}': '${join(dir, 'file')}' is a file, not a directory`,
    );
    assert.deepEqual(readdirSync(dir), ['file']);
  });
});
