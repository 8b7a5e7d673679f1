/**
 * Malformed and unusual inputs, each with its exact result or error, at p=1 and p=2 (issue 11):
 * a last line without a line end, an unclosed quote at the end of the file, invalid UTF-8, a
 * 100 MB line, CRLF line ends, a byte-order mark, empty files, empty directories, a directory
 * holding a subdirectory, and compressed files.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputFormatError, InputPathError, Types } from '../../src/index.ts';
import { assertSameMultiset, causeOf, envAt, failure, tempDir, writeTestFile as file } from '../helpers.ts';

for (const p of [1, 2]) {
  describe(`malformed input at p=${p}`, () => {
    test('a last line without a line end is a record', async () => {
      const dir = tempDir();
      assertSameMultiset(
        await envAt(p)
          .readText(file(dir, 'a.txt', 'a\nb'))
          .collect(),
        ['a', 'b'],
      );
      assertSameMultiset(
        await envAt(p)
          .readCsv(file(dir, 'a.csv', '1,x\n2,"y\nz"'), [Types.INT, Types.STRING])
          .collect(),
        [
          [1, 'x'],
          [2, 'y\nz'],
        ],
      );
    });

    test('an unclosed quote at the end of the file is an error naming file, line and field (or one invalid line)', async () => {
      const path = file(tempDir(), 'open.csv', '1,x\n2,"y\nz\n');
      const e = causeOf(await failure(envAt(p).readCsv(path, [Types.INT, Types.STRING]).collect()), InputFormatError);
      assert.equal(e.file, path);
      assert.equal(e.line, 2);
      assert.equal(e.field, 2);
      assert.equal(e.reason, 'unclosed quote: the quoted field runs to the end of the file');
      const env = envAt(p);
      const rows = env.readCsv(path, [Types.INT, Types.STRING], { ignoreInvalidLines: true });
      assert.deepEqual(await rows.collect(), [[1, 'x']]);
    });

    test('invalid UTF-8 becomes U+FFFD, one per bad sequence, the same at every parallelism', async () => {
      const bytes = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x61, 0xff, 0x62, 0xe2, 0x82, 0x0a, 0xc3]), Buffer.from(',1\n')]);
      const dir = tempDir();
      assertSameMultiset(
        await envAt(p)
          .readText(file(dir, 'bad.txt', bytes))
          .collect(),
        ['ok', 'a\uFFFDb\uFFFD', '\uFFFD,1'],
      );
      const csv = Buffer.concat([Buffer.from([0xff, 0x2c, 0x31, 0x0a]), Buffer.from('x,2\n')]);
      assertSameMultiset(
        await envAt(p)
          .readCsv(file(dir, 'bad.csv', csv), [Types.STRING, Types.INT])
          .collect(),
        [
          ['\uFFFD', 1],
          ['x', 2],
        ],
      );
    });

    test('CRLF line ends: the \\r is not part of a value, inside quotes it is kept', async () => {
      const dir = tempDir();
      assertSameMultiset(
        await envAt(p)
          .readText(file(dir, 'crlf.txt', 'a\r\nb\r\n\r\n'))
          .collect(),
        ['a', 'b', ''],
      );
      assertSameMultiset(
        await envAt(p)
          .readCsv(file(dir, 'crlf.csv', '1,a\r\n2,"b\r\nc"\r\n3,"d"\r\n'), [Types.INT, Types.STRING])
          .collect(),
        [
          [1, 'a'],
          [2, 'b\r\nc'],
          [3, 'd'],
        ],
      );
    });

    test('a UTF-8 byte-order mark is skipped: it is in no value, and does not stop a header from being skipped', async () => {
      const dir = tempDir();
      assertSameMultiset(
        await envAt(p)
          .readText(file(dir, 'bom.txt', '\uFEFFfirst\nsecond\n'))
          .collect(),
        ['first', 'second'],
      );
      const csv = file(dir, 'bom.csv', '\uFEFF"a",1\nb,2\n');
      assertSameMultiset(await envAt(p).readCsv(csv, [Types.STRING, Types.INT]).collect(), [
        ['a', 1],
        ['b', 2],
      ]);
      const header = file(dir, 'header.csv', '\uFEFFname,n\nb,2\n');
      assert.deepEqual(await envAt(p).readCsv(header, [Types.STRING, Types.INT], { ignoreFirstLine: true }).collect(), [['b', 2]]);
      assert.deepEqual(
        await envAt(p)
          .readCsv(file(dir, 'int.csv', '\uFEFF7\n'), [Types.INT])
          .collect(),
        [[7]],
      );
    });

    test('empty files, a directory of empty files and an empty directory give no records', async () => {
      const dir = tempDir();
      const empty = file(dir, 'empty.csv', '');
      assert.deepEqual(await envAt(p).readText(empty).collect(), []);
      assert.deepEqual(await envAt(p).readCsv(empty, [Types.INT]).collect(), []);
      const emptyDir = join(dir, 'none');
      mkdirSync(emptyDir);
      assert.deepEqual(await envAt(p).readText(emptyDir).collect(), []);
      assert.deepEqual(await envAt(p).readCsv(emptyDir, [Types.INT]).collect(), []);
      file(emptyDir, 'a', '');
      file(emptyDir, 'b', '\uFEFF');
      assert.deepEqual(await envAt(p).readCsv(emptyDir, [Types.INT]).collect(), []);
    });

    test("a directory's subdirectories are skipped with what they hold (Flink without recursive.file.enumeration)", async () => {
      const dir = join(tempDir(), 'in');
      mkdirSync(join(dir, 'sub'), { recursive: true });
      file(dir, 'top', '1\n');
      file(join(dir, 'sub'), 'nested', '2\n');
      assert.deepEqual(await envAt(p).readCsv(dir, [Types.INT]).collect(), [[1]]);
      rmSync(join(dir, 'top'));
      assert.deepEqual(await envAt(p).readText(dir).collect(), []);
    });

    test('a compressed file other than gzip or zstd is an error naming it before anything runs; a broken gzip file names itself', async () => {
      const dir = tempDir();
      const xz = file(dir, 'logs.txt.xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
      const e = causeOf(await failure(envAt(p).readText(xz).collect()), InputPathError);
      assert.equal(e.message, `Input file '${xz}' is compressed (.xz); tsflink reads gzip and zstd but not this compression yet: decompress it (or gzip it) first`);
      const disguised = file(dir, 'logs.csv', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04]));
      const e2 = causeOf(await failure(envAt(p).readCsv(disguised, [Types.STRING]).collect()), InputPathError);
      assert.match(e2.message, /logs\.csv' is (truncated|not valid) zstd data/);
      const broken = file(dir, 'logs.txt.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
      const e3 = causeOf(await failure(envAt(p).readText(broken).collect()), InputPathError);
      assert.match(e3.message, /logs\.txt\.gz' is (truncated|not valid) gzip data/);
    });
  });
}

test('a 100 MB line is read whole by readText and readCsv, at p=1 and p=2', async () => {
  const dir = tempDir();
  const path = join(dir, 'long.txt');
  const mb = Buffer.alloc(1 << 20, 'x');
  const fd = openSync(path, 'w');
  writeSync(fd, 'short\n7,');
  for (let i = 0; i < 100; i++) writeSync(fd, mb);
  writeSync(fd, '\nend\n');
  closeSync(fd);
  try {
    for (const p of [1, 2]) {
      assertSameMultiset(
        await envAt(p)
          .readText(path)
          .map((line: string) => line.length)
          .collect(),
        [5, 100 * (1 << 20) + 2, 3],
      );
      const rows = await envAt(p)
        .readCsv(path, [Types.STRING, Types.STRING], { ignoreInvalidLines: true })
        .map((r: [string, string]) => r[1].length)
        .collect();
      assert.deepEqual(rows, [100 * (1 << 20)]);
    }
  } finally {
    rmSync(path);
  }
});
