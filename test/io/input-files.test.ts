import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { InputPathError, PlanError } from '../../src/errors/index.ts';
import { listInputFiles, resolvePath } from '../../src/io/input-files.ts';
import { tempDir } from './temp-files.ts';

describe('resolvePath', () => {
  it('accepts file:///abs', () => assert.equal(resolvePath('file:///tmp/a/b.txt'), '/tmp/a/b.txt'));
  it('accepts file:/abs', () => assert.equal(resolvePath('file:/tmp/a/b.txt'), '/tmp/a/b.txt'));
  it('accepts file://localhost/abs', () => assert.equal(resolvePath('file://localhost/tmp/x'), '/tmp/x'));
  it('decodes percent escapes of a file URL', () => assert.equal(resolvePath('file:///tmp/a%20b.txt'), '/tmp/a b.txt'));
  it('keeps an absolute path', () => assert.equal(resolvePath('/tmp/x/../y'), '/tmp/y'));
  it('resolves a relative path against the working directory', () => assert.equal(resolvePath('data/in.csv'), resolve(process.cwd(), 'data/in.csv')));
  it('drops a trailing slash', () => assert.equal(resolvePath('/tmp/out/'), '/tmp/out'));
  it('rejects another file system with a clear error', () => {
    assert.throws(
      () => resolvePath('s3://bucket/x'),
      (e: unknown) => e instanceof PlanError && /Unsupported file system 's3'.*hdfs:\/\//.test(e.message),
    );
  });
  it('keeps an hdfs:// or webhdfs:// URL, normalized, globs as written', () => {
    assert.equal(resolvePath('hdfs://nn:8020/a//b/../c/'), 'hdfs://nn:8020/a/c');
    assert.equal(resolvePath('webhdfs://nn:9870/logs/2026-*/part-{1,2}'), 'webhdfs://nn:9870/logs/2026-*/part-{1,2}');
    assert.equal(resolvePath('hdfs://nn:8020'), 'hdfs://nn:8020');
  });
  it('rejects an HDFS URL without a NameNode', () => {
    assert.throws(
      () => resolvePath('hdfs:///x'),
      (e: unknown) => e instanceof PlanError && /names no NameNode/.test(e.message),
    );
  });
});

describe('listInputFiles', () => {
  it('a file is the only input', () => {
    const dir = tempDir();
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'x');
    assert.deepEqual(listInputFiles(file), [file]);
    assert.deepEqual(listInputFiles(pathToFileURL(file).href), [file]);
  });

  it('a directory gives its visible regular files in name order, without subdirectories', () => {
    const dir = tempDir();
    for (const name of ['b', '2', '1', '10', '.hidden', '_SUCCESS', 'a.txt']) writeFileSync(join(dir, name), '');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'nested'), '');
    assert.deepEqual(
      listInputFiles(dir),
      ['1', '10', '2', 'a.txt', 'b'].map((n) => join(dir, n)),
    );
    assert.deepEqual(
      listInputFiles(`file://${dir}`),
      ['1', '10', '2', 'a.txt', 'b'].map((n) => join(dir, n)),
    );
  });

  it('skips a hidden staging directory of the committer', () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.out.tsflink-staging-job1'));
    writeFileSync(join(dir, '.out.tsflink-staging-job1', '1'), '');
    writeFileSync(join(dir, 'data'), '');
    assert.deepEqual(listInputFiles(dir), [join(dir, 'data')]);
  });

  it('follows a symbolic link to a file and skips a dangling one', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real'), 'x');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    symlinkSync(join(dir, 'gone'), join(dir, 'dangling'));
    assert.deepEqual(listInputFiles(dir), [join(dir, 'link'), join(dir, 'real')]);
  });

  it('an empty directory has no files', () => assert.deepEqual(listInputFiles(tempDir()), []));

  it('a missing path is an InputPathError naming it', () => {
    const missing = join(tempDir(), 'nope.csv');
    assert.throws(
      () => listInputFiles(missing),
      (e: unknown) => e instanceof InputPathError && e.path === missing && e.message === `Input path '${missing}' does not exist`,
    );
  });

  it('a file compressed other than with gzip, given or in a directory, is an InputPathError naming it (not read as text)', () => {
    const bz = join(tempDir(), 'logs.csv.bz2');
    const dir = tempDir();
    writeFileSync(bz, '');
    assert.throws(
      () => listInputFiles(bz),
      (e: unknown) =>
        e instanceof InputPathError && e.message === `Input file '${bz}' is compressed (.bz2); tsflink reads gzip and zstd but not this compression yet: decompress it (or gzip it) first`,
    );
    writeFileSync(join(dir, 'plain.csv'), '');
    writeFileSync(join(dir, 'part.gz'), '');
    assert.deepEqual(listInputFiles(dir), [join(dir, 'part.gz'), join(dir, 'plain.csv')], 'gzip is read');
    rmSync(join(dir, 'part.gz'));
    for (const ext of ['bz2', 'XZ', 'deflate']) {
      const inner = join(dir, `part.${ext}`);
      writeFileSync(inner, '');
      assert.throws(
        () => listInputFiles(dir),
        (e: unknown) => e instanceof InputPathError && e.message.startsWith(`Input file '${inner}' (in input path '${dir}') is compressed (.${ext})`),
      );
      rmSync(inner);
    }
    assert.deepEqual(listInputFiles(dir), [join(dir, 'plain.csv')]);
  });

  it('a path below a file is missing too', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'f'), '');
    assert.throws(() => listInputFiles(join(dir, 'f', 'x')), InputPathError);
  });
});

describe('listInputFiles with a glob pattern (issue 13)', () => {
  it('matches files and the files of matched directories, in name order, hidden names skipped', () => {
    const dir = tempDir();
    for (const day of ['2026-01', '2026-02', '2025-12']) {
      mkdirSync(join(dir, 'logs', day), { recursive: true });
      writeFileSync(join(dir, 'logs', day, 'part-1'), 'x');
      writeFileSync(join(dir, 'logs', day, 'part-2'), 'x');
      writeFileSync(join(dir, 'logs', day, '_SUCCESS'), '');
      writeFileSync(join(dir, 'logs', day, '.part-3.crc'), '');
    }
    assert.deepEqual(
      listInputFiles(join(dir, 'logs/2026-*/part-*')),
      ['2026-01/part-1', '2026-01/part-2', '2026-02/part-1', '2026-02/part-2'].map((f) => join(dir, 'logs', f)),
    );
    assert.deepEqual(listInputFiles(join(dir, 'logs/2026-0[2-9]')), [join(dir, 'logs/2026-02/part-1'), join(dir, 'logs/2026-02/part-2')]);
    assert.deepEqual(listInputFiles(join(dir, 'logs/{2025-12,2026-01}/part-2')), [join(dir, 'logs/2025-12/part-2'), join(dir, 'logs/2026-01/part-2')]);
  });
  it('a pattern that matches nothing is an error naming it', () => {
    const dir = tempDir();
    assert.throws(
      () => listInputFiles(join(dir, 'none-*.txt')),
      (e: unknown) => e instanceof InputPathError && /matches no files/.test(e.message),
    );
  });
  it('a file whose name holds a glob character is read as that file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a[1].txt'), 'x');
    assert.deepEqual(listInputFiles(join(dir, 'a[1].txt')), [join(dir, 'a[1].txt')]);
  });
});
