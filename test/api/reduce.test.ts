/**
 * `reduce`: full set → one element (none for an empty set), grouped → one per group;
 * always combined before the shuffle. Cases after Flink's ReduceITCase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeySelector, ReduceFunction, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { type CustomType, TUPLE3_SUM_BY_KEY, type Tuple3, type Tuple5, broadcastSum, get3TupleDataSet, get5TupleDataSet, getCustomTypeDataSet, getIntegerDataSet } from './collection-data-sets.ts';

/** Flink's Tuple3Reduce: sums field 0, keeps field 1, replaces field 2; fills and returns one object. */
class Tuple3Reduce extends ReduceFunction<Tuple3> {
  private readonly out: Tuple3 = [0, 0, ''];
  private readonly f2Replace: string;
  constructor(f2Replace: string) {
    super();
    this.f2Replace = f2Replace;
  }
  override reduce(in1: Tuple3, in2: Tuple3): Tuple3 {
    this.out[0] = in1[0] + in2[0];
    this.out[1] = in1[1];
    this.out[2] = this.f2Replace;
    return this.out;
  }
}

/** Flink's Tuple5Reduce. */
const tuple5Reduce = (in1: Tuple5, in2: Tuple5): Tuple5 => [in1[0], in1[1] + in2[1], 0, 'P-)', in1[4]];

const TUPLE5_BY_0_AND_4: Tuple5[] = [
  [1, 1, 0, 'Hallo', 1],
  [2, 3, 2, 'Hallo Welt wie', 1],
  [2, 2, 1, 'Hallo Welt', 2],
  [3, 9, 0, 'P-)', 2],
  [3, 6, 5, 'BCD', 3],
  [4, 17, 0, 'P-)', 1],
  [4, 17, 0, 'P-)', 2],
  [5, 11, 10, 'GHI', 1],
  [5, 29, 0, 'P-)', 2],
  [5, 25, 0, 'P-)', 3],
];

const TUPLE3_BY_1: Tuple3[] = [
  [1, 1, 'Hi'],
  [5, 2, 'B-)'],
  [15, 3, 'B-)'],
  [34, 4, 'B-)'],
  [65, 5, 'B-)'],
  [111, 6, 'B-)'],
];

for (const p of PARALLELISMS) {
  describe(`reduce at p=${p}`, () => {
    test('grouped on a key position, with a function that reuses its output object', async () => {
      const result = await get3TupleDataSet(envAt(p)).groupBy(1).reduce(new Tuple3Reduce('B-)')).collect();
      assertSameMultiset(result, TUPLE3_BY_1);
    });

    test('grouped on two key positions (4, 0)', async () => {
      const result = await get5TupleDataSet(envAt(p)).groupBy(4, 0).reduce(tuple5Reduce).collect();
      assertSameMultiset(result, TUPLE5_BY_0_AND_4);
    });

    test('grouped by a KeySelector instance', async () => {
      class ByLong extends KeySelector<Tuple3, number> {
        override getKey(t: Tuple3): number {
          return t[1];
        }
      }
      const result = await get3TupleDataSet(envAt(p)).groupBy(new ByLong()).reduce(new Tuple3Reduce('B-)')).collect();
      assertSameMultiset(result, TUPLE3_BY_1);
    });

    test('objects grouped by a key-selector function', async () => {
      const out: CustomType = { myInt: 0, myLong: 0, myString: '' };
      const result = await getCustomTypeDataSet(envAt(p))
        .groupBy((c) => c.myInt)
        .reduce((a, b) => {
          out.myInt = a.myInt;
          out.myLong = a.myLong + b.myLong;
          out.myString = 'Hello!';
          return out;
        })
        .collect();
      assertSameMultiset(result, [
        { myInt: 1, myLong: 0, myString: 'Hi' },
        { myInt: 2, myLong: 3, myString: 'Hello!' },
        { myInt: 3, myLong: 12, myString: 'Hello!' },
        { myInt: 4, myLong: 30, myString: 'Hello!' },
        { myInt: 5, myLong: 60, myString: 'Hello!' },
        { myInt: 6, myLong: 105, myString: 'Hello!' },
      ]);
    });

    test('full-set reduce of tuples', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .reduce((a, b): Tuple3 => [a[0] + b[0], a[1] + b[1], 'Hello World'])
        .collect();
      assertSameMultiset(result, [[231, 91, 'Hello World']]);
    });

    test('full-set reduce of objects', async () => {
      const result = await getCustomTypeDataSet(envAt(p))
        .reduce((a, b) => ({ myInt: a.myInt + b.myInt, myLong: a.myLong + b.myLong, myString: 'Hello!' }))
        .collect();
      assertSameMultiset(result, [{ myInt: 91, myLong: 210, myString: 'Hello!' }]);
    });

    test('full-set reduce of a parallel set (combined per partition first)', async () => {
      const result = await envAt(p)
        .generateSequence(1, 1000)
        .reduce((a, b) => a + b)
        .collect();
      assert.deepEqual(result, [500500]);
    });

    test('a rich reduce function reads a broadcast set', async () => {
      class BroadcastReduce extends ReduceFunction<Tuple3> {
        private f2Replace = '';
        override open(ctx: RuntimeContext): void {
          this.f2Replace = String(broadcastSum(ctx));
        }
        override reduce(a: Tuple3, b: Tuple3): Tuple3 {
          return [a[0] + b[0], a[1], this.f2Replace];
        }
      }
      const env = envAt(p);
      const result = await get3TupleDataSet(env).groupBy(1).reduce(new BroadcastReduce()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [5, 2, '55'],
        [15, 3, '55'],
        [34, 4, '55'],
        [65, 5, '55'],
        [111, 6, '55'],
      ]);
    });

    test('grouped by a selector returning a tuple (compared by value)', async () => {
      const result = await get5TupleDataSet(envAt(p))
        .groupBy((t) => [t[0], t[4]])
        .reduce(tuple5Reduce)
        .collect();
      assertSameMultiset(result, TUPLE5_BY_0_AND_4);
    });

    test('a function that adds into its first argument and returns it', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(1)
        .reduce((a, b) => {
          a[0] += b[0];
          return a;
        })
        .map((t) => [t[1], t[0]])
        .collect();
      assertSameMultiset(result, TUPLE3_SUM_BY_KEY);
    });

    test('a function that returns its second argument keeps the data intact', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(1)
        .reduce((a, b) => (a[0] > b[0] ? a : b))
        .collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [3, 2, 'Hello world'],
        [6, 3, 'Luke Skywalker'],
        [10, 4, 'Comment#4'],
        [15, 5, 'Comment#9'],
        [21, 6, 'Comment#15'],
      ]);
    });

    test('on an empty input: nothing, for a full-set and for a grouped reduce', async () => {
      const env = envAt(p);
      const empty = get3TupleDataSet(env).filter(() => false);
      assertSameMultiset(await empty.reduce((a) => a).collect(), []);
      assertSameMultiset(
        await empty
          .groupBy(0)
          .reduce((a) => a)
          .collect(),
        [],
      );
    });

    test('a one-element group is emitted unchanged without calling the function', async () => {
      const result = await envAt(p)
        .fromElements<[string, number]>(['a', 1], ['b', 2])
        .groupBy(0)
        .reduce((): [string, number] => {
          throw new Error('reduce called for a one-element group');
        })
        .collect();
      assertSameMultiset(result, [
        ['a', 1],
        ['b', 2],
      ]);
    });

    test('the reduce result feeds further operators', async () => {
      const result = await get5TupleDataSet(envAt(p))
        .groupBy(0)
        .reduce((a, b): Tuple5 => [a[0], a[1] + b[1], a[2] + b[2], 'x', a[4] + b[4]])
        .groupBy(4)
        .reduce((a, b): Tuple5 => [a[0] + b[0], a[1] + b[1], a[2] + b[2], 'y', a[4]])
        .collect();
      // per f0: 1:(1,0,1) 2:(5,3,3) 3:(15,12,7) 4:(34,30,6) 5:(65,60,11); f4 sums 1,3,7,6,11 are distinct keys
      assertSameMultiset(result, [
        [1, 1, 0, 'Hallo', 1],
        [2, 5, 3, 'x', 3],
        [3, 15, 12, 'x', 7],
        [4, 34, 30, 'x', 6],
        [5, 65, 60, 'x', 11],
      ]);
    });
  });
}
