/**
 * Date, Map, Set, RegExp, bigint, typed arrays and ArrayBuffer are values at every parallelism,
 * without registerCustomType: the same results at p=1 (one thread, no serialization) as at
 * p=2 and 4 (worker threads, every record through the binary format), and a subclass of one of
 * them the same clear error wherever it has to cross. The Flink target's run is in
 * test/flink/flink-target.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobExecutionError } from '../../src/index.ts';
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
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${k}:${describe(x)}`).join(',')}}`;
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
    .reduceGroup((rs: Iterable<unknown[]>, c) => {
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
