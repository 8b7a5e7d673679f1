/** The one dialect rule of readCsv and writeCsv (csv-dialect.ts), and both calls refusing what it refuses, at plan time. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PlanError, Types } from '../../src/index.ts';
import { csvDialectProblem } from '../../src/io/csv-dialect.ts';
import { CsvReader } from '../../src/io/csv-reader.ts';
import { envAt, tempDir } from '../helpers.ts';

const OPTIONS = { quoteCharacter: '"', ignoreFirstLine: false, ignoreComments: null, includedFields: null, ignoreInvalidLines: false };

describe('csvDialectProblem', () => {
  it('accepts the usual dialects', () => {
    for (const [fd, ld, q] of [
      [',', '\n', '"'],
      ['\t', '\r\n', '"'],
      ['||', '\n', "'"],
      ['::', ';;', null],
      ['§', '\n', '«'],
    ] as const) {
      assert.equal(csvDialectProblem(fd, ld, q), null, `${fd} ${ld} ${q}`);
    }
  });
  it('refuses empty delimiters, and delimiters that contain or overlap each other', () => {
    assert.match(csvDialectProblem('', '\n', '"')!, /must not be empty/);
    assert.match(csvDialectProblem(',', ',\n', '"')!, /must not overlap/);
    assert.match(csvDialectProblem('a\nb', '\n', '"')!, /must not overlap/);
    assert.match(csvDialectProblem('a;', ';b', '"')!, /must not overlap/);
    assert.match(csvDialectProblem(';b', 'a;', '"')!, /must not overlap/);
  });
  it('refuses a quote that is not one character or that a delimiter holds', () => {
    assert.match(csvDialectProblem(',', '\n', "''")!, /one character/);
    assert.equal(csvDialectProblem(',"', '\n', '"'), `the field delimiter ',"' contains the quote character '"'; choose another delimiter or quote character`);
    assert.equal(csvDialectProblem(',', '"\n', '"'), `the line delimiter '"\\n' contains the quote character '"'; choose another delimiter or quote character`);
  });
});

describe('readCsv and writeCsv refuse the same dialects when the plan is built', () => {
  const path = join(tempDir(), 'x.csv');
  for (const [fieldDelimiter, lineDelimiter] of [
    ['"', '\n'],
    ['a"b', '\n'],
    [',', '\n"'],
    [',', ','],
    ['a;', ';b'],
  ] as const) {
    it(`field ${JSON.stringify(fieldDelimiter)}, line ${JSON.stringify(lineDelimiter)}`, () => {
      const env = envAt(1);
      const write = (): unknown => env.fromElements<[number, string]>([1, 'a']).writeCsv(path, { fieldDelimiter, lineDelimiter });
      const read = (): unknown => env.readCsv(path, [Types.INT, Types.STRING], { fieldDelimiter, lineDelimiter });
      const problem = csvDialectProblem(fieldDelimiter, lineDelimiter, '"')!;
      assert.ok(problem !== null);
      assert.throws(write, (e: unknown) => e instanceof PlanError && /^writeCsv at csv-dialect\.test\.ts:\d+: /.test(e.message) && e.message.endsWith(problem));
      assert.throws(read, (e: unknown) => e instanceof PlanError && /^readCsv at csv-dialect\.test\.ts:\d+: /.test(e.message) && e.message.endsWith(problem));
      assert.throws(
        () => new CsvReader(['INT', 'STRING'], { ...OPTIONS, fieldDelimiter, lineDelimiter }),
        (e: unknown) => e instanceof PlanError && e.message === `readCsv: ${problem}`,
      );
    });
  }
});
