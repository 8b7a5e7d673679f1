/**
 * writeCsv → readCsv and writeText → readText with the same options give back the same values,
 * or the write fails naming the sink, the subtask and the value (issue 11): null and undefined
 * fields, -0, a \r before a line end, and INT beyond 32 bits on the way back in.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputFormatError, JobExecutionError, TaskError, Types } from '../../src/index.ts';
import { formatCsvRow, UnwritableCsvFieldError } from '../../src/io/csv-writer.ts';
import { textLine, UnwritableTextError } from '../../src/io/text-form.ts';
import { envAt, tempDir } from '../helpers.ts';

/** The job's failure, whose cause chain holds a TaskError of the sink. */
function sinkError(e: unknown): TaskError {
  for (let c: unknown = e; c instanceof Error; c = c.cause) if (c instanceof TaskError) return c;
  assert.fail(`no TaskError in ${String(e)}`);
}

describe('writeCsv refuses null and undefined fields', () => {
  test('formatCsvRow', () => {
    assert.throws(
      () => formatCsvRow([1, null], ',', '\n'),
      (e: unknown) =>
        e instanceof UnwritableCsvFieldError &&
        e.message === "writeCsv cannot write field 1 (0-based) of the record (1,null): it is null, and CSV has no null that readCsv would give back; map it to a value first (e.g. v ?? '')",
    );
    assert.throws(
      () => formatCsvRow([undefined], ',', '\n'),
      (e: unknown) => e instanceof UnwritableCsvFieldError && /field 0 \(0-based\) of the record \(undefined\): it is undefined/.test(e.message),
    );
    assert.throws(
      () => formatCsvRow(null, ',', '\n'),
      (e: unknown) => e instanceof UnwritableCsvFieldError && /cannot write the record: it is null/.test(e.message),
    );
    assert.throws(() => formatCsvRow(['a', null], '::', '\n'), UnwritableCsvFieldError); // the general path
    assert.equal(formatCsvRow(['null', [1, null]], ',', '\n'), 'null,"(1,null)"\n'); // a string, and a nested tuple's text form
  });
  for (const p of [1, 2]) {
    test(`a job writing a null field fails naming the sink and subtask, and writes nothing, at p=${p}`, async () => {
      const out = join(tempDir(), 'nulls.csv');
      const env = envAt(p);
      env.fromElements<[string, number | null]>(['a', 1], ['b', null], ['c', 3]).rebalance().writeCsv(out);
      const error = await env.execute().then(
        () => assert.fail('the job succeeded'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof JobExecutionError);
      const cause = sinkError(error);
      assert.match(
        cause.message,
        /^Operator 'DataSink \(writeCsv\) at round-trips\.test\.ts:\d+': \(subtask \d of \d\) writeCsv cannot write field 1 \(0-based\) of the record \(b,null\): it is null/,
      );
      assert.equal(existsSync(out), false);
    });
  }
});

describe('-0 keeps its sign through writeCsv and a DOUBLE column', () => {
  for (const p of [1, 2]) {
    test(`at p=${p}`, async () => {
      const out = join(tempDir(), 'zeros.csv');
      const env = envAt(p);
      env.fromElements<[number, number]>([-0, 0], [0, -0], [-1.5, Number.NEGATIVE_INFINITY]).writeCsv(out).setParallelism(1);
      await env.execute();
      assert.equal(readFileSync(out, 'utf8'), '-0,0\n0,-0\n-1.5,-Infinity\n');
      const back = await envAt(p).readCsv(out, [Types.DOUBLE, Types.DOUBLE]).collect();
      const signs = back.map(([a, b]) => [Object.is(a, -0), Object.is(b, -0), a, b]);
      assert.deepEqual(
        signs.sort((x, y) => String(x).localeCompare(String(y))),
        [
          [false, false, -1.5, Number.NEGATIVE_INFINITY],
          [false, true, 0, -0],
          [true, false, -0, 0],
        ].sort((x, y) => String(x).localeCompare(String(y))),
      );
    });
  }
});

describe('writeText refuses a \\r that readText would drop', () => {
  test('textLine', () => {
    assert.equal(textLine('a\rb'), 'a\rb\n');
    assert.equal(textLine('a\nb'), 'a\nb\n');
    assert.equal(textLine(['x', null]), '(x,null)\n');
    for (const bad of ['abc\r', 'a\r\nb', '\r', 'ok\r\r']) {
      assert.throws(
        () => textLine(bad),
        (e: unknown) => e instanceof UnwritableTextError && e.message.startsWith(`writeText cannot write the record ${JSON.stringify(bad)}: readText would drop its \\r`),
      );
    }
  });
  for (const p of [1, 2]) {
    test(`a job writing "abc\\r" fails and writes nothing; "a\\rb" round-trips, at p=${p}`, async () => {
      const dir = tempDir();
      const bad = join(dir, 'bad.txt');
      const env = envAt(p);
      env.fromElements('x', 'abc\r', 'y').writeText(bad);
      const error = await env.execute().then(
        () => assert.fail('the job succeeded'),
        (e: unknown) => e,
      );
      assert.match(sinkError(error).message, /^Operator 'DataSink \(writeText\) at round-trips\.test\.ts:\d+': \(subtask \d of \d\) writeText cannot write the record "abc\\r"/);
      assert.equal(existsSync(bad), false);
      const good = join(dir, 'good.txt');
      const env2 = envAt(p);
      env2.fromElements('a\rb', '', 'c').writeText(good);
      await env2.execute();
      assert.deepEqual((await envAt(p).readText(good).collect()).sort(), ['', 'a\rb', 'c']);
    });
  }
});

describe('INT is 32 bits', () => {
  for (const p of [1, 2]) {
    test(`3000000000 in an INT column is an error naming file, line and field; LONG reads it, at p=${p}`, async () => {
      const file = join(tempDir(), 'big.csv');
      writeFileSync(file, '1,2147483647\n2,-2147483648\n3,3000000000\n');
      const error = await envAt(p)
        .readCsv(file, [Types.INT, Types.INT])
        .collect()
        .then(
          () => assert.fail('read'),
          (e: unknown) => e,
        );
      let cause: unknown = error;
      while (cause instanceof Error && !(cause instanceof InputFormatError)) cause = cause.cause;
      assert.ok(cause instanceof InputFormatError, String(error));
      assert.equal(cause.reason, "INT value '3000000000' is outside the 32-bit range of INT [-2147483648, 2147483647]; use LONG");
      assert.match(cause.message, new RegExp(`${file.replace(/[.]/g, '\\.')}:3, field 2: `));
      assert.deepEqual(
        (await envAt(p).readCsv(file, [Types.INT, Types.LONG]).collect()).sort((a, b) => a[0] - b[0]),
        [
          [1, 2147483647],
          [2, -2147483648],
          [3, 3000000000],
        ],
      );
    });
  }
});

describe('a leading U+FEFF is not taken for a byte-order mark on the way back', () => {
  test('writeCsv quotes it; writeText refuses it first in a file', () => {
    assert.equal(formatCsvRow(['\uFEFFx', 1], ',', '\n'), '"\uFEFFx",1\n');
    assert.equal(formatCsvRow(['\uFEFFx', 1], '::', '\n'), '"\uFEFFx"::1\n');
    assert.equal(textLine('\uFEFFx'), '\uFEFFx\n');
    assert.throws(
      () => textLine('\uFEFFx', true),
      (e: unknown) => e instanceof UnwritableTextError && /first in a file: readText would skip its leading U\+FEFF/.test(e.message),
    );
  });
  for (const p of [1, 2]) {
    test(`writeCsv → readCsv keeps it at p=${p}`, async () => {
      const out = join(tempDir(), 'bom-field.csv');
      const env = envAt(p);
      env.fromElements<[string, number]>(['\uFEFFx', 1]).writeCsv(out).setParallelism(1);
      await env.execute();
      assert.deepEqual(await envAt(p).readCsv(out, [Types.STRING, Types.INT]).collect(), [['\uFEFFx', 1]]);
    });
  }
});

describe('BIGINT, DECIMAL, DATE and TIMESTAMP through jobs', () => {
  for (const p of [1, 2]) {
    test(`readCsv → a hash exchange → writeCsv → readCsv gives the same values, at p=${p}`, async () => {
      const dir = tempDir();
      const input = join(dir, 'in.csv');
      writeFileSync(input, '1,9007199254740993,12.50,2026-12-04,2026-12-04 13:05:09.250\n2,-9223372036854775808,-0.001,1999-01-31,1999-01-31\n1,3,7,2000-02-29,2000-02-29T23:59:59Z\n');
      const types = [Types.INT, Types.BIGINT, Types.DECIMAL, Types.DATE, Types.TIMESTAMP] as const;
      const env = envAt(p);
      const first = await env.readCsv(input, types).collect();
      env.readCsv(input, types).partitionByHash(0).writeCsv(join(dir, 'out'));
      await env.execute();
      const back = await envAt(p).readCsv(join(dir, 'out'), types).collect();
      const key = (r: readonly unknown[]): string => `${String(r[1])}`;
      assert.deepEqual(
        [...back].sort((a, b) => key(a).localeCompare(key(b))),
        [...first].sort((a, b) => key(a).localeCompare(key(b))),
      );
      assert.deepEqual(first[0], [1, 9007199254740993n, '12.50', new Date('2026-12-04T00:00:00Z'), new Date('2026-12-04T13:05:09.250Z')]);
    });
  }

  test('a Date writeCsv cannot write so that readCsv reads it back is refused', () => {
    assert.throws(() => formatCsvRow([new Date(Number.NaN)], ',', '\n'), /the date is invalid/);
    assert.throws(() => formatCsvRow([new Date('+010000-01-01T00:00:00Z')], ',', '\n'), /the date is in the year 10000/);
    assert.equal(formatCsvRow([new Date('2026-12-04T00:00:00Z'), new Date('2026-12-04T00:00:00.001Z')], ',', '\n'), '2026-12-04,2026-12-04T00:00:00.001Z\n');
  });
});
