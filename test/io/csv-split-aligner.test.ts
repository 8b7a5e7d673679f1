/**
 * CSV input splits begin and end between records (csv-split-aligner.ts): a file cut into many
 * tiny splits, read by any number of instances, gives exactly the rows (and invalid-line count)
 * of the same file read whole, with boundaries falling inside quoted fields, after doubled
 * quotes, in comment and header lines, in invalid rows and in CRLF line ends.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputFormatError } from '../../src/errors/index.ts';
import { CsvReader } from '../../src/io/csv-reader.ts';
import { CsvSplitAligner } from '../../src/io/csv-split-aligner.ts';
import { MIN_SPLIT_BYTES, splitsFor } from '../../src/io/input-splits.ts';
import { Types } from '../../src/index.ts';
import type { CsvSourceOptions, FieldType } from '../../src/plan/nodes.ts';
import { canonical, envAt, tempDir } from '../helpers.ts';

const dir = tempDir('tsflink-csv-splits-');
let n = 0;

const DEFAULTS: CsvSourceOptions = {
  fieldDelimiter: ',',
  lineDelimiter: '\n',
  quoteCharacter: '"',
  ignoreFirstLine: false,
  ignoreComments: null,
  includedFields: null,
  ignoreInvalidLines: true,
};

interface Read {
  rows: string[];
  invalid: number;
}

/** Every instance's rows, read split by split as the source driver does; `minSplit` bytes or more per split. */
function readSplit(files: string[], types: FieldType[], options: CsvSourceOptions, p: number, minSplit: number, window?: number): Read {
  const rows: string[] = [];
  let invalid = 0;
  for (let s = 0; s < p; s++) {
    const reader = new CsvReader(types, options, () => invalid++);
    const aligner = new CsvSplitAligner(options, window);
    try {
      for (const split of splitsFor(files, p, s, minSplit)) reader.readFile(split.file, (row) => rows.push(canonical(row)), aligner.align(split));
    } finally {
      aligner.close();
    }
  }
  return { rows: rows.sort(), invalid };
}

function readWhole(file: string, types: FieldType[], options: CsvSourceOptions): Read {
  const rows: string[] = [];
  let invalid = 0;
  new CsvReader(types, options, () => invalid++).readFile(file, (row) => rows.push(canonical(row)));
  return { rows: rows.sort(), invalid };
}

// One-byte dialects take the aligner's byte loop; the others its general row scan.
const dialects = fc.constantFrom(
  { fieldDelimiter: ',', lineDelimiter: '\n', quoteCharacter: '"' as string | null },
  { fieldDelimiter: '|', lineDelimiter: ';', quoteCharacter: "'" },
  { fieldDelimiter: ',', lineDelimiter: '\n', quoteCharacter: null },
  { fieldDelimiter: '||', lineDelimiter: '\n', quoteCharacter: '"' },
  { fieldDelimiter: ',', lineDelimiter: ';;', quoteCharacter: "'" },
  { fieldDelimiter: '§', lineDelimiter: '\r\n', quoteCharacter: '«' },
  { fieldDelimiter: ',', lineDelimiter: '\n', quoteCharacter: '«' },
);

test('tiny splits of any CSV give the rows of the whole file, at every parallelism', () => {
  fc.assert(
    fc.property(
      dialects,
      fc.array(fc.constantFrom('a', 'b', 'é', '𝄞', ' ', '#', '\r', '\n', ',', '|', ';', '"', "'", '§', '«', '""', '",', '"\n', '\r\n'), { maxLength: 120 }),
      fc.boolean(),
      fc.constantFrom(null, '#', '##'),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 24 }),
      fc.constantFrom(undefined, 1, 2, 3, 5, 8),
      fc.boolean(),
      (dialect, pieces, ignoreFirstLine, ignoreComments, p, minSplit, window, bom) => {
        const file = join(dir, `f${n++}.csv`);
        writeFileSync(file, (bom ? '\uFEFF' : '') + pieces.join(''));
        const options = { ...DEFAULTS, ...dialect, ignoreFirstLine, ignoreComments };
        const types: FieldType[] = ['STRING', 'STRING'];
        assert.deepEqual(readSplit([file], types, options, p, minSplit, window), readWhole(file, types, options));
      },
    ),
    { numRuns: 2000 },
  );
});

test("writeCsv's rows with a quoted line break in the first field, cut at every byte", () => {
  // The case of issue 11: '"line one\nline,two i",i' rows, which a split at the next \n cut into wrong rows.
  const file = join(dir, 'quoted-breaks.csv');
  const rows = Array.from({ length: 300 }, (_, i) => `"line one\nline,two ${i}",${i}\n`);
  writeFileSync(file, rows.join(''));
  const options = { ...DEFAULTS, ignoreInvalidLines: false };
  const whole = readWhole(file, ['STRING', 'INT'], options);
  assert.equal(whole.rows.length, 300);
  for (const minSplit of [1, 2, 3, 7, 16, 29, 100]) {
    for (const p of [2, 3, 8]) assert.deepEqual(readSplit([file], ['STRING', 'INT'], options, p, minSplit), whole, `p=${p}, splits of ${minSplit} bytes`);
  }
});

test('a quoted field longer than the scan window, and many files', () => {
  const big = join(dir, 'long-field.csv');
  // 1.5 MiB inside one quoted field, full of line breaks and text that looks like rows.
  const inside = 'x,"y\n'.repeat(1536 * 200).replace(/"/g, '""');
  writeFileSync(big, `1,"${inside}"\n2,"b"\n3,c\n`);
  const small = join(dir, 'small.csv');
  writeFileSync(small, '4,"d\ne"\n');
  const options = { ...DEFAULTS, ignoreInvalidLines: false };
  const expected = [...readWhole(big, ['INT', 'STRING'], options).rows, ...readWhole(small, ['INT', 'STRING'], options).rows].sort();
  assert.equal(expected.length, 4);
  for (const p of [2, 5]) assert.deepEqual(readSplit([big, small], ['INT', 'STRING'], options, p, 100_000), { rows: expected, invalid: 0 });
  // The general scan (a two-character delimiter), where the quote after '1,' opens no field.
  const general = { ...options, fieldDelimiter: ',,', ignoreInvalidLines: true };
  const whole = readWhole(big, ['INT', 'STRING'], general);
  assert.ok(whole.invalid > 1000);
  assert.deepEqual(readSplit([big], ['INT', 'STRING'], general, 3, 100_000), whole);
  const quotedGeneral = { ...options, quoteCharacter: '«' };
  const withQuote = join(dir, 'long-field-guillemets.csv');
  writeFileSync(withQuote, `1,«${inside.replace(/"/g, '«')}«\n2,«b«\n`);
  assert.deepEqual(readSplit([withQuote], ['INT', 'STRING'], quotedGeneral, 3, 100_000), readWhole(withQuote, ['INT', 'STRING'], quotedGeneral));
});

test('an error in a later split names the line counted from the start of the file', () => {
  const file = join(dir, 'bad.csv');
  const rows = Array.from({ length: 500 }, (_, i) => `${i},"name\n${i}"`);
  rows[420] = 'oops,name';
  writeFileSync(file, `${rows.join('\n')}\n`);
  const options = { ...DEFAULTS, ignoreInvalidLines: false };
  const errors: InputFormatError[] = [];
  for (let s = 0; s < 3; s++) {
    const reader = new CsvReader(['INT', 'STRING'], options);
    const aligner = new CsvSplitAligner(options);
    for (const split of splitsFor([file], 3, s, 100)) {
      try {
        reader.readFile(split.file, () => {}, aligner.align(split));
      } catch (e) {
        assert.ok(e instanceof InputFormatError);
        errors.push(e);
      }
    }
    aligner.close();
  }
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.line, 841); // two physical lines per row before it
  assert.match(errors[0]!.message, /bad\.csv:841, field 1: INT value 'oops' is not an integer/);
});

test('a 17 MB file of writeCsv rows with quoted line breaks reads back whole at p=2 (two splits)', async () => {
  // Large enough that p=2 cuts it in two (MIN_SPLIT_BYTES per instance), so the cut lands in some quoted field.
  const count = 520_001;
  const path = join(dir, 'big.csv');
  const env = envAt(1);
  env
    .generateSequence(1, count)
    .map((i): [string, number] => [`line one\nline,two ${i}`, i])
    .writeCsv(path);
  await env.execute();
  const size = statSync(path).size;
  assert.ok(size > 2 * MIN_SPLIT_BYTES);
  // Cutting at the first \n after the middle (the old rule) cuts inside a quoted field, for this count:
  // an odd number of quotes (all of them open or close a field here) stands before that place.
  const bytes = readFileSync(path);
  const oldCut = bytes.indexOf(10, Math.floor(size / 2) - 1) + 1;
  let quotes = 0;
  for (let i = 0; i < oldCut; i++) if (bytes[i] === 34) quotes++;
  assert.equal(quotes % 2, 1);
  for (const p of [1, 2]) {
    const rows = await envAt(p).readCsv(path, [Types.STRING, Types.INT]).collect();
    assert.equal(rows.length, count, `p=${p}`);
    const seen = new Uint8Array(count + 1);
    for (const [text, i] of rows) {
      assert.equal(text, `line one\nline,two ${i}`);
      seen[i] = 1;
    }
    assert.equal(
      seen.reduce((a, b) => a + b, 0),
      count,
      `every row once at p=${p}`,
    );
  }
  rmSync(path);
});

test('a byte-order mark before a quoted first field, with scan windows of a few bytes', () => {
  const file = join(dir, 'bom.csv');
  writeFileSync(file, '\uFEFF"a\nb,c",1\n"d\ne",2\n');
  const options = { ...DEFAULTS, ignoreInvalidLines: false };
  const whole = readWhole(file, ['STRING', 'INT'], options);
  assert.deepEqual(whole, { rows: [canonical(['a\nb,c', 1]), canonical(['d\ne', 2])], invalid: 0 });
  for (const window of [1, 2, 3, 4, 7]) {
    for (const minSplit of [1, 2, 5]) assert.deepEqual(readSplit([file], ['STRING', 'INT'], options, 3, minSplit, window), whole, `window ${window}, splits of ${minSplit}`);
  }
});
