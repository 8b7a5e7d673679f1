import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BufferedFileWriter } from '../../src/io/file-writer.ts';
import { tempDir } from './temp-files.ts';

describe('BufferedFileWriter', () => {
  it('writes UTF-8 text and creates parent directories', () => {
    const file = join(tempDir(), 'a', 'b', 'out.txt');
    const writer = new BufferedFileWriter(file);
    writer.write('héllo ');
    writer.write('😀\n');
    writer.close();
    assert.equal(readFileSync(file, 'utf8'), 'héllo 😀\n');
  });

  it('many small writes past the 1 MiB buffer, multi-byte characters on every boundary', () => {
    const file = join(tempDir(), 'big.txt');
    const writer = new BufferedFileWriter(file);
    const parts: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const part = `${i},é😀日\n`;
      parts.push(part);
      writer.write(part);
    }
    writer.close();
    assert.equal(readFileSync(file, 'utf8'), parts.join(''));
  });

  it('a text larger than the buffer, between small ones', () => {
    const file = join(tempDir(), 'huge.txt');
    const huge = 'ß'.repeat(3 << 20);
    const writer = new BufferedFileWriter(file);
    writer.write('a');
    writer.write(huge);
    writer.write('b');
    writer.close();
    assert.equal(readFileSync(file, 'utf8'), `a${huge}b`);
  });

  it('truncates an existing file; an unwritten file is empty', () => {
    const file = join(tempDir(), 'f');
    const first = new BufferedFileWriter(file);
    first.write('old content');
    first.close();
    new BufferedFileWriter(file).close();
    assert.equal(readFileSync(file, 'utf8'), '');
  });

  it('close is idempotent; write after close throws', () => {
    const writer = new BufferedFileWriter(join(tempDir(), 'f'));
    writer.close();
    writer.close();
    assert.throws(() => writer.write('x'), /closed/);
  });
});
