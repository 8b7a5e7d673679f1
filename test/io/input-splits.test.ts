import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { CsvReader } from '../../src/io/csv-reader.ts';
import { alignSplit, splitsFor } from '../../src/io/input-splits.ts';
import { readLines } from '../../src/io/line-reader.ts';
import { InputFormatError } from '../../src/errors/index.ts';
import { tempDir } from '../helpers.ts';

const dir = tempDir('tsflink-splits-');
let n = 0;

function linesOf(files: string[], p: number, minSplit: number, delimiter = '\n'): string[][] {
  const perSubtask: string[][] = [];
  for (let s = 0; s < p; s++) {
    const lines: string[] = [];
    for (const split of splitsFor(files, p, s, minSplit)) readLines(split.file, (l) => lines.push(l), { range: alignSplit(split, delimiter), lineDelimiter: delimiter });
    perSubtask.push(lines);
  }
  return perSubtask;
}

test('every line of a cut file is read exactly once, whatever the parallelism and split size', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: fc.constantFrom('a', 'é', '𝄞', ' ', 'b') }), { minLength: 0, maxLength: 60 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 40 }),
      fc.boolean(),
      (lines, p, minSplit, trailing) => {
        const file = join(dir, `f${n++}.txt`);
        writeFileSync(file, lines.join('\n') + (trailing && lines.length > 0 ? '\n' : ''));
        // The oracle: the same file read whole.
        const expected: string[] = [];
        readLines(file, (l) => expected.push(l));
        const got = linesOf([file], p, minSplit);
        // Each line once; which instance reads which split is not promised.
        assert.deepEqual(got.flat().sort(), [...expected].sort());
      },
    ),
    { numRuns: 300 },
  );
});

test('a multi-character line delimiter splits on its boundaries too', () => {
  const file = join(dir, 'multi.txt');
  const lines = Array.from({ length: 200 }, (_, i) => `row ${i} ${'x'.repeat(i % 17)}`);
  writeFileSync(file, lines.join('||'));
  for (const p of [1, 2, 3, 7]) assert.deepEqual(linesOf([file], p, 50, '||').flat().sort(), [...lines].sort());
});

test('big files are shared among instances; small files are read whole', () => {
  const big = join(dir, 'big.txt');
  writeFileSync(big, Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n'));
  const small = join(dir, 'small.txt');
  writeFileSync(small, 'one\ntwo\n');
  const per = linesOf([big, small], 4, 100);
  assert.ok(
    per.every((lines) => lines.length > 100),
    'each of 4 instances reads a share of the big file',
  );
  assert.equal(per.flat().length, 1002);
});

test('a CSV error in a later split names the line number counted from the start of the file', () => {
  const file = join(dir, 'bad.csv');
  const rows = Array.from({ length: 500 }, (_, i) => `${i},name${i}`);
  rows[420] = 'oops,name';
  writeFileSync(file, `${rows.join('\n')}\n`);
  const options = { fieldDelimiter: ',', lineDelimiter: '\n', quoteCharacter: '"', ignoreFirstLine: false, ignoreComments: null, includedFields: null, ignoreInvalidLines: false };
  const reader = new CsvReader(['INT', 'STRING'], options);
  let error: unknown;
  for (let s = 0; s < 3; s++) {
    for (const split of splitsFor([file], 3, s, 100)) {
      try {
        reader.readFile(split.file, () => {}, alignSplit(split, '\n'));
      } catch (e) {
        error = e;
      }
    }
  }
  assert.ok(error instanceof InputFormatError);
  assert.equal(error.line, 421);
  assert.match(error.message, /bad\.csv:421, field 1/);
});
