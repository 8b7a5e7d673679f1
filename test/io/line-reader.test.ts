import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputPathError } from '../../src/errors/index.ts';
import { readLines, type LineReaderOptions } from '../../src/io/line-reader.ts';
import { tempFile } from './temp-files.ts';

function lines(content: string | Uint8Array, options?: LineReaderOptions): string[] {
  const out: string[] = [];
  readLines(
    tempFile(content),
    (line, n) => {
      assert.equal(n, out.length + 1, 'line numbers are 1-based and dense');
      out.push(line);
    },
    options,
  );
  return out;
}

describe('readLines', () => {
  it('splits on \\n without terminators', () => assert.deepEqual(lines('a\nbb\nccc\n'), ['a', 'bb', 'ccc']));
  it('emits a final line without terminator', () => assert.deepEqual(lines('a\nb'), ['a', 'b']));
  it('a trailing terminator adds no empty line', () => assert.deepEqual(lines('a\n'), ['a']));
  it('keeps empty lines', () => assert.deepEqual(lines('\na\n\n\nb\n\n'), ['', 'a', '', '', 'b', '']));
  it('an empty file has no lines', () => assert.deepEqual(lines(''), []));
  it('a lone terminator is one empty line', () => assert.deepEqual(lines('\n'), ['']));
  it('drops the \\r of CRLF', () => assert.deepEqual(lines('a\r\nb\r\n\r\nc\r'), ['a', 'b', '', 'c']));
  it('drops only one \\r', () => assert.deepEqual(lines('a\r\r\n'), ['a\r']));
  it('keeps a \\r that is not at the end of a line', () => assert.deepEqual(lines('a\rb\n'), ['a\rb']));
  // Flink keeps it (as U+FEFF at the start of the first line); tsflink skips it, so that it cannot silently spoil the first value.
  it('skips a UTF-8 BOM at the start of the file, and only there', () => {
    assert.deepEqual(lines('\uFEFFa\n\uFEFFb\n'), ['a', '\uFEFFb']);
    assert.deepEqual(lines('\uFEFF'), []);
    assert.deepEqual(lines('\uFEFF\n'), ['']);
    for (const chunkSize of [1, 2, 3, 4]) assert.deepEqual(lines('\uFEFFa\n', { chunkSize }), ['a']);
  });
  it('decodes invalid UTF-8 as U+FFFD', () => assert.deepEqual(lines(new Uint8Array([0x61, 0xff, 0x0a])), ['a\uFFFD']));
  it('decodes invalid UTF-8 as the WHATWG decoder does (one U+FFFD per maximal bad sequence), at every chunk size', () => {
    const bytes = new Uint8Array([0x61, 0xff, 0x62, 0xe2, 0x82, 0x0a, 0xc3, 0x2c, 0xf0, 0x9f, 0x98, 0x0a, 0xed, 0xa0, 0x80, 0x41, 0xe2, 0x82]);
    const expected = new TextDecoder().decode(bytes).split('\n');
    assert.deepEqual(expected, ['a\uFFFDb\uFFFD', '\uFFFD,\uFFFD', '\uFFFD\uFFFD\uFFFDA\uFFFD']);
    for (let chunkSize = 1; chunkSize <= 8; chunkSize++) assert.deepEqual(lines(bytes, { chunkSize }), expected, `chunkSize ${chunkSize}`);
  });
  it('reads gzip data whatever the file is called: several members, a BOM, characters across chunks', () => {
    const text = '\ufeffabc\nü😀\r\n\ndef';
    const gz = Buffer.concat([gzipSync(Buffer.from(text, 'utf8').subarray(0, 9)), gzipSync(Buffer.from(text, 'utf8').subarray(9)), gzipSync('')]);
    const file = tempFile(new Uint8Array(gz), 'data.txt');
    for (const chunkSize of [1, 2, 3, 5, 64, 1 << 20]) assert.deepEqual(lines(new Uint8Array(gz), { chunkSize }), ['abc', 'ü😀', '', 'def'], `chunkSize ${chunkSize}`);
    assert.ok(file.length > 0);
  });
  it('corrupt or truncated gzip data is an error naming the file and the place', () => {
    const gz = gzipSync('line one\nline two\n'.repeat(50));
    const corrupt = Buffer.from(gz);
    corrupt[30]! ^= 0xff;
    const bad = tempFile(new Uint8Array(corrupt), 'bad.gz');
    assert.throws(
      () => readLines(bad, () => {}),
      (e: unknown) => e instanceof InputPathError && new RegExp(`^Input file '${bad}' is not valid gzip data \\(.+ near compressed byte \\d+\\)$`).test(e.message),
    );
    const cut = tempFile(new Uint8Array(gz.subarray(0, gz.length - 6)), 'cut.gz');
    for (const chunkSize of [1, 7, 1 << 20]) {
      assert.throws(
        () => readLines(cut, () => {}, { chunkSize }),
        (e: unknown) => e instanceof InputPathError && e.message === `Input file '${cut}' is truncated gzip data (it ends at compressed byte ${gz.length - 6} inside a member)`,
      );
    }
  });
  it('refuses xz data whatever the file is called, naming the file; broken zstd data names the file', () => {
    const file = tempFile(new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x0a, 0x61]), 'data.txt');
    assert.throws(
      () => readLines(file, () => assert.fail('no line')),
      (e: unknown) => e instanceof InputPathError && e.message === `Input file '${file}' holds xz-compressed data; tsflink reads gzip and zstd: decompress it (or recompress it) first`,
    );
    const zstd = tempFile(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x0a, 0x61]), 'data.txt');
    assert.throws(
      () => readLines(zstd, () => assert.fail('no line')),
      (e: unknown) => e instanceof InputPathError && e.message.startsWith(`Input file '${zstd}' is`) && /zstd data/.test(e.message),
    );
    // Text that merely starts with the same first byte is text.
    assert.deepEqual(lines(new Uint8Array([0x28, 0x61, 0x0a])), ['(a']);
  });

  it('a custom multi-character delimiter, keeping \\r and \\n', () => {
    assert.deepEqual(lines('a||b\r\n||||c', { lineDelimiter: '||' }), ['a', 'b\r\n', '', 'c']);
  });

  it('with every chunk size, CRLF and multi-byte characters split across chunks', () => {
    const text = 'één\r\n😀x😀\n\nlast ñ\r\n日本語';
    for (let chunkSize = 1; chunkSize <= 12; chunkSize++) {
      assert.deepEqual(lines(text, { chunkSize }), ['één', '😀x😀', '', 'last ñ', '日本語'], `chunkSize ${chunkSize}`);
    }
  });

  it('a multi-character delimiter split across chunks', () => {
    for (let chunkSize = 1; chunkSize <= 8; chunkSize++) {
      assert.deepEqual(lines('ab<=>c<=><=>d<=', { lineDelimiter: '<=>', chunkSize }), ['ab', 'c', '', 'd<='], `chunkSize ${chunkSize}`);
    }
  });

  it('a line far longer than a chunk', () => {
    const long = 'x'.repeat(100_000);
    assert.deepEqual(lines(`${long}\nshort\n${long}`, { chunkSize: 1000 }), [long, 'short', long]);
  });

  it('property: any lines, any delimiter, any chunk size', () => {
    const alphabet = ['a', 'é', '😀', ' ', '\r', '|', '\n'];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...alphabet)).map((cs) => cs.join(''))),
        fc.constantFrom('\n', '|', '||', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 1, max: 9 }),
        (raw, delimiter, trailing, chunkSize) => {
          // A line holds neither the delimiter nor anything that would merge with it.
          const written = raw.map((l) => l.split(delimiter[0]!).join('').split('\r').join('').split('\n').join(''));
          const content = written.join(delimiter) + (trailing && written.length > 0 ? delimiter : '');
          // Without a trailing terminator, an empty last line leaves no trace in the file.
          const expected = !trailing && written.at(-1) === '' ? written.slice(0, -1) : written;
          assert.deepEqual(lines(content, { lineDelimiter: delimiter, chunkSize }), expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a missing file is an InputPathError', () => {
    assert.throws(() => readLines('/nonexistent/tsflink/x.txt', () => {}), InputPathError);
  });
});
