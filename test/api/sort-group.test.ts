/**
 * `sortGroup(field, Order)` on groupings (chainable, stable, every key kind) with
 * `reduceGroup` and `first`. After the sorted cases of Flink's GroupReduceITCase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, GroupReduceFunction, KeySelector, Order } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import {
  type CustomType,
  type NestedTuple,
  type Tuple3,
  type Tuple5,
  get3TupleDataSet,
  get5TupleDataSet,
  getCustomTypeDataSet,
  getGroupSortedNestedTupleDataSet,
  parallelize,
} from './collection-data-sets.ts';

/** Flink's Tuple3SortedGroupReduce: sums field 0 and joins field 2 with '-' in group order. */
function tuple3SortedGroupReduce(values: Iterable<Tuple3>, out: Collector<Tuple3>): void {
  let sum = 0;
  let key = 0;
  const concat: string[] = [];
  for (const t of values) {
    sum += t[0];
    key = t[1];
    concat.push(t[2]);
  }
  out.collect([sum, key, concat.join('-')]);
}

/** Flink's NestedTupleReducer: `<f1>--` then every nested tuple in group order. */
function nestedTupleReducer(values: Iterable<NestedTuple>, out: Collector<string>): void {
  let s = '';
  for (const [[a, b], name] of values) {
    if (s === '') s = `${name}--`;
    s += `(${a},${b})-`;
  }
  out.collect(s);
}

const ASCENDING: Tuple3[] = [
  [1, 1, 'Hi'],
  [5, 2, 'Hello-Hello world'],
  [15, 3, 'Hello world, how are you?-I am fine.-Luke Skywalker'],
  [34, 4, 'Comment#1-Comment#2-Comment#3-Comment#4'],
  [65, 5, 'Comment#5-Comment#6-Comment#7-Comment#8-Comment#9'],
  [111, 6, 'Comment#10-Comment#11-Comment#12-Comment#13-Comment#14-Comment#15'],
];

const DESCENDING: Tuple3[] = [
  [1, 1, 'Hi'],
  [5, 2, 'Hello world-Hello'],
  [15, 3, 'Luke Skywalker-I am fine.-Hello world, how are you?'],
  [34, 4, 'Comment#4-Comment#3-Comment#2-Comment#1'],
  [65, 5, 'Comment#9-Comment#8-Comment#7-Comment#6-Comment#5'],
  [111, 6, 'Comment#15-Comment#14-Comment#13-Comment#12-Comment#11-Comment#10'],
];

for (const p of PARALLELISMS) {
  describe(`sortGroup at p=${p}`, () => {
    test('ascending on a position, with reduceGroup', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup(2, Order.ASCENDING)
        .reduceGroup(tuple3SortedGroupReduce)
        .collect();
      assertSameMultiset(result, ASCENDING);
    });

    test('descending on a position, with reduceGroup', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup(2, Order.DESCENDING)
        .reduceGroup(tuple3SortedGroupReduce)
        .collect();
      assertSameMultiset(result, DESCENDING);
    });

    test('group and sort keys given as KeySelector instances', async () => {
      class ByLong extends KeySelector<Tuple3, number> {
        override getKey(t: Tuple3): number {
          return t[1];
        }
      }
      class ByString extends KeySelector<Tuple3, string> {
        override getKey(t: Tuple3): string {
          return t[2];
        }
      }
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(new ByLong())
        .sortGroup(new ByString(), Order.DESCENDING)
        .reduceGroup(tuple3SortedGroupReduce)
        .collect();
      assertSameMultiset(result, DESCENDING);
    });

    test('objects grouped by a selector returning a tuple, sorted by a selector', async () => {
      const result = await parallelize(getCustomTypeDataSet(envAt(p)))
        .groupBy((c) => [c.myInt, c.myInt])
        .sortGroup((c) => c.myString, Order.DESCENDING)
        .reduceGroup((values: Iterable<CustomType>) => {
          const all = [...values];
          return [{ myInt: all[0]!.myInt, myLong: all.reduce((s, c) => s + c.myLong, 0), myString: all.map((c) => c.myString).join('-') }];
        })
        .collect();
      assertSameMultiset(result, [
        { myInt: 1, myLong: 0, myString: 'Hi' },
        { myInt: 2, myLong: 3, myString: 'Hello world-Hello' },
        { myInt: 3, myLong: 12, myString: 'Luke Skywalker-I am fine.-Hello world, how are you?' },
        { myInt: 4, myLong: 30, myString: 'Comment#4-Comment#3-Comment#2-Comment#1' },
        { myInt: 5, myLong: 60, myString: 'Comment#9-Comment#8-Comment#7-Comment#6-Comment#5' },
        { myInt: 6, myLong: 105, myString: 'Comment#15-Comment#14-Comment#13-Comment#12-Comment#11-Comment#10' },
      ]);
    });

    test('objects: group and sort by field names', async () => {
      const result = await parallelize(getCustomTypeDataSet(envAt(p)))
        .groupBy('myInt')
        .sortGroup('myLong', Order.DESCENDING)
        .first(1)
        .map((c) => [c.myInt, c.myLong])
        .collect();
      assertSameMultiset(result, [
        [1, 0],
        [2, 2],
        [3, 5],
        [4, 9],
        [5, 14],
        [6, 20],
      ]);
    });

    test('a combinable group-reduce: combine() also sees its part of the group in order', async () => {
      class FirstInOrder extends GroupReduceFunction<Tuple3, Tuple3> {
        private static check(values: Iterable<Tuple3>): Tuple3 {
          let first: Tuple3 | undefined;
          let last = -Infinity;
          for (const t of values) {
            assert.ok(t[0] >= last, `group not in order: ${t[0]} after ${last}`);
            last = t[0];
            first ??= t;
          }
          return first!;
        }
        override combine(values: Iterable<Tuple3>, out: Collector<Tuple3>): void {
          out.collect(FirstInOrder.check(values));
        }
        override reduce(values: Iterable<Tuple3>, out: Collector<Tuple3>): void {
          out.collect(FirstInOrder.check(values));
        }
      }
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup(0, Order.ASCENDING)
        .reduceGroup(new FirstInOrder())
        .collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
        [4, 3, 'Hello world, how are you?'],
        [7, 4, 'Comment#1'],
        [11, 5, 'Comment#5'],
        [16, 6, 'Comment#10'],
      ]);
    });

    test('a sort key that is a selector returning a tuple (descending)', async () => {
      const result = await parallelize(get5TupleDataSet(envAt(p)))
        .groupBy((t) => t[0])
        .sortGroup((t) => [t[4], t[2]], Order.DESCENDING)
        .reduceGroup((values: Iterable<Tuple5>, out: Collector<Tuple5>) => {
          let i = 0;
          let l = 0;
          let l2 = 0;
          const concat: string[] = [];
          for (const t of values) {
            i = t[0];
            l += t[1];
            concat.push(t[3]);
            l2 = t[4];
          }
          out.collect([i, l, 0, concat.join('-'), l2]);
        })
        .collect();
      assertSameMultiset(result, [
        [1, 1, 0, 'Hallo', 1],
        [2, 5, 0, 'Hallo Welt-Hallo Welt wie', 1],
        [3, 15, 0, 'BCD-ABC-Hallo Welt wie gehts?', 2],
        [4, 34, 0, 'FGH-CDE-EFG-DEF', 1],
        [5, 65, 0, 'IJK-HIJ-KLM-JKL-GHI', 1],
      ]);
    });

    test('a position naming a nested tuple sorts by the whole nested tuple', async () => {
      const result = await parallelize(getGroupSortedNestedTupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup(0, Order.DESCENDING)
        .reduceGroup(nestedTupleReducer)
        .collect();
      assertSameMultiset(result, ['a--(2,1)-(1,3)-(1,2)-', 'b--(2,2)-', 'c--(4,9)-(3,6)-(3,3)-']);
    });

    test('chained sort keys: ascending, then ascending', async () => {
      const result = await parallelize(getGroupSortedNestedTupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup((t) => t[0][0], Order.ASCENDING)
        .sortGroup((t) => t[0][1], Order.ASCENDING)
        .reduceGroup(nestedTupleReducer)
        .collect();
      assertSameMultiset(result, ['a--(1,2)-(1,3)-(2,1)-', 'b--(2,2)-', 'c--(3,3)-(3,6)-(4,9)-']);
    });

    test('chained sort keys: descending, then descending', async () => {
      const result = await parallelize(getGroupSortedNestedTupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup((t) => t[0][0], Order.DESCENDING)
        .sortGroup((t) => t[0][1], Order.DESCENDING)
        .reduceGroup(nestedTupleReducer)
        .collect();
      assertSameMultiset(result, ['a--(2,1)-(1,3)-(1,2)-', 'b--(2,2)-', 'c--(4,9)-(3,6)-(3,3)-']);
    });

    test('stable: elements with equal sort keys keep their arrival order', async () => {
      // one producer (the collection source), so arrival order is the input order within each group
      const result = await getGroupSortedNestedTupleDataSet(envAt(p))
        .groupBy(1)
        .sortGroup((t) => t[0][0], Order.DESCENDING)
        .reduceGroup(nestedTupleReducer)
        .collect();
      assertSameMultiset(result, ['a--(2,1)-(1,3)-(1,2)-', 'b--(2,2)-', 'c--(4,9)-(3,3)-(3,6)-']);
    });

    test('mixed chained keys: a position descending then a field ascending', async () => {
      const result = await parallelize(get5TupleDataSet(envAt(p)))
        .groupBy(4)
        .sortGroup(0, Order.DESCENDING)
        .sortGroup(1, Order.ASCENDING)
        .reduceGroup((values: Iterable<Tuple5>) => [[...values].map((t) => `${t[0]}.${t[1]}`).join(' ')])
        .collect();
      assertSameMultiset(result, ['5.11 4.8 4.9 2.3 1.1', '5.14 5.15 4.7 4.10 3.4 3.5 2.2', '5.12 5.13 3.6']);
    });

    test('first(n) per group respects the group order', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(1)
        .sortGroup(2, Order.ASCENDING)
        .first(2)
        .map((t) => t[2])
        .collect();
      assertSameMultiset(result, ['Hi', 'Hello', 'Hello world', 'Hello world, how are you?', 'I am fine.', 'Comment#1', 'Comment#2', 'Comment#5', 'Comment#6', 'Comment#10', 'Comment#11']);
    });

    test('a combinable plain function with a group order', async () => {
      const concat = (values: Iterable<[number, string]>, out: Collector<[number, string]>): void => {
        let key = 0;
        const parts: string[] = [];
        for (const [k, s] of values) {
          key = k;
          parts.push(s);
        }
        out.collect([key, parts.join('')]);
      };
      const data: [number, string][] = ['c', 'a', 'd', 'b', 'e', 'f'].map((s, i) => [i % 2, s]);
      const result = await envAt(p).fromCollection(data).groupBy(0).sortGroup(1, Order.ASCENDING).reduceGroup(concat, { combinable: true }).collect();
      // one producer (the collection source): its combiner sees whole groups, in order
      assertSameMultiset(result, [
        [0, 'cde'],
        [1, 'abf'],
      ]);
    });
  });
}
