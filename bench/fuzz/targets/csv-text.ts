/**
 * writeCsv → readCsv and writeText → readText (issue 11): random rows of strings holding the
 * delimiters, the quote, line breaks, \r, a byte-order mark, other Unicode and empty strings,
 * written by the sinks' own formatters (CsvRowFormatter, textLine) and read back by the sources'
 * readers (CsvReader, readLines) the way a source instance reads them: cut into splits of a few
 * bytes (CsvSplitAligner, alignSplit) and shared among 1 or 2 instances. The values come back
 * the same (as a multiset), or the write refuses them (null and undefined fields; a \r that
 * readText would drop). Strings are well-formed Unicode (a lone surrogate has no UTF-8 form).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CsvReader } from '../../../src/io/csv-reader.ts';
import { CsvSplitAligner } from '../../../src/io/csv-split-aligner.ts';
import { CsvRowFormatter, UnwritableCsvFieldError } from '../../../src/io/csv-writer.ts';
import { alignSplit, splitsFor } from '../../../src/io/input-splits.ts';
import { readLines } from '../../../src/io/line-reader.ts';
import { textLine, UnwritableTextError } from '../../../src/io/text-form.ts';
import type { CsvSourceOptions, FieldType } from '../../../src/plan/nodes.ts';
import { difference } from '../identical.ts';
import type { FuzzTarget } from '../target.ts';

const specials = [',', ';', '|', '::', '"', '""', '\n', '\r', '\r\n', ' ', '\t', '\uFEFF', '\uFFFD', 'é', '𝄞', '中', '#'];
const textArb = fc.oneof(
  { arbitrary: fc.string({ unit: fc.constantFrom(...specials, 'a', 'b'), maxLength: 12 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.constant(''), weight: 1 },
);
const dialectArb = fc.constantFrom(
  { fieldDelimiter: ',', lineDelimiter: '\n' },
  { fieldDelimiter: '|', lineDelimiter: '\n' },
  { fieldDelimiter: '::', lineDelimiter: '\r\n' },
  { fieldDelimiter: ';', lineDelimiter: '#' },
);
const numberArb = fc.oneof(fc.double(), fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 5e-324));

const sortKey = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'number' ? (Object.is(x, -0) ? '-0' : String(x)) : x));

function check(got: unknown[], expected: unknown[], what: string): true {
  const a = got.map(sortKey).sort();
  const b = expected.map(sortKey).sort();
  const differs = difference(a, b);
  if (differs !== undefined) throw new Error(`${what}: ${differs}`);
  return true;
}

export default {
  name: 'csv-text',
  description: 'writeCsv→readCsv and writeText→readText give the values back (or refuse them at write time), cut into tiny splits at p=1 and p=2',
  properties: () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsflink-fuzz-csv-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    let n = 0;

    function readCsv(file: string, types: FieldType[], options: CsvSourceOptions, p: number, minSplit: number): unknown[] {
      const rows: unknown[] = [];
      for (let s = 0; s < p; s++) {
        const reader = new CsvReader(types, options);
        const aligner = new CsvSplitAligner(options);
        try {
          for (const split of splitsFor([file], p, s, minSplit)) reader.readFile(split.file, (row) => rows.push(row), aligner.align(split));
        } finally {
          aligner.close();
        }
      }
      return rows;
    }

    const csvProperty = (withNumbers: boolean) =>
      fc.property(
        dialectArb,
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) =>
            fc.array(
              withNumbers
                ? fc.tuple(fc.array(textArb, { minLength: width, maxLength: width }), numberArb, fc.boolean(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })).map(([t, d, b, i]) => [...t, d, b, i])
                : fc.array(textArb, { minLength: width, maxLength: width }),
              { maxLength: 12 },
            ),
          ),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 16 }),
        (dialect, rows, p, minSplit) => {
          const file = join(dir, `c${n++}.csv`);
          const formatter = new CsvRowFormatter(dialect.fieldDelimiter, dialect.lineDelimiter);
          writeFileSync(file, rows.map((r) => formatter.format(r)).join(''));
          const width = rows[0]?.length ?? (withNumbers ? 3 : 1);
          const types: FieldType[] = withNumbers ? [...Array<FieldType>(width - 3).fill('STRING'), 'DOUBLE', 'BOOL', 'INT'] : Array<FieldType>(width).fill('STRING');
          const options: CsvSourceOptions = { ...dialect, quoteCharacter: '"', ignoreFirstLine: false, ignoreComments: null, includedFields: null, ignoreInvalidLines: false };
          try {
            return check(readCsv(file, types, options, p, minSplit), rows, `p=${p}, splits of ${minSplit} bytes`);
          } finally {
            rmSync(file);
          }
        },
      );

    return [
      { name: 'csv strings', property: csvProperty(false) },
      { name: 'csv strings, DOUBLE, BOOL, INT', property: csvProperty(true) },
      {
        name: 'csv null/undefined refused',
        property: fc.property(fc.array(fc.oneof(textArb, fc.constantFrom(null, undefined)), { minLength: 1, maxLength: 4 }), (row) => {
          const formatter = new CsvRowFormatter(',', '\n');
          const hasNull = row.some((v) => v === null || v === undefined);
          try {
            formatter.format(row);
          } catch (e) {
            if (hasNull && e instanceof UnwritableCsvFieldError) return true;
            throw e;
          }
          if (hasNull) throw new Error('a null field was written');
          return true;
        }),
      },
      {
        name: 'text lines',
        property: fc.property(fc.array(textArb, { maxLength: 12 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 16 }), (records, p, minSplit) => {
          const file = join(dir, `t${n++}.txt`);
          let text = '';
          const written: string[] = [];
          for (const r of records) {
            const refused = r.endsWith('\r') || r.includes('\r\n') || (text === '' && r.startsWith('\uFEFF'));
            try {
              text += textLine(r, text === '');
              if (refused) throw new Error(`writeText wrote ${JSON.stringify(r)}, which readText cannot give back`);
              written.push(...r.split('\n'));
            } catch (e) {
              if (!(refused && e instanceof UnwritableTextError)) throw e;
            }
          }
          writeFileSync(file, text);
          try {
            const got: string[] = [];
            for (let s = 0; s < p; s++) for (const split of splitsFor([file], p, s, minSplit)) readLines(split.file, (l) => got.push(l), { range: alignSplit(split, '\n') });
            return check(got, written, `p=${p}, splits of ${minSplit} bytes`);
          } finally {
            rmSync(file);
          }
        }),
      },
    ];
  },
} satisfies FuzzTarget;
