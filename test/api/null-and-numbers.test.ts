/**
 * null is a value (null ≠ 'null'); a LONG beyond ±(2^53−1) from input is an
 * error; numbers from user code, bigint included, are carried as they are.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Collector, InputFormatError, JobExecutionError, Order, Types } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';

describe('null is a value', () => {
  for (const p of PARALLELISMS) {
    test(`null elements and null fields are kept at p=${p}`, async () => {
      const env = envAt(p);
      assertSameMultiset(await env.fromElements<number | string | null>(null, 1, null, 'x').collect(), [null, 1, null, 'x']);
      assertSameMultiset(await env.fromElements<[string | null, number | null]>([null, 1], ['a', null]).rebalance().collect(), [
        [null, 1],
        ['a', null],
      ]);
      assert.equal(await env.fromElements(null, null).count(), 2);
    });

    test(`null and 'null' are different keys at p=${p}`, async () => {
      const env = envAt(p);
      const data = env.fromElements<[string | null, number]>([null, 1], ['null', 10], [null, 2], ['null', 20], ['', 100]);
      assertSameMultiset(await data.groupBy(0).sum(1).collect(), [
        [null, 3],
        ['null', 30],
        ['', 100],
      ]);
      assertSameMultiset(
        await data
          .groupBy(0)
          .reduceGroup((values: Iterable<[string | null, number]>, out: Collector<[string | null, number]>) => {
            const vs = [...values];
            out.collect([vs[0]![0], vs.length]);
          })
          .collect(),
        [
          [null, 2],
          ['null', 2],
          ['', 1],
        ],
      );
      assertSameMultiset(await env.fromElements(null, 'null', null, 'null', 'x').distinct().collect(), [null, 'null', 'x']);
    });

    test(`a null key inside a composite key and a key selector returning null at p=${p}`, async () => {
      const env = envAt(p);
      const data = env.fromElements<[string | null, number | null, number]>([null, null, 1], [null, 0, 2], [null, null, 3], ['null', null, 4]);
      assertSameMultiset(await data.groupBy(0, 1).sum(2).collect(), [
        [null, null, 4],
        [null, 0, 2],
        ['null', null, 4],
      ]);
      const bySelector = await env
        .fromElements<[number, number]>([1, 1], [2, 2], [3, 3], [4, 4])
        .groupBy((x: [number, number]) => (x[0] % 2 === 0 ? null : 'null'))
        .reduce((a, b) => [a[0], a[1] + b[1]])
        .collect();
      assertSameMultiset(
        bySelector.map(([, s]) => s),
        [6, 4],
      );
    });

    test(`null sorts and writeText writes it as null at p=${p}`, async () => {
      const env = envAt(p);
      const sorted = await env.fromElements<[number | null]>([2], [null], [1]).sortPartition(0, Order.ASCENDING).setParallelism(1).collect();
      assert.equal(sorted.length, 3);
      assert.deepEqual(
        sorted.filter((t) => t[0] !== null),
        [[1], [2]],
      );
      // writeText prints null's text form; writeCsv refuses a null field (test/io/round-trips.test.ts).
      const out = join(tempDir(), 'nulls');
      env.fromElements<[string | null, null]>(['a', null], [null, null]).writeText(out).setParallelism(1);
      await env.execute();
      assertSameMultiset(readFileSync(out, 'utf8').split('\n').filter(Boolean), ['(a,null)', '(null,null)']);
    });
  }
});

describe('numbers', () => {
  test('LONG fields up to ±(2^53−1) read exactly', async () => {
    const path = join(tempDir(), 'longs.csv');
    writeFileSync(path, '9007199254740991\n-9007199254740991\n0\n');
    assert.deepEqual(await envAt(1).readCsv(path, [Types.LONG]).collect(), [[9007199254740991], [-9007199254740991], [0]]);
  });

  for (const [what, value] of [
    ['2^53', '9007199254740992'],
    ['-(2^53)', '-9007199254740992'],
    ['2^63−1', '9223372036854775807'],
  ] as const) {
    for (const p of PARALLELISMS) {
      test(`a LONG of ${what} is an error naming file, line and field at p=${p}`, async () => {
        const path = join(tempDir(), 'big.csv');
        writeFileSync(path, `a,1\nb,2\nc,${value}\n`);
        await assert.rejects(envAt(p).readCsv(path, [Types.STRING, Types.LONG]).collect(), (e: unknown) => {
          assert.ok(e instanceof JobExecutionError);
          assert.ok(e.cause instanceof InputFormatError);
          assert.equal(e.cause.file, path);
          assert.equal(e.cause.line, 3);
          assert.equal(e.cause.field, 2);
          assert.ok(e.message.includes(path), e.message);
          assert.match(e.message, /:3\b/);
          assert.match(e.message, /field 2/);
          assert.ok(e.message.includes(value), e.message);
          return true;
        });
      });
    }
  }

  test('with ignoreInvalidLines a LONG out of range is skipped and counted', async () => {
    const dir = tempDir();
    const path = join(dir, 'big.csv');
    writeFileSync(path, '1\n9007199254740993\n2\n');
    const env = envAt(2);
    env.readCsv(path, [Types.LONG], { ignoreInvalidLines: true }).writeText(join(dir, 'out')).setParallelism(1);
    const { accumulators } = await env.execute();
    assert.deepEqual(accumulators, { invalidLines: 1 });
    assertSameMultiset(readFileSync(join(dir, 'out'), 'utf8').split('\n').filter(Boolean), ['(1)', '(2)']);
  });

  for (const p of PARALLELISMS) {
    test(`numbers made by user code are carried as they are at p=${p}`, async () => {
      const env = envAt(p);
      const big = await env
        .fromElements(1, 2)
        .map((x) => x * 2 ** 60)
        .collect();
      assertSameMultiset(big, [2 ** 60, 2 ** 61]);
      assertSameMultiset(
        await env
          .fromElements(0.1 + 0.2, -0, Number.NaN, Number.POSITIVE_INFINITY)
          .rebalance()
          .collect(),
        [0.1 + 0.2, -0, Number.NaN, Number.POSITIVE_INFINITY],
      );
    });

    test(`bigint values survive groupBy, reduce and collect at p=${p}`, async () => {
      const env = envAt(p);
      const big = 2n ** 70n;
      const data = env.fromElements<[string, bigint]>(['a', big], ['b', 1n], ['a', big + 1n], ['b', -5n]);
      const sums = await data
        .groupBy(0)
        .reduce((x, y) => [x[0], x[1] + y[1]])
        .collect();
      assertSameMultiset(sums, [
        ['a', 2n * big + 1n],
        ['b', -4n],
      ]);
      assert.ok(sums.every(([, v]) => typeof v === 'bigint'));
    });

    test(`bigint keys group by value at p=${p}`, async () => {
      const env = envAt(p);
      const big = 2n ** 64n;
      const counts = await env
        .fromElements<[bigint, number]>([big, 1], [1n, 1], [big, 1], [2n ** 64n, 1])
        .groupBy(0)
        .sum(1)
        .collect();
      assertSameMultiset(counts, [
        [big, 3],
        [1n, 1],
      ]);
      // A bigint key is not the number with the same value.
      assertSameMultiset(await env.fromElements<[bigint | number, number]>([1n, 1], [1, 1]).groupBy(0).sum(1).collect(), [
        [1n, 1],
        [1, 1],
      ]);
    });
  }
});
