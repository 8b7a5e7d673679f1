/**
 * Operators that hold one entry per group (reduce, aggregate, group-reduce, distinct) spill
 * hash partitions to the temp directory beyond the memory budget, fold them, get the same answer,
 * and leave no files behind, after success and after failure.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Collector, getEnvironment } from '../../src/index.ts';
import { spillStatistics } from '../../src/runtime/spill/spill-runs.ts';
import { assertSameMultiset, tempDir } from '../helpers.ts';

/** An environment whose memory budget is tiny, spilling into a fresh temp directory. */
function smallBudgetEnv(p: number): { env: ReturnType<typeof getEnvironment>; tmp: string } {
  const tmp = tempDir('tsflink-spill-');
  const conf = join(tmp, 'tsflink.yaml');
  writeFileSync(conf, `taskmanager.memory: 512k\nio.tmp.dirs: ${tmp}\n`);
  const saved = process.env.TSFLINK_CONF;
  process.env.TSFLINK_CONF = conf;
  try {
    const env = getEnvironment();
    env.setParallelism(p);
    return { env, tmp };
  } finally {
    if (saved === undefined) delete process.env.TSFLINK_CONF;
    else process.env.TSFLINK_CONF = saved;
  }
}

const N = 60_000;
const KEYS = 20_000;
const leftovers = (tmp: string) => readdirSync(tmp).filter((f) => f !== 'tsflink.yaml');

for (const p of [1, 2]) {
  test(`grouped reduce, aggregate, reduceGroup and distinct spill and stay correct (p=${p})`, async () => {
    const { env, tmp } = smallBudgetEnv(p);
    const before = spillStatistics.runs;
    const data = env.generateSequence(0, N - 1).map((i) => [`key-${i % KEYS}-${'x'.repeat(40)}`, i, 1] as [string, number, number]);

    const reduced = await data
      .groupBy(0)
      .reduce((a, b) => [a[0], a[1] + b[1], a[2] + b[2]])
      .collect();
    const aggregated = await data.groupBy(0).sum(1).andMax(2).collect();
    const counted = await data
      .map(([k, i]) => [k, i, i, 0] as [string, number, number, number])
      .groupBy(0)
      .avg(1)
      .andMin(2)
      .andCount(3)
      .collect();
    const grouped = await data
      .groupBy(0)
      .reduceGroup<[string, string]>((values: Iterable<[string, number, number]>, out) => {
        let key = '';
        const seen: number[] = [];
        for (const [k, i] of values) {
          key = k;
          seen.push(i);
        }
        out.collect([key, seen.join(' ')]);
      })
      .collect();
    const distinct = await data
      .map(([k]) => k)
      .distinct()
      .count();

    assert.ok(spillStatistics.runs > before, 'the operators spilled');
    const expectedSum = new Map<string, number>();
    const expectedOrder = new Map<string, number[]>();
    for (let i = 0; i < N; i++) {
      const k = `key-${i % KEYS}-${'x'.repeat(40)}`;
      expectedSum.set(k, (expectedSum.get(k) ?? 0) + i);
      expectedOrder.set(k, [...(expectedOrder.get(k) ?? []), i]);
    }
    assertSameMultiset(
      reduced,
      [...expectedSum].map(([k, s]) => [k, s, N / KEYS]),
    );
    assertSameMultiset(
      aggregated.map(([k, s, m]) => [k, s, m]),
      [...expectedSum].map(([k, s]) => [k, s, 1]),
    );
    // avg(1) of i, i + 20000, i + 40000 is i + 20000; min(2) is i; count(3) is 3.
    assertSameMultiset(
      counted,
      [...expectedOrder].map(([k, is]) => [k, is[0]! + KEYS, is[0]!, N / KEYS]),
    );
    // Within a group, records keep their arrival order across runs (at p=1 that is 0, 20000, 40000).
    if (p === 1)
      assertSameMultiset(
        grouped,
        [...expectedOrder].map(([k, is]) => [k, is.join(' ')]),
      );
    else
      assertSameMultiset(
        grouped.map(([k, s]) => [
          k,
          s
            .split(' ')
            .map(Number)
            .sort((a, b) => a - b)
            .join(' '),
        ]),
        [...expectedOrder].map(([k, is]) => [k, is.join(' ')]),
      );
    assert.equal(distinct, KEYS);
    assert.deepEqual(leftovers(tmp), [], 'no spill files left');
  });
}

test('a job that fails after spilling leaves no spill files', async () => {
  const { env, tmp } = smallBudgetEnv(1);
  const before = spillStatistics.runs;
  const job = env
    .generateSequence(0, N - 1)
    .map((i) => [`key-${i % KEYS}-${'y'.repeat(40)}`, i] as [string, number])
    .groupBy(0)
    .reduceGroup((values: Iterable<[string, number]>, out: Collector<number>) => {
      for (const [k, i] of values) if (i === N - 1) throw new Error(`failing on ${k}`);
      out.collect(1);
    })
    .collect();
  await assert.rejects(job, /failing on key-/);
  assert.ok(spillStatistics.runs > before, 'the operator spilled before it failed');
  assert.deepEqual(leftovers(tmp), []);
});

for (const p of [1, 2]) {
  test(`a join whose build side exceeds the budget becomes a grace hash join with the same result (p=${p})`, async () => {
    const { env, tmp } = smallBudgetEnv(p);
    const before = spillStatistics.runs;
    const left = env.generateSequence(0, 29_999).map((i) => [i % 10_000, `L${i}-${'l'.repeat(30)}`] as [number, string]);
    const right = env.generateSequence(0, 19_999).map((i) => [i % 12_000, `R${i}-${'r'.repeat(30)}`] as [number, string]);
    const inner = await left
      .join(right)
      .where(0)
      .equalTo(0)
      .using(([k], [, r]) => `${k}:${r.slice(0, 6)}`)
      .count();
    const full = await left
      .fullOuterJoin(right)
      .where(0)
      .equalTo(0)
      .using((l, r) => [l === null ? -1 : l[0], r === null ? -1 : r[0]] as [number, number])
      .collect();
    assert.ok(spillStatistics.runs > before, 'the join spilled to partitions');
    // Keys 0..9999 appear 3× on the left; keys 0..7999 twice and 8000..11999 once on the right.
    assert.equal(inner, 8000 * 3 * 2 + 2000 * 3 * 1);
    const rightOnly = full.filter(([l]) => l === -1);
    assert.equal(rightOnly.length, 2000); // keys 10000..11999
    assert.equal(full.length, inner + 2000);
    assert.deepEqual(leftovers(tmp), []);
  });
}

test('sortPartition beyond the budget sorts externally, stable, with the same result', async () => {
  const { env, tmp } = smallBudgetEnv(1);
  const before = spillStatistics.runs;
  const sorted = await env
    .generateSequence(0, 59_999)
    .map((i) => [(i * 7919) % 1000, i, 'z'.repeat(40)] as [number, number, string])
    .sortPartition(0, 'DESCENDING')
    .collect();
  assert.ok(spillStatistics.runs > before, 'the sort spilled runs');
  assert.equal(sorted.length, 60_000);
  for (let i = 1; i < sorted.length; i++) {
    const [a, ai] = sorted[i - 1]!;
    const [b, bi] = sorted[i]!;
    assert.ok(a > b || (a === b && ai < bi), `order at ${i}: ${a},${ai} then ${b},${bi}`);
  }
  assert.deepEqual(leftovers(tmp), []);
});

test('an exchange holding more than the budget in this thread spills batches and reads them back in order', async () => {
  // At p=2 the exchange is materialized in this thread (the coordinator's exchange store); at p=1 it is pipelined.
  const { env, tmp } = smallBudgetEnv(2);
  const bytesBefore = spillStatistics.exchangeBytes;
  const rows = await env
    .generateSequence(0, 99_999)
    .map((i) => [i, 'v'.repeat(60)] as [number, string])
    .groupBy(0)
    .reduceGroup<number>((values: Iterable<[number, string]>, out) => {
      for (const [i] of values) out.collect(i);
    })
    .collect();
  assert.ok(spillStatistics.exchangeBytes > bytesBefore, 'the exchange spilled');
  assert.equal(rows.length, 100_000);
  assert.equal(new Set(rows).size, 100_000);
  assert.deepEqual(leftovers(tmp), []);
});

test('at parallelism 1 a task feeding one consumer is pipelined: its records are never all held', async () => {
  const { env, tmp } = smallBudgetEnv(1);
  const before = spillStatistics.exchangeBytes;
  const n = await env
    .generateSequence(0, 99_999)
    .map((i) => [i % 7, 'p'.repeat(60)] as [number, string])
    .rebalance()
    .filter(([k]) => k !== 3)
    .count();
  assert.equal(n, 100_000 - Math.ceil((100_000 - 3) / 7));
  assert.equal(spillStatistics.exchangeBytes, before, 'nothing was buffered, so nothing spilled');
  assert.deepEqual(leftovers(tmp), []);
});
