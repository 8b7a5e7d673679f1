/**
 * Date, Map, Set, RegExp, bigint, typed arrays and ArrayBuffer are values at every parallelism,
 * without registerCustomType: the same results at p=1 (one thread, no serialization) as at
 * p=2 and 4 (worker threads, every record through the binary format), and a subclass of one of
 * them the same clear error wherever it has to cross. The Flink target's run is in
 * test/flink/flink-target.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Collector, JobExecutionError } from '../../src/index.ts';
import { canonical, envAt } from '../helpers.ts';

/** One record of every built-in kind, made from n (so each record differs). */
function values(n: number): unknown[] {
  return [
    n,
    new Date(Date.UTC(2026, 11, 4, 13, 0, n)),
    new Date(Number.NaN),
    new Map<unknown, unknown>([
      ['n', n],
      [n, new Date(n * 1000)],
    ]),
    new Set([n, 'a', [n]]),
    /a+b/giu,
    BigInt(n) ** 30n,
    Float64Array.of(n, -0, Number.NaN, 0.5),
    Int32Array.of(-n, n),
    BigInt64Array.of(-(2n ** 63n), BigInt(n)),
    Uint8ClampedArray.of(255, n % 256),
    new Float32Array(new ArrayBuffer(16), 4, 2),
    Uint8Array.of(n % 256).buffer,
    { nested: { when: new Date(0), tags: new Set(['x']) } },
  ];
}

/** A form that tells every difference apart (class, contents, -0, NaN, order of entries). */
function describe(v: unknown): string {
  if (v instanceof Date) return `Date(${v.getTime()})`;
  if (v instanceof Map) return `Map(${[...v].map(([k, x]) => `${describe(k)}=>${describe(x)}`).join(',')})`;
  if (v instanceof Set) return `Set(${[...v].map(describe).join(',')})`;
  if (v instanceof RegExp) return `RegExp(${v.source},${v.flags})`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof ArrayBuffer) return `ArrayBuffer(${[...new Uint8Array(v)].join(',')})`;
  if (ArrayBuffer.isView(v)) {
    const items = [...(v as unknown as Iterable<number | bigint>)].map((x) => (Object.is(x, -0) ? '-0' : String(x)));
    return `${v.constructor.name}(${items.join(',')})`;
  }
  if (Array.isArray(v)) return `[${v.map(describe).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}:${describe(x)}`)
      .join(',')}}`;
  return Object.is(v, -0) ? '-0' : canonical(v);
}

async function roundTrip(p: number): Promise<string[]> {
  const env = envAt(p);
  // Through a rebalance, a hash exchange on the number and a group reduce that keeps the values.
  const out = await env
    .generateSequence(1, 40)
    .map((n) => values(n))
    .rebalance()
    .groupBy((r) => (r[0] as number) % 5)
    .reduceGroup((rs: Iterable<unknown[]>, c: Collector<unknown[]>) => {
      for (const r of rs) c.collect([...r, r[1] instanceof Date && r[3] instanceof Map && r[4] instanceof Set ? 'classes kept' : 'classes lost']);
    })
    .collect();
  return out.map(describe).sort();
}

test('built-in classes come back with their class and contents at p=1, 2 and 4, unregistered', async () => {
  const expected = Array.from({ length: 40 }, (_, i) => describe([...values(i + 1), 'classes kept'])).sort();
  for (const p of [1, 2, 4]) assert.deepEqual(await roundTrip(p), expected, `p=${p}`);
});

test('a subclass of a built-in class is not taken for it: crossing a thread it is an error naming the class', async () => {
  class Tags extends Set<string> {}
  const env = envAt(2);
  const ds = env.fromElements(1, 2).map((n) => [n, new Tags(['t'])] as [number, Tags]);
  await assert.rejects(ds.rebalance().collect(), (e: unknown) => {
    assert.ok(e instanceof JobExecutionError);
    assert.match(String((e as Error).message) + String((e as Error).cause), /Tags.*registerCustomType/s);
    return true;
  });
});

/** Grouping, distinct, a join and a sort with Date, Map, Set, RegExp and typed-array keys, as text. */
async function keyed(p: number): Promise<Record<string, string[]>> {
  const env = envAt(p);
  const days = env.generateSequence(0, 29).map((n) => [new Date(Date.UTC(2026, 0, 1 + (n % 3))), n] as [Date, number]);
  const byDay = await days
    .groupBy(0)
    .sum(1)
    .map(([d, n]) => `${d.toISOString().slice(0, 10)} ${n}`)
    .collect();
  // Equal contents in another insertion order are one key.
  const maps = await env
    .generateSequence(0, 19)
    .map((n) =>
      n % 2 === 0
        ? new Map<string, number>([
            ['a', n % 4],
            ['b', 1],
          ])
        : new Map<string, number>([
            ['b', 1],
            ['a', n % 4],
          ]),
    )
    .distinct((m) => m)
    .map((m) => [...m].sort().join(';'))
    .collect();
  const sets = await env
    .fromElements([new Set([1, 2]), 'x'], [new Set([2, 1]), 'y'], [new Set([3]), 'z'])
    .groupBy(0)
    .reduceGroup((rs: Iterable<[Set<number>, string]>, out: Collector<string>) => {
      out.collect(
        [...rs]
          .map((r) => r[1])
          .sort()
          .join(''),
      );
    })
    .collect();
  const regexps = await env
    .fromElements(/a/g, /a/g, /a/i, /b/)
    .distinct((r) => r)
    .map(String)
    .collect();
  const arrays = await env
    .fromElements<ArrayBufferView>(Float64Array.of(1, 2), Float64Array.of(1, 2), Int32Array.of(1, 2))
    .distinct((a) => a)
    .map((a) => a.constructor.name)
    .collect();
  const names = env.fromElements<[Date, string]>([new Date(Date.UTC(2026, 0, 1)), 'new year'], [new Date(Date.UTC(2026, 0, 2)), 'second']);
  const joined = await days
    .join(names)
    .where(0)
    .equalTo(0)
    .using((d, n) => `${n[1]} ${d[1]}`)
    .collect();
  const sorted = await env
    .fromElements(new Date(5000), new Date(Number.NaN), new Date(-1000), new Date(200000))
    .sortPartition((d) => d, 'ASCENDING')
    .setParallelism(1)
    .map((d) => String(d.getTime()))
    .setParallelism(1)
    .collect();
  const sort = (xs: string[]) => [...xs].sort();
  return { byDay: sort(byDay), maps: sort(maps), sets: sort(sets), regexps: sort(regexps), arrays: sort(arrays), joined: sort(joined), sorted };
}

test('Date, Map, Set, RegExp and typed arrays are keys by value at p=1, 2 and 4 (grouping, distinct, join, sort)', async () => {
  const expected = {
    byDay: ['2026-01-01 135', '2026-01-02 145', '2026-01-03 155'],
    maps: ['a,0;b,1', 'a,1;b,1', 'a,2;b,1', 'a,3;b,1'],
    sets: ['xy', 'z'],
    regexps: ['/a/g', '/a/i', '/b/'],
    arrays: ['Float64Array', 'Int32Array'],
    joined: [...Array.from({ length: 10 }, (_, i) => `new year ${3 * i}`), ...Array.from({ length: 10 }, (_, i) => `second ${3 * i + 1}`)].sort(),
    sorted: ['-1000', '5000', '200000', 'NaN'],
  };
  for (const p of [1, 2, 4]) assert.deepEqual(await keyed(p), expected, `p=${p}`);
});
