/**
 * Records a rich function emits from close() go on like any other record, as in Flink (a chain
 * is closed front to back: an operator's functions close before what follows them does): the
 * same at every parallelism, into every sink, through the operators after it. A record emitted
 * after the operator had finished (from a timer) is a clear error, not a silent loss or gain.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Collector, FlatMapFunction, GroupReduceFunction, WriteMode } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';

/** Passes records on and emits -1 from close(). */
class WithTrailer extends FlatMapFunction<number, number> {
  private out: Collector<number> | null = null;
  flatMap(x: number, out: Collector<number>): void {
    this.out = out;
    out.collect(x);
  }
  override close(): void {
    this.out?.collect(-1);
  }
}

/** Sums each group, and emits the number of groups it saw from close(). */
class SumAndCount extends GroupReduceFunction<[number, number], [string, number]> {
  private groups = 0;
  private out: Collector<[string, number]> | null = null;
  reduce(values: Iterable<[number, number]>, out: Collector<[string, number]>): void {
    this.out = out;
    this.groups++;
    let sum = 0;
    let key = 0;
    for (const [k, v] of values) {
      key = k;
      sum += v;
    }
    out.collect([`key ${key}`, sum]);
  }
  override close(): void {
    this.out?.collect(['groups', this.groups]);
  }
}

function readLines(path: string): string[] {
  const files = statSync(path).isDirectory() ? readdirSync(path).map((f) => join(path, f)) : [path];
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l !== '');
}

const ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

for (const p of PARALLELISMS) {
  /** Each parallel instance that saw a record emits one trailer. */
  const trailers = (instances: number) => Array.from({ length: instances }, () => -1);

  test(`p=${p}: what close() emits reaches collect(), once per instance`, async () => {
    const env = envAt(p);
    const got = await env.fromCollection(ONE_TO_TEN).rebalance().flatMap(new WithTrailer()).collect();
    assertSameMultiset(got, [...ONE_TO_TEN, ...trailers(p)]);
  });

  test(`p=${p}: what close() emits reaches a file sink, and passes through the operators after it`, async () => {
    const env = envAt(p);
    const out = join(tempDir('tsflink-close-emit-'), 'out');
    env
      .fromCollection(ONE_TO_TEN)
      .rebalance()
      .flatMap(new WithTrailer())
      .map((x: number) => x * 10)
      .writeText(out, WriteMode.OVERWRITE);
    await env.execute();
    assertSameMultiset(readLines(out).map(Number), [...ONE_TO_TEN.map((x) => x * 10), ...trailers(p).map((x) => x * 10)]);
  });

  test(`p=${p}: a group-reduce's close() emits after its last group, before the next operator closes`, async () => {
    const env = envAt(p);
    const got = await env
      .fromCollection(ONE_TO_TEN.map((x) => [x % 3, x] as [number, number]))
      .groupBy(0)
      .reduceGroup(new SumAndCount())
      .filter(([k]: [string, number]) => k !== 'never')
      .collect();
    const sums = got.filter(([k]) => k !== 'groups');
    assertSameMultiset(sums, [
      ['key 0', 18],
      ['key 1', 22],
      ['key 2', 15],
    ]);
    // Every instance that saw a group reports its groups; together they saw all three.
    const counts = got.filter(([k]) => k === 'groups').map(([, n]) => n);
    assert.ok(counts.length >= 1 && counts.length <= Math.min(p, 3), `${counts.length} reports`);
    assert.ok(counts.every((n) => n > 0));
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      3,
    );
  });
}

test('p=1: a record emitted from a timer after the job ended is a clear error naming the operator, and nothing is added', async () => {
  const env = envAt(1);
  const late: { error: Error | null; done: Promise<void> } = { error: null, done: Promise.resolve() };
  let release!: () => void;
  late.done = new Promise<void>((r) => (release = r));
  class Later extends FlatMapFunction<number, number> {
    flatMap(x: number, out: Collector<number>): void {
      out.collect(x);
      if (x === 10)
        setTimeout(() => {
          try {
            out.collect(99);
          } catch (e) {
            late.error = e as Error;
          }
          release();
        }, 20);
    }
  }
  const got = await env.fromCollection(ONE_TO_TEN).flatMap(new Later()).name('Later').collect();
  await late.done;
  assert.deepEqual(
    [...got].sort((a, b) => a - b),
    ONE_TO_TEN,
  );
  assert.ok(late.error !== null, 'the late record was refused');
  assert.match(late.error.message, /'Later'.*a record was emitted after the operator had finished/);
});
