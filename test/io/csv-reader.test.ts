import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { InputFormatError, PlanError } from '../../src/errors/index.ts';
import { CsvReader } from '../../src/io/csv-reader.ts';
import type { CsvSourceOptions, FieldType } from '../../src/plan/nodes.ts';
import { tempFile } from './temp-files.ts';

const DEFAULTS: CsvSourceOptions = {
  fieldDelimiter: ',',
  lineDelimiter: '\n',
  quoteCharacter: '"',
  ignoreFirstLine: false,
  ignoreComments: null,
  includedFields: null,
  ignoreInvalidLines: false,
};

interface ReadResult {
  rows: unknown[][];
  invalid: number;
}

/**
 * Reads the file with the general parser and again as a compiled pipeline's head (its generated
 * loop for plain rows: io/csv-rows.ts), and asserts both give the same rows, the same count of
 * invalid lines, or the same error: every test of this file checks both readers.
 */
function readCsvFile(file: string, types: readonly FieldType[], options: Partial<CsvSourceOptions> = {}, chunkSize?: number): ReadResult {
  const general = readWith(false, file, types, options, chunkSize);
  const compiled = readWith(true, file, types, options, chunkSize);
  assert.deepEqual(compiled, general, 'the compiled reader agrees with the general one');
  if (general instanceof Error) throw general;
  return general;
}

function readWith(compiled: boolean, file: string, types: readonly FieldType[], options: Partial<CsvSourceOptions>, chunkSize: number | undefined): ReadResult | Error {
  const rows: unknown[][] = [];
  let invalid = 0;
  try {
    const reader = new CsvReader(types, { ...DEFAULTS, ...options }, () => invalid++, { chunkSize, compiled });
    reader.readFile(file, (row) => rows.push(row));
  } catch (e) {
    if (e instanceof Error) return e;
    throw e;
  }
  return { rows, invalid };
}

function read(content: string, types: readonly FieldType[], options: Partial<CsvSourceOptions> = {}, chunkSize?: number): unknown[][] {
  return readCsvFile(tempFile(content, 'in.csv'), types, options, chunkSize).rows;
}

/** Asserts the same rows come out for every chunk size from 1 to `max` bytes and for the default. */
function readAllChunkSizes(content: string, types: readonly FieldType[], options: Partial<CsvSourceOptions> = {}, max = 12): unknown[][] {
  const file = tempFile(content, 'in.csv');
  const expected = readCsvFile(file, types, options).rows;
  for (let chunkSize = 1; chunkSize <= max; chunkSize++) {
    assert.deepEqual(readCsvFile(file, types, options, chunkSize).rows, expected, `chunkSize ${chunkSize}`);
  }
  return expected;
}

function formatError(content: string, types: readonly FieldType[], options: Partial<CsvSourceOptions> = {}, chunkSize?: number): InputFormatError {
  const file = tempFile(content, 'bad.csv');
  try {
    readCsvFile(file, types, options, chunkSize);
  } catch (e) {
    assert.ok(e instanceof InputFormatError, `expected an InputFormatError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.ok(e.message.startsWith(`${file}:${e.line}`), e.message);
    return e;
  }
  assert.fail('no error');
}

describe('CsvReader: structure', () => {
  it('reads typed tuples', () => {
    assert.deepEqual(read('1,a,2.5,true\n-2,b,1e3,FALSE\n', ['INT', 'STRING', 'DOUBLE', 'BOOL']), [
      [1, 'a', 2.5, true],
      [-2, 'b', 1000, false],
    ]);
  });

  it('the last row needs no terminator', () => assert.deepEqual(read('1\n2', ['INT']), [[1], [2]]));

  it('skips empty lines', () =>
    assert.deepEqual(read('\n1,a\n\n\n2,b\n\n', ['INT', 'STRING']), [
      [1, 'a'],
      [2, 'b'],
    ]));

  it('keeps empty fields as empty strings', () => {
    assert.deepEqual(read(',\na,\n,b\n""\n', ['STRING', 'STRING'], { ignoreInvalidLines: true }), [
      ['', ''],
      ['a', ''],
      ['', 'b'],
    ]);
  });

  it('a quoted empty field on its own line is a row', () => assert.deepEqual(read('""\n\nx\n', ['STRING']), [[''], ['x']]));

  it('does not trim spaces', () => assert.deepEqual(read(' a , b \n', ['STRING', 'STRING']), [[' a ', ' b ']]));

  it('quoted fields hold delimiters, doubled quotes and line breaks', () => {
    assert.deepEqual(read('"a,b","say ""hi""","x\ny\r\nz"\n"",""""\n', ['STRING', 'STRING', 'STRING'], { ignoreInvalidLines: true }), [['a,b', 'say "hi"', 'x\ny\r\nz']]);
    assert.deepEqual(read('"",""""\n', ['STRING', 'STRING']), [['', '"']]);
  });

  it('a quote inside an unquoted field is literal', () => assert.deepEqual(read('a"b,c""\n', ['STRING', 'STRING']), [['a"b', 'c""']]));

  it('a quoted number is converted', () => assert.deepEqual(read('"12","1.5","true"\n', ['INT', 'DOUBLE', 'BOOL']), [[12, 1.5, true]]));

  it('tolerates CRLF with the default line delimiter, also after quoted fields and at the end', () => {
    assert.deepEqual(read('a,b\r\n"c","d"\r\n\r\ne,"f"\r', ['STRING', 'STRING']), [
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
    ]);
  });

  it('a custom field and line delimiter, multi-character', () => {
    assert.deepEqual(read('1::a||2::"b::||c"||', ['INT', 'STRING'], { fieldDelimiter: '::', lineDelimiter: '||' }), [
      [1, 'a'],
      [2, 'b::||c'],
    ]);
  });

  it('with a custom line delimiter, \\r and \\n are data', () => {
    assert.deepEqual(read('a\r\n;b\n;', ['STRING'], { lineDelimiter: ';' }), [['a\r\n'], ['b\n']]);
  });

  it('a custom quote character, doubled inside', () => {
    assert.deepEqual(read("'it''s',\"x\"\n'a|b'|c\n".split('\n')[0] + '\n', ['STRING', 'STRING'], { quoteCharacter: "'" }), [["it's", '"x"']]);
    assert.deepEqual(read("'a|b'|'c'''\n", ['STRING', 'STRING'], { quoteCharacter: "'", fieldDelimiter: '|' }), [['a|b', "c'"]]);
  });

  it('no quoting when quoteCharacter is null', () => {
    assert.deepEqual(read('"a,"b""\n', ['STRING', 'STRING'], { quoteCharacter: null }), [['"a', '"b""']]);
  });

  it('ignoreFirstLine skips the header of the file', () => {
    assert.deepEqual(read('id,name,extra\n1,a\n2,b\n', ['INT', 'STRING'], { ignoreFirstLine: true }), [
      [1, 'a'],
      [2, 'b'],
    ]);
    assert.deepEqual(read('id,name', ['INT', 'STRING'], { ignoreFirstLine: true }), []);
  });

  it('ignoreComments skips lines starting with the prefix', () => {
    assert.deepEqual(read('# a comment, "unbalanced\n1,a\n  # not a comment\n//x\n#\n2,b\n', ['INT', 'STRING'], { ignoreComments: '#', ignoreInvalidLines: true }), [
      [1, 'a'],
      [2, 'b'],
    ]);
    assert.deepEqual(read('//c\n1\n/2\n', ['STRING'], { ignoreComments: '//' }), [['1'], ['/2']]);
  });

  it('a comment prefix inside a quoted multi-line field is data', () => {
    assert.deepEqual(read('"a\n#b",1\n#c\n', ['STRING', 'INT'], { ignoreComments: '#' }), [['a\n#b', 1]]);
  });

  it('includedFields selects columns; types list only the included ones', () => {
    assert.deepEqual(read('1,skip,x,true\n2,"s,kip",y,false\n', ['INT', 'STRING', 'BOOL'], { includedFields: [true, false, true, true] }), [
      [1, 'x', true],
      [2, 'y', false],
    ]);
  });

  it('an excluded column is not converted', () => {
    assert.deepEqual(read('notanint,1\n', ['INT'], { includedFields: [false, true] }), [[1]]);
  });

  it('a mask shorter than the row excludes the later columns', () => {
    assert.deepEqual(read('a,1,x,y,z\nb,2\n', ['INT'], { includedFields: [false, true] }), [[1], [2]]);
  });

  it('emits a fresh array per row', () => {
    const rows = read('1\n2\n', ['INT']);
    assert.notEqual(rows[0], rows[1]);
  });

  it('reads the same rows across every chunk boundary (quoted fields, CRLF, multi-byte)', () => {
    const content = 'ß,"a ""quoted"", field\nwith break"\r\n"😀😀",x😀y\r\n\r\n"日本","語,"\n"","end"';
    assert.deepEqual(readAllChunkSizes(content, ['STRING', 'STRING'], {}, 16), [
      ['ß', 'a "quoted", field\nwith break'],
      ['😀😀', 'x😀y'],
      ['日本', '語,'],
      ['', 'end'],
    ]);
  });

  it('multi-character delimiters and comments across chunk boundaries', () => {
    const content = '//skip\r\n1<>"a<>b"\r\n2<>c\r\n//x\r\n3<>"d\r\ne"\r\n';
    assert.deepEqual(readAllChunkSizes(content, ['INT', 'STRING'], { fieldDelimiter: '<>', lineDelimiter: '\r\n', ignoreComments: '//' }), [
      [1, 'a<>b'],
      [2, 'c'],
      [3, 'd\r\ne'],
    ]);
  });

  it('a quoted field much longer than a chunk', () => {
    const long = 'q"'.repeat(50_000);
    const content = `"${long.replaceAll('"', '""')}",1\nx,2\n`;
    assert.deepEqual(read(content, ['STRING', 'INT'], {}, 100), [
      [long, 1],
      ['x', 2],
    ]);
  });
});

describe('CsvReader: typed fields', () => {
  it('INT and LONG accept an optional sign, reject everything else', () => {
    assert.deepEqual(read('+5,-7,007,-0\n', ['INT', 'LONG', 'INT', 'LONG']), [[5, -7, 7, 0]]);
    assert.ok(Object.is(read('-0\n', ['LONG'])[0]![0], 0), '-0 reads as 0');
    for (const bad of ['1.5', 'abc', '', ' 1', '1 ', '+', '-', '1e3', '0x10', '--1']) {
      const e = formatError(`${bad},x\n`, ['INT', 'STRING']);
      assert.equal(e.field, 1, bad);
      assert.match(e.message, /INT value '.*' is not an integer/, bad);
    }
  });

  it('integers up to ±(2^53−1) are exact; beyond is an error, never rounded', () => {
    assert.deepEqual(read('9007199254740991,-9007199254740991\n', ['LONG', 'LONG']), [[9007199254740991, -9007199254740991]]);
    for (const big of ['9007199254740992', '9007199254740993', '-9007199254740993', '123456789012345678901234567890']) {
      const e = formatError(`1,${big}\n`, ['INT', 'LONG']);
      assert.equal(e.field, 2);
      assert.equal(e.line, 1);
      assert.ok(e.message.includes(`LONG value '${big}' exceeds ±(2^53−1)`), e.message);
    }
  });

  it('FLOAT and DOUBLE accept decimals, exponents, NaN and Infinity', () => {
    const [row] = read('1.5,-2,.5,3.,1e-3,-2.5E+2,NaN,Infinity,-Infinity,+1\n', Array<FieldType>(10).fill('DOUBLE'));
    assert.deepEqual(row, [1.5, -2, 0.5, 3, 0.001, -250, NaN, Infinity, -Infinity, 1]);
    for (const bad of ['abc', '', ' 1.5', '1.5 ', '1,5', '0x10', 'inf', '1e', 'e3', '.']) {
      const e = formatError(`"${bad}"\n`, ['FLOAT']);
      assert.match(e.message, /FLOAT value '.*' is not a number/, bad);
    }
  });

  it('BOOL reads true/false in any case', () => {
    assert.deepEqual(read('true,FALSE,True,fAlSe\n', ['BOOL', 'BOOL', 'BOOL', 'BOOL']), [[true, false, true, false]]);
    for (const bad of ['1', '0', 'yes', '', 'truee']) {
      assert.match(formatError(`"${bad}"\n`, ['BOOL']).message, /BOOL value '.*' is not a boolean/, bad);
    }
  });

  it('STRING is as is, empty allowed', () => assert.deepEqual(read('"",x\n', ['STRING', 'STRING']), [['', 'x']]));
});

describe('CsvReader: errors name file, line and field', () => {
  it('wrong field count', () => {
    const e = formatError('1,a\n2\n', ['INT', 'STRING']);
    assert.equal(e.line, 2);
    assert.equal(e.field, undefined);
    assert.match(e.message, /bad\.csv:2: expected 2 fields but found 1$/);
    assert.match(formatError('1,a,x\n', ['INT', 'STRING']).message, /expected 2 fields but found 3/);
  });

  it('with a mask, too few columns is an error', () => {
    const e = formatError('1,2,3\n1,2\n', ['INT', 'INT'], { includedFields: [true, false, true] });
    assert.equal(e.line, 2);
    assert.match(e.message, /expected at least 3 fields .* but found 2/);
  });

  it('a wrong count wins over a conversion error in the same row', () => {
    assert.match(formatError('a\n', ['INT', 'INT']).message, /expected 2 fields/);
  });

  it('non-numeric INT', () => {
    const e = formatError('1,2\n3,x4\n', ['INT', 'INT']);
    assert.equal(e.line, 2);
    assert.equal(e.field, 2);
    assert.match(e.message, /bad\.csv:2, field 2: INT value 'x4' is not an integer$/);
  });

  it('the line is where the row starts, counting line breaks inside quotes and skipped lines', () => {
    const e = formatError('# c\n"a\nb",1\n\n"c\r\nd",x\n', ['STRING', 'INT'], { ignoreComments: '#' });
    assert.equal(e.line, 5);
    assert.equal(e.field, 2);
  });

  it('the field number counts the file columns, excluded ones included', () => {
    const e = formatError('skip,1,x\n', ['INT', 'INT'], { includedFields: [false, true, true] });
    assert.equal(e.field, 3);
  });

  it('unclosed quote at the end of the file', () => {
    for (const chunkSize of [undefined, 1, 3]) {
      const e = formatError('1,a\n2,"b\n3,c\n', ['INT', 'STRING'], {}, chunkSize);
      assert.equal(e.line, 2);
      assert.equal(e.field, 2);
      assert.match(e.message, /unclosed quote/);
    }
  });

  it('text after a closing quote', () => {
    const e = formatError('"a"b,1\n', ['STRING', 'INT']);
    assert.equal(e.line, 1);
    assert.equal(e.field, 1);
    assert.match(e.message, /unexpected 'b,1' after the closing quote/);
  });

  it('LONG 9007199254740993 names file, line and field', () => {
    const e = formatError('a,1\nb,9007199254740993\n', ['STRING', 'LONG']);
    assert.equal(e.line, 2);
    assert.equal(e.field, 2);
    assert.ok(e.message.endsWith("bad.csv:2, field 2: LONG value '9007199254740993' exceeds ±(2^53−1)"), e.message);
  });

  it('a long bad value is truncated in the message', () => {
    const e = formatError(`${'9'.repeat(500)}x\n`, ['INT']);
    assert.ok(e.message.length < 300, e.message);
  });
});

describe('CsvReader: ignoreInvalidLines', () => {
  it('skips and counts every invalid row', () => {
    const content = ['1,a', '2', 'x,b', '3,"c"d', '4,e,f', '5,"ok, fine"', '9007199254740993,g', '6,h'].join('\n');
    const { rows, invalid } = readCsvFile(tempFile(content), ['LONG', 'STRING'], { ignoreInvalidLines: true });
    assert.deepEqual(rows, [
      [1, 'a'],
      [5, 'ok, fine'],
      [6, 'h'],
    ]);
    assert.equal(invalid, 5);
  });

  it('an unclosed quote skips the rest of the file as one invalid row', () => {
    for (const chunkSize of [undefined, 2]) {
      const { rows, invalid } = readCsvFile(tempFile('1,a\n2,"b\n3,c\n4,d\n'), ['INT', 'STRING'], { ignoreInvalidLines: true }, chunkSize);
      assert.deepEqual(rows, [[1, 'a']]);
      assert.equal(invalid, 1);
    }
  });

  it('text after a closing quote skips to the end of that line only', () => {
    // The bad row ends at the first line break after the garbage, even inside what looks like quotes.
    const { rows, invalid } = readCsvFile(tempFile('"a"x,"y\n1,2\n"b",3\n'), ['STRING', 'INT'], { ignoreInvalidLines: true });
    assert.deepEqual(rows, [
      ['1', 2],
      ['b', 3],
    ]);
    assert.equal(invalid, 1);
  });

  it('the reader can read several files, line numbers restarting', () => {
    const reader = new CsvReader(['INT'], DEFAULTS);
    const rows: unknown[][] = [];
    reader.readFile(tempFile('1\n2\n'), (r) => rows.push(r));
    reader.readFile(tempFile('3\n'), (r) => rows.push(r));
    assert.deepEqual(rows, [[1], [2], [3]]);
    const bad = tempFile('x\n');
    assert.throws(
      () => reader.readFile(bad, () => {}),
      (e: unknown) => e instanceof InputFormatError && e.line === 1,
    );
  });
});

describe('CsvReader: options are checked', () => {
  it('rejects a mask that does not match the types', () => {
    assert.throws(() => new CsvReader(['INT'], { ...DEFAULTS, includedFields: [true, true] }), PlanError);
  });
  it('rejects empty or equal delimiters and a bad quote', () => {
    assert.throws(() => new CsvReader(['INT'], { ...DEFAULTS, fieldDelimiter: '' }), PlanError);
    assert.throws(() => new CsvReader(['INT'], { ...DEFAULTS, fieldDelimiter: '\n' }), PlanError);
    assert.throws(() => new CsvReader(['INT'], { ...DEFAULTS, quoteCharacter: ',' }), PlanError);
    assert.throws(() => new CsvReader(['INT'], { ...DEFAULTS, quoteCharacter: "''" }), PlanError);
  });
});

describe('CsvReader against csv-parse (oracle)', () => {
  // Random RFC 4180 text: fields from a small alphabet holding the delimiters, the quote and multi-byte
  // characters; a field holding any of their characters is quoted, others are quoted at random.
  const dialect = fc.record({
    fieldDelimiter: fc.constantFrom(',', ';', '\t', '::', '<>'),
    lineDelimiter: fc.constantFrom('\n', '\r\n', '||'),
    quote: fc.constantFrom('"', "'"),
  });
  const csvInput = dialect.chain((d) => {
    const alphabet = ['a', 'b', ' ', 'é', '😀', '#', ...d.fieldDelimiter, ...d.lineDelimiter, d.quote, '\n'];
    const field = fc.tuple(
      fc.array(fc.constantFrom(...alphabet), { maxLength: 6 }).map((cs) => cs.join('')),
      fc.boolean(),
    );
    return fc
      .record({
        dialect: fc.constant(d),
        columns: fc.integer({ min: 1, max: 4 }),
        trailing: fc.boolean(),
        chunkSize: fc.integer({ min: 1, max: 9 }),
      })
      .chain((shape) =>
        fc.record({
          shape: fc.constant(shape),
          rows: fc.array(fc.array(field, { minLength: shape.columns, maxLength: shape.columns }), { maxLength: 8 }),
        }),
      );
  });

  it('parses what csv-parse parses, at every chunk size', () => {
    fc.assert(
      fc.property(csvInput, ({ shape, rows }) => {
        const { fieldDelimiter, lineDelimiter, quote } = shape.dialect;
        const special = new Set([...fieldDelimiter, ...lineDelimiter, quote, '\n', '\r']);
        const render = ([text, quoteIt]: [string, boolean]): string => (quoteIt || [...text].some((c) => special.has(c)) ? quote + text.replaceAll(quote, quote + quote) + quote : text);
        const lines = rows.map((row) => row.map(render).join(fieldDelimiter));
        const content = lines.join(lineDelimiter) + (shape.trailing && lines.length > 0 ? lineDelimiter : '');
        const expected = parse(content, {
          delimiter: fieldDelimiter,
          record_delimiter: lineDelimiter,
          quote,
          escape: quote,
          skip_empty_lines: true,
          relax_column_count: true,
        }) as string[][];
        const types = Array<FieldType>(shape.columns).fill('STRING');
        const options = { fieldDelimiter, lineDelimiter, quoteCharacter: quote };
        const file = tempFile(content, 'oracle.csv');
        assert.deepEqual(readCsvFile(file, types, options, shape.chunkSize).rows, expected);
        assert.deepEqual(readCsvFile(file, types, options).rows, expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('BIGINT, DECIMAL, DATE and TIMESTAMP fields', () => {
  it('read into bigint, the exact decimal text, and Dates in UTC', () => {
    const rows = read('9223372036854775807,-0012.3400,2026-12-04,2026-12-04 13:05:09.25\n-9223372036854775808,1e-7,0001-01-01,2026-12-04T13:05:09Z\n3,.5,2024-02-29,2026-12-04\n', [
      'BIGINT',
      'DECIMAL',
      'DATE',
      'TIMESTAMP',
    ]);
    assert.deepEqual(rows, [
      [9223372036854775807n, '-0012.3400', new Date('2026-12-04T00:00:00Z'), new Date('2026-12-04T13:05:09.250Z')],
      [-9223372036854775808n, '1e-7', new Date('0001-01-01T00:00:00Z'), new Date('2026-12-04T13:05:09Z')],
      [3n, '.5', new Date('2024-02-29T00:00:00Z'), new Date('2026-12-04T00:00:00Z')],
    ]);
  });

  for (const [type, text, problem] of [
    ['BIGINT', '9223372036854775808', 'is outside the 64-bit range of BIGINT'],
    ['BIGINT', '1.5', 'is not an integer'],
    ['DECIMAL', '1,5', 'is not a decimal number'],
    ['DECIMAL', 'NaN', 'is not a decimal number'],
    ['DATE', '2026-02-29', 'is not a day and time that exists'],
    ['DATE', '04.12.2026', 'is not a date \\(yyyy-MM-dd\\)'],
    ['DATE', '2026-12-04 10:00:00', 'is not a date \\(yyyy-MM-dd\\)'],
    ['TIMESTAMP', '2026-12-04 24:00:00', 'is not a day and time that exists'],
    ['TIMESTAMP', '2026-12-04 10:00:00.1234', 'is not a timestamp'],
  ] as const) {
    it(`${type} '${text}': an error naming the file, line, field and why`, () => {
      assert.throws(
        () => read(`"${text}"\n`, [type]),
        (e: unknown) => e instanceof InputFormatError && new RegExp(`in\\.csv:1, field 1: ${type} value '${text.replace(/\./g, '\\.')}' ${problem}`).test(e.message),
      );
    });
  }
});

describe('CsvReader: the compiled reader of plain rows (a compiled pipeline head) agrees with the general parser', () => {
  // readCsvFile reads every file both ways and asserts the same rows, invalid-line count or error.
  const cell = fc.oneof(
    fc.integer({ min: -2_500_000_000, max: 2_500_000_000 }).map(String),
    fc.constantFrom('', '-', '+7', '-0', '0012', '1234567890123456', '99999999999999999', '1.5', 'x', 'true', 'FALSE', '2026-12-04', ' 3', '3 ', '\r', 'a\rb'),
    fc.array(fc.constantFrom('a', 'b', 'é', '😀', ' ', '#'), { maxLength: 4 }).map((cs) => cs.join('')),
  );
  const shapes = fc.record({
    types: fc.array(fc.constantFrom<FieldType>('INT', 'LONG', 'STRING', 'DOUBLE', 'BOOL', 'DATE'), { minLength: 1, maxLength: 4 }),
    mask: fc.option(fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), { nil: null }),
    rows: fc.array(fc.array(cell, { minLength: 0, maxLength: 6 }), { maxLength: 10 }),
    crlf: fc.boolean(),
    trailing: fc.boolean(),
    ignoreInvalidLines: fc.boolean(),
    chunkSize: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
  });

  it('on random rows of typed columns, masks, CRLF, empty lines and bad values', () => {
    fc.assert(
      fc.property(shapes, (s) => {
        // A mask selects as many columns as there are types.
        let mask = s.mask;
        if (mask !== null) {
          const selected = mask.filter(Boolean).length;
          mask = selected === s.types.length ? mask : [...s.types.map(() => true), ...mask.map(() => false)];
        }
        const newline = s.crlf ? '\r\n' : '\n';
        const content = s.rows.map((r) => r.join(',')).join(newline) + (s.trailing ? newline : '');
        const file = tempFile(content, 'plain.csv');
        try {
          readCsvFile(file, s.types, { includedFields: mask, ignoreInvalidLines: s.ignoreInvalidLines }, s.chunkSize);
        } catch (e) {
          if (!(e instanceof InputFormatError)) throw e; // the same error both ways (readCsvFile checked)
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reads integers, text and skipped columns of many rows, the bad row reported with its line', () => {
    const good = Array.from({ length: 500 }, (_, i) => `${i},k${i % 7},x,${-i * 3}`);
    const rows = read(`${good.join('\n')}\n`, ['INT', 'STRING', 'LONG'], { includedFields: [true, true, false, true] }, 64);
    assert.equal(rows.length, 500);
    assert.deepEqual(rows[499], [499, 'k2', -1497]);
    const e = formatError(`${good.join('\n')}\n7,k,x,12345678901234567\n`, ['INT', 'STRING', 'LONG'], { includedFields: [true, true, false, true] }, 64);
    assert.equal(e.line, 501);
    const overflow = formatError('1,a\n2147483648,b\n', ['INT', 'STRING']);
    assert.equal(overflow.line, 2);
  });
});
