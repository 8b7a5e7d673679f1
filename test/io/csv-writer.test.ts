import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CsvReader } from '../../src/io/csv-reader.ts';
import { CsvRowFormatter, formatCsvRow } from '../../src/io/csv-writer.ts';
import { BufferedFileWriter } from '../../src/io/file-writer.ts';
import type { FieldType } from '../../src/plan/nodes.ts';
import { tempDir } from './temp-files.ts';

describe('formatCsvRow', () => {
  const table: [string, unknown, string, string, string][] = [
    ['plain fields', [1, 'a', 2.5, true, 'null'], ',', '\n', '1,a,2.5,true,null\n'],
    ['-0 keeps its sign', [-0, 0, [-0]], ',', '\n', '-0,0,(0)\n'],
    ['nested tuple as its text form', [1, [2, 3]], '|', '\n', '1|(2,3)\n'],
    ['nested tuple holding the delimiter is quoted', [1, [2, 3]], ',', '\n', '1,"(2,3)"\n'],
    ['a field with the delimiter', ['a,b', 'c'], ',', '\n', '"a,b",c\n'],
    ['a field with a quote, doubled', ['say "hi"'], ',', '\n', '"say ""hi"""\n'],
    ['a field with a line break', ['x\ny', 'z\r'], ',', '\n', '"x\ny","z\r"\n'],
    ['a field with the custom line delimiter', ['a;b', 'c'], ',', ';', '"a;b",c;'],
    ['spaces are not quoted', [' a ', 'b c'], ',', '\n', ' a ,b c\n'],
    ['a non-array element is one field', 'a,b', ',', '\n', '"a,b"\n'],
    ['a number element', 42, ',', '\n', '42\n'],
    ['bytes as hex', [new Uint8Array([171, 205])], ',', '\n', 'abcd\n'],
    ['a lone empty field is quoted, or the row would be an empty line', [''], ',', '\n', '""\n'],
    ['empty fields among others are not quoted', ['', 'a', ''], ',', '\n', ',a,\n'],
    ['multi-character delimiter inside a field', ['a::b', 'c'], '::', '\n', '"a::b"::c\n'],
    ['a multi-character delimiter starting in the field', ['a:', 'b'], '::', '\n', '"a:"::b\n'],
    ['a multi-character line delimiter starting in the last field', ['a', 'b\r'], ',', '\r\n', 'a,"b\r"\r\n'],
    ['|| line delimiter starting in the last field', ['a', 'b|'], ',', '||', 'a,"b|"||'],
    ['a delimiter character that cannot merge stays unquoted', ['a:', 'b'], '<>', '\n', 'a:<>b\n'],
    ['a number holding the field delimiter is quoted', [1.5, 2], '.', '\n', '"1.5".2\n'],
    ['a negative number holding the field delimiter is quoted', [-3, 4], '-', '\n', '"-3"-4\n'],
    ['numbers among strings with one-character delimiters', [7, 'a,b', -0.25], ',', '\n', '7,"a,b",-0.25\n'],
  ];
  for (const [name, tuple, fd, ld, expected] of table) {
    it(name, () => assert.equal(formatCsvRow(tuple, fd, ld), expected));
  }

  it('passes the custom-type hook to the text form', () => {
    const hook = (v: object): string | undefined => (v instanceof Date ? 'a date, custom' : undefined);
    assert.equal(formatCsvRow([new Date(0), 1], ',', '\n', '"', hook), '"a date, custom",1\n');
  });

  it('a custom quote', () => assert.equal(formatCsvRow(["it's", 'a"b', 'c,d'], ',', '\n', "'"), "'it''s',a\"b,'c,d'\n"));
});

describe('writeCsv → readCsv round trip (fast-check)', () => {
  const special = fc.constantFrom(',', ';', ':', '|', '"', "'", '\n', '\r', '\t', ' ', '.', '<', '>', '#', 'é', '😀');
  const text = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.array(special, { maxLength: 6 }).map((cs) => cs.join('')),
  );
  const valueOfType: Record<FieldType, fc.Arbitrary<unknown>> = {
    INT: fc.integer(),
    LONG: fc.maxSafeInteger(),
    FLOAT: fc.double().map((d) => (Object.is(d, -0) ? 0 : d)),
    DOUBLE: fc.double().map((d) => (Object.is(d, -0) ? 0 : d)),
    STRING: text,
    BOOL: fc.boolean(),
    BIGINT: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    DECIMAL: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.constantFrom('0.10', '-12.3400', '1e-7', '.5', '+3.')),
    DATE: fc.integer({ min: -719528, max: 2932896 }).map((day) => new Date(day * 86_400_000)),
    TIMESTAMP: fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
  };
  const dialect = fc
    .record({
      fieldDelimiter: fc.constantFrom(',', '|', '\t', ' ', '.', '::', ';;', '<>'),
      lineDelimiter: fc.constantFrom('\n', '\r\n', '||', '#'),
      quote: fc.constantFrom('"', "'"),
    })
    .filter(({ fieldDelimiter: fd, lineDelimiter: ld }) => !fd.startsWith(ld) && !ld.startsWith(fd));
  const input = fc
    .record({
      dialect,
      types: fc.array(fc.constantFrom<FieldType>('INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BOOL', 'BIGINT', 'DECIMAL', 'DATE', 'TIMESTAMP'), { minLength: 1, maxLength: 5 }),
      chunkSize: fc.integer({ min: 1, max: 64 }),
    })
    .chain((shape) => fc.record({ shape: fc.constant(shape), rows: fc.array(fc.tuple(...shape.types.map((t) => valueOfType[t])), { maxLength: 10 }) }));

  it('readCsv reads back exactly what writeCsv wrote', () => {
    const dir = tempDir();
    let n = 0;
    fc.assert(
      fc.property(input, ({ shape, rows }) => {
        const { fieldDelimiter, lineDelimiter, quote } = shape.dialect;
        const file = join(dir, `rt-${n++}.csv`);
        writeFileSync(file, rows.map((row) => formatCsvRow(row, fieldDelimiter, lineDelimiter, quote)).join(''));
        const reader = new CsvReader(
          shape.types,
          { fieldDelimiter, lineDelimiter, quoteCharacter: quote, ignoreFirstLine: false, ignoreComments: null, includedFields: null, ignoreInvalidLines: false },
          undefined,
          { chunkSize: shape.chunkSize },
        );
        const back: unknown[][] = [];
        reader.readFile(file, (row) => back.push(row));
        assert.deepEqual(back, rows);
      }),
      { numRuns: 500 },
    );
  });
});

describe('CsvRowFormatter.writeRow (a compiled CSV sink) writes the bytes format() gives', () => {
  const field = fc.oneof(
    fc.integer({ min: -2147483648, max: 2147483647 }),
    fc.constantFrom(-0, 0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 0.1, -1.5e-7, 1e21, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.double(),
    fc.array(fc.constantFrom('a', 'Z', '0', ' ', ',', ';', '"', '\n', '\r', 'é', '😀', '\uFEFF', '|', '\t'), { maxLength: 6 }).map((cs) => cs.join('')),
    fc.constantFrom(true, false, [1, 2], new Uint8Array([1, 2])),
  );
  it('on random rows, delimiters and line delimiters, through the buffer of a real file', () => {
    const dir = tempDir();
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { maxLength: 5 }), { maxLength: 20 }),
        fc.constantFrom([',', '\n'], [';', '\n'], ['|', '\r'], ['\t', '\n'], ['::', '\n'], [',', '\r\n']),
        (rows, [fd, ld]) => {
          const formatter = new CsvRowFormatter(fd!, ld!);
          const file = join(dir, `rows-${n++}.csv`);
          const writer = new BufferedFileWriter(file);
          let fast = 0;
          for (const row of rows) {
            if (formatter.writeRow(row, writer)) fast++;
            else writer.write(formatter.format(row));
          }
          writer.close();
          assert.equal(readFileSync(file, 'utf8'), rows.map((row) => formatter.format(row)).join(''));
          return fast >= 0;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes plain rows itself and leaves the others to format()', () => {
    const formatter = new CsvRowFormatter(',', '\n');
    const writer = new BufferedFileWriter(join(tempDir(), 'w.csv'));
    assert.equal(formatter.writeRow([1, 'abc', -2147483648, 2.5], writer), true);
    assert.equal(formatter.writeRow(['a,b', 1], writer), false);
    assert.equal(formatter.writeRow(['é', 1], writer), false);
    assert.equal(formatter.writeRow([-0, 1], writer), true);
    assert.equal(formatter.writeRow([true, 1], writer), false);
    assert.equal(formatter.writeRow(['only'], writer), false);
    writer.close();
  });
});
