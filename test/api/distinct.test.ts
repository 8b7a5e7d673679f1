/** `distinct(...keys?)`: whole elements, or one element per key (cases after Flink's DistinctITCase). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeySelector } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import {
  STRINGS,
  TUPLE5,
  type Tuple5,
  get5TupleDataSet,
  getCustomTypeDataSet,
  getDuplicatePojoDataSet,
  getIntegerDataSet,
  getSmall3TupleDataSet,
  getSmall5TupleDataSet,
  getStringDataSet,
} from './collection-data-sets.ts';

const SMALL_TUPLE3_EXPECTED = [
  [1, 1, 'Hi'],
  [2, 2, 'Hello'],
  [3, 2, 'Hello world'],
];

for (const p of PARALLELISMS) {
  describe(`distinct at p=${p}`, () => {
    test('on all key positions', async () => {
      const ds = getSmall3TupleDataSet(envAt(p));
      const result = await ds.union(ds).distinct(0, 1, 2).collect();
      assertSameMultiset(result, SMALL_TUPLE3_EXPECTED);
    });

    test('on one of several positions', async () => {
      const ds = getSmall5TupleDataSet(envAt(p));
      const result = await ds.union(ds).distinct(0).project(0).collect();
      assertSameMultiset(result, [[1], [2]]);
    });

    test('by a KeySelector instance', async () => {
      class First extends KeySelector<Tuple5, number> {
        override getKey(t: Tuple5): number {
          return t[0];
        }
      }
      const ds = getSmall5TupleDataSet(envAt(p));
      const result = await ds.union(ds).distinct(new First()).project(0).collect();
      assertSameMultiset(result, [[1], [2]]);
    });

    test('objects by a selector function', async () => {
      const result = await getCustomTypeDataSet(envAt(p))
        .distinct((c) => c.myInt)
        .map((c): [number] => [c.myInt])
        .collect();
      assertSameMultiset(result, [[1], [2], [3], [4], [5], [6]]);
    });

    test('whole tuples', async () => {
      const ds = getSmall3TupleDataSet(envAt(p));
      const result = await ds.union(ds).distinct().collect();
      assertSameMultiset(result, SMALL_TUPLE3_EXPECTED);
    });

    test('by a selector returning a tuple (compared by value)', async () => {
      const result = await get5TupleDataSet(envAt(p))
        .distinct((t) => [t[0], t[4]])
        .project(0, 4)
        .collect();
      assertSameMultiset(result, [
        [1, 1],
        [2, 1],
        [2, 2],
        [3, 2],
        [3, 3],
        [4, 1],
        [4, 2],
        [5, 1],
        [5, 2],
        [5, 3],
      ]);
    });

    test('objects by a dotted path', async () => {
      const result = await getDuplicatePojoDataSet(envAt(p))
        .distinct('nestedPojo.longNumber')
        .map((pojo) => pojo.nestedPojo.longNumber)
        .collect();
      assertSameMultiset(result, [10000, 20000, 30000]);
    });

    test('whole objects (deep equality, never identity)', async () => {
      const result = await getDuplicatePojoDataSet(envAt(p))
        .distinct()
        .map((pojo) => pojo.nestedPojo.longNumber)
        .collect();
      assertSameMultiset(result, [10000, 20000, 30000]);
    });

    test('atomic values', async () => {
      const result = await getIntegerDataSet(envAt(p)).distinct().collect();
      assertSameMultiset(result, [1, 2, 3, 4, 5]);
    });

    test('strings, by the whole element as a selector', async () => {
      const ds = getStringDataSet(envAt(p));
      const result = await ds
        .union(ds)
        .distinct((s) => s)
        .collect();
      assertSameMultiset(result, STRINGS);
    });

    test('by a key: exactly one element of each key, and it is an element of that key', async () => {
      const result = await get5TupleDataSet(envAt(p)).rebalance().distinct(4).collect();
      assert.deepEqual(result.map((t) => t[4]).sort(), [1, 2, 3]);
      for (const t of result)
        assert.ok(
          TUPLE5.some((u) => u.every((v, i) => v === t[i])),
          `${JSON.stringify(t)} is not an input element`,
        );
    });

    test('nested tuples and byte arrays compare by value', async () => {
      const env = envAt(p);
      const nested = await env
        .fromElements<[[number, number], string]>([[1, 2], 'a'], [[1, 2], 'a'], [[2, 1], 'a'])
        .distinct()
        .collect();
      assertSameMultiset(nested, [
        [[1, 2], 'a'],
        [[2, 1], 'a'],
      ]);
      const bytes = await env
        .fromElements(new Uint8Array([1, 2]), new Uint8Array([1, 2]), new Uint8Array([2]))
        .distinct()
        .collect();
      assertSameMultiset(bytes, [new Uint8Array([1, 2]), new Uint8Array([2])]);
    });

    test('objects with the same fields in another order are the same element', async () => {
      const result = await envAt(p).fromElements<Record<string, number>>({ a: 1, b: 2 }, { b: 2, a: 1 }, { a: 1, b: 3 }).distinct().collect();
      assertSameMultiset(result, [
        { a: 1, b: 2 },
        { a: 1, b: 3 },
      ]);
    });

    test('null, "null" and 0 are three different elements', async () => {
      const result = await envAt(p).fromElements<number | string | null>(null, 'null', 0, null, 'null', 0).distinct().collect();
      assertSameMultiset(result, [null, 'null', 0]);
    });

    test('on an empty input: nothing', async () => {
      const result = await getIntegerDataSet(envAt(p))
        .filter(() => false)
        .distinct()
        .collect();
      assertSameMultiset(result, []);
    });
  });
}
