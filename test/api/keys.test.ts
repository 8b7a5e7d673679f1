/**
 * Keys: positions, composite positions, field names and dotted paths on objects,
 * selector functions and `KeySelector` instances; a position naming a nested tuple keys on the
 * whole nested tuple; keys compare by value, never identity; null is a key like any other.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeySelector } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { type CustomType, type Tuple3, get3TupleDataSet, get5TupleDataSet, getCustomTypeDataSet, getDuplicatePojoDataSet } from './collection-data-sets.ts';

/** Counts per group, as `[key, count]`, with the key taken by `keyOf` from any element. */
function counting<T, K>(keyOf: (t: T) => K) {
  return (values: Iterable<T>): [K, number][] => {
    let key: K | undefined;
    let n = 0;
    for (const v of values) {
      key = keyOf(v);
      n++;
    }
    return [[key as K, n]];
  };
}

const COUNTS_BY_LONG: [number, number][] = [
  [1, 1],
  [2, 2],
  [3, 3],
  [4, 4],
  [5, 5],
  [6, 6],
];

interface Nested {
  a: { b: { c: { d: string } } };
  n: number;
}

for (const p of PARALLELISMS) {
  describe(`keys at p=${p}`, () => {
    test('one position', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(1)
        .reduceGroup(counting((t: Tuple3) => t[1]))
        .collect();
      assertSameMultiset(result, COUNTS_BY_LONG);
    });

    test('composite positions', async () => {
      const result = await get5TupleDataSet(envAt(p))
        .groupBy(0, 4)
        .reduceGroup(counting((t) => `${t[0]}/${t[4]}`))
        .collect();
      assertSameMultiset(result, [
        ['1/1', 1],
        ['2/1', 1],
        ['2/2', 1],
        ['3/2', 2],
        ['3/3', 1],
        ['4/1', 2],
        ['4/2', 2],
        ['5/1', 1],
        ['5/2', 2],
        ['5/3', 2],
      ]);
    });

    test('a field name on objects', async () => {
      const result = await getCustomTypeDataSet(envAt(p))
        .groupBy('myInt')
        .reduceGroup(counting((c: CustomType) => c.myInt))
        .collect();
      assertSameMultiset(result, COUNTS_BY_LONG);
    });

    test('a dotted path on objects', async () => {
      const result = await getDuplicatePojoDataSet(envAt(p))
        .groupBy('nestedPojo.longNumber')
        .reduceGroup(counting((x) => x.nestedPojo.longNumber))
        .collect();
      assertSameMultiset(result, [
        [10000, 5],
        [20000, 1],
        [30000, 2],
      ]);
    });

    test('a deep dotted path', async () => {
      const data: Nested[] = ['aa', 'bb', 'bb', 'cc', 'cc', 'cc'].map((d, n) => ({ a: { b: { c: { d } } }, n }));
      const result = await envAt(p)
        .fromCollection(data)
        .groupBy('a.b.c.d')
        .reduceGroup(counting((x) => x.a.b.c.d))
        .collect();
      assertSameMultiset(result, [
        ['aa', 1],
        ['bb', 2],
        ['cc', 3],
      ]);
    });

    test('several field names and paths', async () => {
      const data = [
        { k: 'x', o: { v: 1 }, w: 1 },
        { k: 'x', o: { v: 1 }, w: 2 },
        { k: 'x', o: { v: 2 }, w: 3 },
        { k: 'y', o: { v: 1 }, w: 4 },
      ];
      const result = await envAt(p)
        .fromCollection(data)
        .groupBy('k', 'o.v')
        .reduceGroup((values: Iterable<(typeof data)[number]>) => [[...values].reduce((s, x) => s + x.w, 0)])
        .collect();
      assertSameMultiset(result, [3, 3, 4]);
    });

    test('a key-selector function', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy((t) => t[1])
        .reduceGroup(counting((t: Tuple3) => t[1]))
        .collect();
      assertSameMultiset(result, COUNTS_BY_LONG);
    });

    test('a KeySelector instance', async () => {
      class ByLong extends KeySelector<Tuple3, number> {
        override getKey(t: Tuple3): number {
          return t[1];
        }
      }
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(new ByLong())
        .reduceGroup(counting((t: Tuple3) => t[1]))
        .collect();
      assertSameMultiset(result, COUNTS_BY_LONG);
    });

    test('a position naming a nested tuple keys on the whole nested tuple', async () => {
      const result = await envAt(p)
        .fromElements<[[number, number], string]>([[1, 2], 'x'], [[1, 2], 'y'], [[1, 3], 'z'], [[2, 1], 'w'])
        .groupBy(0)
        .reduceGroup(counting((t: [[number, number], string]) => t[0]))
        .collect();
      assertSameMultiset(result, [
        [[1, 2], 2],
        [[1, 3], 1],
        [[2, 1], 1],
      ]);
    });

    test('keys compare by value: selectors returning fresh tuples and objects', async () => {
      const env = envAt(p);
      const byTuple = await get5TupleDataSet(env)
        .groupBy((t) => [t[0], t[4]])
        .reduceGroup(counting(() => 0))
        .count();
      assert.equal(byTuple, 10);
      const byObject = await get5TupleDataSet(env)
        .groupBy((t) => ({ first: t[0], last: t[4] }))
        .reduceGroup(counting(() => 0))
        .count();
      assert.equal(byObject, 10);
    });

    test('keys compare by value: byte arrays', async () => {
      const result = await envAt(p)
        .fromElements<[Uint8Array, number]>(
          [new Uint8Array([0, 4]), 1],
          [new Uint8Array([2, 0]), 1],
          [new Uint8Array([2, 0, 4]), 4],
          [new Uint8Array([2, 1]), 3],
          [new Uint8Array([0]), 0],
          [new Uint8Array([2, 0]), 1],
        )
        .groupBy(0)
        .reduceGroup((values: Iterable<[Uint8Array, number]>) => [[...values].reduce((s, v) => s + v[1], 0)])
        .collect();
      assertSameMultiset(result, [0, 1, 2, 3, 4]);
    });

    test('null is a key like any other, distinct from "null" and 0', async () => {
      const result = await envAt(p).fromElements<[string | number | null, number]>([null, 1], [null, 2], ['null', 4], [0, 8], [null, 16]).groupBy(0).sum(1).collect();
      assertSameMultiset(result, [
        [null, 19],
        ['null', 4],
        [0, 8],
      ]);
    });

    test('null keys from a selector and in joins', async () => {
      const env = envAt(p);
      const left = env.fromElements<[string | null, string]>([null, 'l1'], ['a', 'l2']);
      const right = env.fromElements<[string | null, string]>([null, 'r1'], ['a', 'r2'], ['null', 'r3']);
      const joined = await left
        .join(right)
        .where(0)
        .equalTo((r) => r[0])
        .using((l, r) => l[1] + r[1])
        .collect();
      assertSameMultiset(joined, ['l1r1', 'l2r2']);
    });

    test('a string key "1" and a number key 1 are different', async () => {
      const result = await envAt(p).fromElements<[string | number, number]>(['1', 1], [1, 2], ['1', 4]).groupBy(0).sum(1).collect();
      assertSameMultiset(result, [
        ['1', 5],
        [1, 2],
      ]);
    });

    test('the same key kinds work for distinct, partitionByHash and join', async () => {
      const env = envAt(p);
      const objects = getCustomTypeDataSet(env);
      assert.equal(await objects.distinct('myInt').count(), 6);
      assert.equal(
        await objects
          .partitionByHash((c) => c.myInt)
          .mapPartition((values: Iterable<CustomType>) => [...new Set([...values].map((c) => c.myInt))])
          .count(),
        6,
      );
      assert.equal(await objects.join(get3TupleDataSet(env)).where('myLong').equalTo(0).count(), 20);
    });

    test('a position out of range is a compile error on a fixed tuple type', () => {
      const ds = get3TupleDataSet(envAt(p));
      // Only type-checked: the call would fail at run time (no such field).
      const typeOnly = (): unknown =>
        // @ts-expect-error -- a 3-tuple has no field 5
        ds.groupBy(5);
      assert.equal(typeof typeOnly, 'function');
    });
  });
}
