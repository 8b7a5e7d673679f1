/** The file-system layer's path helpers and scheme dispatch (src/io/fs/file-system.ts); HDFS itself is in hdfs.test.ts. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PlanError } from '../../src/index.ts';
import { baseName, childPath, fileSystemOf, isRemotePath, parentPath, schemeOf } from '../../src/io/fs/file-system.ts';

describe('file-system paths', () => {
  it('childPath, parentPath and baseName work on local paths and URLs', () => {
    assert.equal(childPath('/a/b', 'c'), '/a/b/c');
    assert.equal(childPath('/', 'c'), '/c');
    assert.equal(childPath('hdfs://nn:8020', 'c'), 'hdfs://nn:8020/c');
    assert.equal(childPath('hdfs://nn:8020/a', 'c'), 'hdfs://nn:8020/a/c');
    assert.equal(parentPath('/a/b/c'), '/a/b');
    assert.equal(parentPath('/a'), '/');
    assert.equal(parentPath('/'), '/');
    assert.equal(parentPath('hdfs://nn:8020/a/b'), 'hdfs://nn:8020/a');
    assert.equal(parentPath('hdfs://nn:8020/a'), 'hdfs://nn:8020/');
    assert.equal(parentPath('hdfs://nn:8020/'), 'hdfs://nn:8020/');
    assert.equal(parentPath('hdfs://nn:8020'), 'hdfs://nn:8020/');
    assert.equal(baseName('/a/b.txt'), 'b.txt');
    assert.equal(baseName('hdfs://nn:8020/a/b.txt'), 'b.txt');
    assert.equal(baseName('hdfs://nn:8020/'), '');
  });

  it('dispatches on the scheme: plain and file: local, hdfs: and webhdfs: HDFS, others refused', () => {
    assert.equal(schemeOf('/x'), null);
    assert.equal(schemeOf('HDFS://nn/x'), 'hdfs');
    assert.equal(isRemotePath('/x'), false);
    assert.equal(isRemotePath('file:///x'), false);
    assert.equal(isRemotePath('hdfs://nn:1/x'), true);
    assert.equal(fileSystemOf('/x').name, 'local');
    assert.equal(fileSystemOf('hdfs://nn:1/x').name, 'HDFS');
    assert.equal(fileSystemOf('webhdfs://nn:1/x').name, 'HDFS');
    assert.throws(
      () => fileSystemOf('s3://b/x'),
      (e: unknown) => e instanceof PlanError && /Unsupported file system 's3'/.test(e.message),
    );
  });

  it('the local file system: stat, list, exclusive create, rename, remove', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-fs-test-'));
    try {
      const fs = fileSystemOf(dir);
      writeFileSync(join(dir, 'a.txt'), 'hello');
      assert.deepEqual(fs.stat(join(dir, 'a.txt')), { type: 'file', size: 5, blockSize: 0 });
      assert.equal(fs.stat(join(dir, 'a.txt', 'under-a-file')), undefined);
      assert.equal(fs.stat(join(dir, 'nothing')), undefined);
      assert.equal(fs.createExclusive(join(dir, 'lock'), 'me\n'), true);
      assert.equal(fs.createExclusive(join(dir, 'lock'), 'you\n'), false);
      assert.equal(fs.readText(join(dir, 'lock')), 'me\n');
      const w = fs.create(join(dir, 'sub', 'deep', 'b.txt'));
      w.write(Buffer.from('bytes'));
      w.close();
      fs.rename(join(dir, 'sub'), join(dir, 'moved'));
      assert.deepEqual(fs.list(dir).sort(), ['a.txt', 'lock', 'moved']);
      const r = fs.openRead(join(dir, 'moved', 'deep', 'b.txt'));
      const buf = Buffer.alloc(3);
      assert.equal(r.read(buf, 0, 3, 2), 3);
      assert.equal(buf.toString(), 'tes');
      r.close();
      fs.remove(join(dir, 'moved'));
      fs.remove(join(dir, 'moved'));
      assert.equal(fs.stat(join(dir, 'moved')), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
