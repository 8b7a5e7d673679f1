/**
 * Partitioning and order: `partitionByHash`, `rebalance` (round-robin),
 * `countElementsPerPartition`, `sortPartition` (chained keys, stable).
 * After Flink's PartitionITCase and SortPartitionITCase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, KeySelector, MapFunction, Order } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import {
  TUPLE3,
  type Tuple3,
  type Tuple5,
  get3TupleDataSet,
  get5TupleDataSet,
  getDuplicatePojoDataSet,
  getGroupSortedNestedTupleDataSet,
  type NestedTuple,
  parallelize,
  type Pojo,
} from './collection-data-sets.ts';

/** Flink's UniqueTupleLongMapper: the distinct values of field 1 in each partition. */
function uniqueLongs(records: Iterable<Tuple3>, out: Collector<number>): void {
  for (const l of new Set([...records].map((t) => t[1]))) out.collect(l);
}

/** Flink's OrderCheckMapper: one `true`/`false` per partition, whether it is in order. */
function orderChecker<T>(inOrder: (a: T, b: T) => boolean) {
  return (values: Iterable<T>): boolean[] => {
    let last: T | undefined;
    let first = true;
    for (const v of values) {
      if (!first && !inOrder(last as T, v)) return [false];
      first = false;
      last = v;
    }
    return [true];
  };
}

/** Tags each element with the index of the parallel instance it passed. */
class TagSubtask<T> extends MapFunction<T, [number, T]> {
  override map(value: T): [number, T] {
    return [this.context.getIndexOfThisSubtask(), value];
  }
}

for (const p of PARALLELISMS) {
  describe(`partitionByHash at p=${p}`, () => {
    test('by a key position: each key in exactly one partition', async () => {
      const result = await get3TupleDataSet(envAt(p)).partitionByHash(1).mapPartition(uniqueLongs).collect();
      assertSameMultiset(result, [1, 2, 3, 4, 5, 6]);
    });

    test('by two key positions, then grouped on them', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .map((t): Tuple3 => [t[0], t[1], t[2].length > 5 ? t[2].slice(0, 5) : t[2]])
        .partitionByHash(1, 2)
        .groupBy(1, 2)
        .sum(0)
        .collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [5, 2, 'Hello'],
        [4, 3, 'Hello'],
        [5, 3, 'I am '],
        [6, 3, 'Luke '],
        [34, 4, 'Comme'],
        [65, 5, 'Comme'],
        [111, 6, 'Comme'],
      ]);
    });

    test('atomic values by a whole-element selector', async () => {
      const env = envAt(p);
      const result = await env
        .generateSequence(1, 6)
        .union(env.generateSequence(1, 6))
        .rebalance()
        .partitionByHash((x) => x)
        .mapPartition((values: Iterable<number>) => [...new Set(values)])
        .collect();
      assertSameMultiset(result, [1, 2, 3, 4, 5, 6]);
    });

    test('by a KeySelector instance', async () => {
      class ByLong extends KeySelector<Tuple3, number> {
        override getKey(t: Tuple3): number {
          return t[1];
        }
      }
      const result = await get3TupleDataSet(envAt(p)).partitionByHash(new ByLong()).mapPartition(uniqueLongs).collect();
      assertSameMultiset(result, [1, 2, 3, 4, 5, 6]);
    });

    test('with its own parallelism (3 and 4, different from the environment)', async () => {
      for (const own of [3, 4]) {
        const result = await get3TupleDataSet(envAt(p)).partitionByHash(1).setParallelism(own).mapPartition(uniqueLongs).setParallelism(own).collect();
        assertSameMultiset(result, [1, 2, 3, 4, 5, 6]);
      }
    });

    test('objects by a dotted path', async () => {
      const result = await getDuplicatePojoDataSet(envAt(p))
        .partitionByHash('nestedPojo.longNumber')
        .mapPartition((values: Iterable<Pojo>) => [...new Set([...values].map((v) => v.nestedPojo.longNumber))])
        .collect();
      assertSameMultiset(result, [10000, 20000, 30000]);
    });

    test('records with equal keys meet in the same instance', async () => {
      const result = await envAt(p)
        .generateSequence(1, 200)
        .map((n): [number, number] => [n % 7, n])
        .partitionByHash(0)
        .map(new TagSubtask<[number, number]>())
        .collect();
      const instanceOfKey = new Map<number, number>();
      for (const [subtask, [key]] of result) {
        assert.ok(subtask >= 0 && subtask < p);
        const seen = instanceOfKey.get(key);
        if (seen === undefined) instanceOfKey.set(key, subtask);
        else assert.equal(subtask, seen, `key ${key} went to instances ${seen} and ${subtask}`);
      }
      assert.equal(instanceOfKey.size, 7);
    });
  });

  describe(`rebalance at p=${p}`, () => {
    test('round-robin: partition sizes differ by at most one per producer', async () => {
      const env = envAt(p);
      // a skewed parallel source: the filter leaves the first instance empty at p=4
      const result = await env
        .generateSequence(1, 3000)
        .filter((v) => v > 780)
        .map(new TagSubtask<number>())
        .rebalance()
        .map(new TagSubtask<[number, number]>())
        .collect();
      assert.equal(result.length, 2220);
      const counts = new Map<string, number>();
      for (const [consumer, [producer]] of result) counts.set(`${producer}/${consumer}`, (counts.get(`${producer}/${consumer}`) ?? 0) + 1);
      for (let producer = 0; producer < p; producer++) {
        const sizes = Array.from({ length: p }, (_, consumer) => counts.get(`${producer}/${consumer}`) ?? 0);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `producer ${producer} sent ${sizes.join(', ')}`);
      }
      const totals = Array.from({ length: p }, (_, c) => result.filter(([consumer]) => consumer === c).length);
      assert.ok(Math.max(...totals) - Math.min(...totals) <= p, `partition sizes ${totals.join(', ')}`);
      assert.equal(
        totals.reduce((a, b) => a + b, 0),
        2220,
      );
    });

    test('from one producer: sizes differ by at most one', async () => {
      const result = await get3TupleDataSet(envAt(p)).rebalance().countElementsPerPartition().collect();
      const sizes = result.map(([, n]) => n).sort((a, b) => a - b);
      if (p === 1) assert.deepEqual(result, [[0, 21]]);
      else assert.deepEqual(sizes, [5, 5, 5, 6]);
    });

    test('keeps every element', async () => {
      const result = await get3TupleDataSet(envAt(p)).rebalance().collect();
      assertSameMultiset(result, TUPLE3);
    });
  });

  describe(`countElementsPerPartition at p=${p}`, () => {
    test('[subtaskIndex, count] per non-empty partition, counts summing to the size', async () => {
      const result = await envAt(p).generateSequence(1, 1000).countElementsPerPartition().collect();
      assert.equal(result.length, p);
      assert.deepEqual(
        result.map(([i]) => i).sort(),
        Array.from({ length: p }, (_, i) => i),
      );
      assert.equal(
        result.reduce((s, [, n]) => s + n, 0),
        1000,
      );
      for (const [, n] of result) assert.equal(n, 1000 / p);
    });

    test('empty partitions are left out', async () => {
      const result = await envAt(p)
        .generateSequence(1, 100)
        .filter((n) => n <= 10)
        .countElementsPerPartition()
        .collect();
      assert.deepEqual(result, [[0, 10]]);
    });

    test('a collection read by one instance', async () => {
      const result = await get3TupleDataSet(envAt(p)).countElementsPerPartition().collect();
      assert.deepEqual(result, [[0, 21]]);
    });
  });

  describe(`sortPartition at p=${p}`, () => {
    test('by a key position, descending', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .sortPartition(1, Order.DESCENDING)
        .mapPartition(orderChecker<Tuple3>((a, b) => a[1] >= b[1]))
        .distinct()
        .collect();
      assert.deepEqual(result, [true]);
    });

    test('by two key positions: chained calls add a secondary key', async () => {
      const result = await parallelize(get5TupleDataSet(envAt(p)))
        .sortPartition(4, Order.ASCENDING)
        .sortPartition(2, Order.DESCENDING)
        .mapPartition(orderChecker<Tuple5>((a, b) => a[4] < b[4] || (a[4] === b[4] && a[2] >= b[2])))
        .distinct()
        .collect();
      assert.deepEqual(result, [true]);
    });

    test('by selectors into nested tuples: ascending then descending', async () => {
      const result = await parallelize(getGroupSortedNestedTupleDataSet(envAt(p)))
        .sortPartition((t) => t[0][1], Order.ASCENDING)
        .sortPartition((t) => t[1], Order.DESCENDING)
        .mapPartition(orderChecker<NestedTuple>((a, b) => a[0][1] < b[0][1] || (a[0][1] === b[0][1] && a[1] >= b[1])))
        .distinct()
        .collect();
      assert.deepEqual(result, [true]);
    });

    test('objects by dotted paths', async () => {
      const result = await parallelize(getDuplicatePojoDataSet(envAt(p)))
        .sortPartition('nestedTupleWithCustom.1.myString', Order.ASCENDING)
        .sortPartition('number', Order.DESCENDING)
        .mapPartition(
          orderChecker<Pojo>((a, b) => {
            const x = a.nestedTupleWithCustom[1].myString;
            const y = b.nestedTupleWithCustom[1].myString;
            return x < y || (x === y && a.number >= b.number);
          }),
        )
        .distinct()
        .collect();
      assert.deepEqual(result, [true]);
    });

    test('with its own parallelism', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .sortPartition(1, Order.DESCENDING)
        .setParallelism(3)
        .mapPartition(orderChecker<Tuple3>((a, b) => a[1] >= b[1]))
        .setParallelism(3)
        .collect();
      assert.deepEqual(result, [true, true, true]);
    });

    test('by a KeySelector instance, ascending; by a selector returning a tuple, descending', async () => {
      class ByLong extends KeySelector<Tuple3, number> {
        override getKey(t: Tuple3): number {
          return t[1];
        }
      }
      const asc = await parallelize(get3TupleDataSet(envAt(p)))
        .sortPartition(new ByLong(), Order.ASCENDING)
        .mapPartition(orderChecker<Tuple3>((a, b) => a[1] <= b[1]))
        .distinct()
        .collect();
      assert.deepEqual(asc, [true]);
      const desc = await parallelize(get3TupleDataSet(envAt(p)))
        .sortPartition((t) => [t[0], t[1]], Order.DESCENDING)
        .mapPartition(orderChecker<Tuple3>((a, b) => a[0] >= b[0]))
        .distinct()
        .collect();
      assert.deepEqual(desc, [true]);
    });

    test('stable: equal keys keep their input order', async () => {
      const result = await get3TupleDataSet(envAt(p)).sortPartition(1, Order.DESCENDING).setParallelism(1).collect();
      assert.deepEqual(
        result.map((t) => t[0]),
        [16, 17, 18, 19, 20, 21, 11, 12, 13, 14, 15, 7, 8, 9, 10, 4, 5, 6, 2, 3, 1],
      );
    });

    test('one partition holds the whole set in order', async () => {
      const result = await parallelize(get5TupleDataSet(envAt(p)))
        .sortPartition(3, Order.ASCENDING)
        .setParallelism(1)
        .collect();
      assert.deepEqual(
        result.map((t) => t[3]),
        ['ABC', 'BCD', 'CDE', 'DEF', 'EFG', 'FGH', 'GHI', 'HIJ', 'Hallo', 'Hallo Welt', 'Hallo Welt wie', 'Hallo Welt wie gehts?', 'IJK', 'JKL', 'KLM'],
      );
    });
  });
}
