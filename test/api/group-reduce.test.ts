/**
 * `reduceGroup`: full set → called once, grouped → once per group with that group's
 * elements; combinable functions pre-aggregate before the shuffle. After Flink's GroupReduceITCase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, GroupReduceFunction, KeySelector, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import {
  type CustomType,
  TUPLE3_SUM_BY_KEY,
  type Tuple3,
  type Tuple5,
  broadcastSum,
  get3TupleDataSet,
  get5TupleDataSet,
  getCustomTypeDataSet,
  getIntegerDataSet,
  parallelize,
} from './collection-data-sets.ts';

/** Flink's Tuple3GroupReduce: the sum of field 0 and the (common) field 1. */
function tuple3GroupReduce(values: Iterable<Tuple3>, out: Collector<[number, number]>): void {
  let i = 0;
  let l = 0;
  for (const t of values) {
    i += t[0];
    l = t[1];
  }
  out.collect([i, l]);
}

/** Flink's Tuple5GroupReduce. */
function tuple5GroupReduce(values: Iterable<Tuple5>, out: Collector<Tuple5>): void {
  let i = 0;
  let l = 0;
  let l2 = 0;
  for (const t of values) {
    i = t[0];
    l += t[1];
    l2 = t[4];
  }
  out.collect([i, l, 0, 'P-)', l2]);
}

/** Flink's expectation for Tuple3GroupReduce: `[sum of field 0, field 1]`. */
const SUMS_BY_1 = TUPLE3_SUM_BY_KEY.map(([key, sum]) => [sum, key]);

const TUPLE5_BY_4_AND_0: Tuple5[] = [
  [1, 1, 0, 'P-)', 1],
  [2, 3, 0, 'P-)', 1],
  [2, 2, 0, 'P-)', 2],
  [3, 9, 0, 'P-)', 2],
  [3, 6, 0, 'P-)', 3],
  [4, 17, 0, 'P-)', 1],
  [4, 17, 0, 'P-)', 2],
  [5, 11, 0, 'P-)', 1],
  [5, 29, 0, 'P-)', 2],
  [5, 25, 0, 'P-)', 3],
];

/** Flink's Tuple3GroupReduceWithCombine: combine sums field 0 and tags "test<key>", reduce sums the partial sums. */
class Tuple3GroupReduceWithCombine extends GroupReduceFunction<Tuple3, [number, string]> {
  override combine(values: Iterable<Tuple3>, out: Collector<Tuple3>): void {
    const o: Tuple3 = [0, 0, ''];
    for (const t of values) {
      o[0] += t[0];
      o[1] = t[1];
      o[2] = `test${o[1]}`;
    }
    out.collect(o);
  }
  override reduce(values: Iterable<Tuple3>, out: Collector<[number, string]>): void {
    let i = 0;
    let s = '';
    for (const t of values) {
      i += t[0];
      s = t[2];
    }
    out.collect([i, s]);
  }
}

for (const p of PARALLELISMS) {
  describe(`reduceGroup at p=${p}`, () => {
    test('grouped on a key position', async () => {
      const result = await get3TupleDataSet(envAt(p)).groupBy(1).reduceGroup(tuple3GroupReduce).collect();
      assertSameMultiset(result, SUMS_BY_1);
    });

    test('grouped on two key positions (4, 0)', async () => {
      const result = await get5TupleDataSet(envAt(p)).groupBy(4, 0).reduceGroup(tuple5GroupReduce).collect();
      assertSameMultiset(result, TUPLE5_BY_4_AND_0);
    });

    test('grouped by a KeySelector instance', async () => {
      class ByLong extends KeySelector<Tuple3, number> {
        override getKey(t: Tuple3): number {
          return t[1];
        }
      }
      const result = await get3TupleDataSet(envAt(p)).groupBy(new ByLong()).reduceGroup(tuple3GroupReduce).collect();
      assertSameMultiset(result, SUMS_BY_1);
    });

    test('grouped by a selector returning a tuple', async () => {
      const result = await get5TupleDataSet(envAt(p))
        .groupBy((t) => [t[0], t[4]])
        .reduceGroup(tuple5GroupReduce)
        .collect();
      assertSameMultiset(result, TUPLE5_BY_4_AND_0);
    });

    test('objects grouped by a selector, the iterable read through its iterator', async () => {
      const result = await getCustomTypeDataSet(envAt(p))
        .groupBy((c) => c.myInt)
        .reduceGroup((values: Iterable<CustomType>, out: Collector<CustomType>) => {
          const it = values[Symbol.iterator]();
          const c = it.next().value as CustomType;
          const o: CustomType = { myInt: c.myInt, myLong: c.myLong, myString: 'Hello!' };
          for (let n = it.next(); !n.done; n = it.next()) o.myLong += n.value.myLong;
          out.collect(o);
        })
        .collect();
      assertSameMultiset(result, [
        { myInt: 1, myLong: 0, myString: 'Hello!' },
        { myInt: 2, myLong: 3, myString: 'Hello!' },
        { myInt: 3, myLong: 12, myString: 'Hello!' },
        { myInt: 4, myLong: 30, myString: 'Hello!' },
        { myInt: 5, myLong: 60, myString: 'Hello!' },
        { myInt: 6, myLong: 105, myString: 'Hello!' },
      ]);
    });

    test('full set of tuples: called once (one output per call)', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .reduceGroup((values: Iterable<Tuple3>, out: Collector<Tuple3>) => {
          let i = 0;
          let l = 0;
          for (const t of values) {
            i += t[0];
            l += t[1];
          }
          out.collect([i, l, 'Hello World']);
        })
        .collect();
      assertSameMultiset(result, [[231, 91, 'Hello World']]);
    });

    test('full set of objects', async () => {
      const result = await getCustomTypeDataSet(envAt(p))
        .reduceGroup((values: Iterable<CustomType>) => {
          const o: CustomType = { myInt: 0, myLong: 0, myString: 'Hello!' };
          for (const c of values) {
            o.myInt += c.myInt;
            o.myLong += c.myLong;
          }
          return [o];
        })
        .collect();
      assertSameMultiset(result, [{ myInt: 91, myLong: 210, myString: 'Hello!' }]);
    });

    test('a rich function reads a broadcast set', async () => {
      class BroadcastGroupReduce extends GroupReduceFunction<Tuple3, Tuple3> {
        private f2Replace = '';
        override open(ctx: RuntimeContext): void {
          this.f2Replace = String(broadcastSum(ctx));
        }
        override reduce(values: Iterable<Tuple3>, out: Collector<Tuple3>): void {
          let i = 0;
          let l = 0;
          for (const t of values) {
            i += t[0];
            l = t[1];
          }
          out.collect([i, l, this.f2Replace]);
        }
      }
      const env = envAt(p);
      const result = await get3TupleDataSet(env).groupBy(1).reduceGroup(new BroadcastGroupReduce()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(
        result,
        SUMS_BY_1.map(([i, l]) => [i, l, '55']),
      );
    });

    test('input objects changed and emitted several times (snapshots)', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(1)
        .reduceGroup((values: Iterable<Tuple3>, out: Collector<Tuple3>) => {
          for (const t of values) {
            if (t[0] < 4) {
              t[2] = 'Hi!';
              t[0] += 10;
              out.collect(t);
              t[0] += 10;
              t[2] = 'Hi again!';
              out.collect(t);
            }
          }
        })
        .collect();
      assertSameMultiset(result, [
        [11, 1, 'Hi!'],
        [21, 1, 'Hi again!'],
        [12, 2, 'Hi!'],
        [22, 2, 'Hi again!'],
        [13, 2, 'Hi!'],
        [23, 2, 'Hi again!'],
      ]);
    });

    test('a rich function with combine(): grouped, key position', async () => {
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .groupBy(1)
        .reduceGroup(new Tuple3GroupReduceWithCombine())
        .collect();
      assertSameMultiset(result, [
        [1, 'test1'],
        [5, 'test2'],
        [15, 'test3'],
        [34, 'test4'],
        [65, 'test5'],
        [111, 'test6'],
      ]);
    });

    test('a rich function with combine(): objects grouped by a selector', async () => {
      class CustomTypeWithCombine extends GroupReduceFunction<CustomType, CustomType> {
        override combine(values: Iterable<CustomType>, out: Collector<CustomType>): void {
          const o: CustomType = { myInt: 0, myLong: 0, myString: '' };
          for (const c of values) {
            o.myInt = c.myInt;
            o.myLong += c.myLong;
            o.myString = `test${c.myInt}`;
          }
          out.collect(o);
        }
        override reduce(values: Iterable<CustomType>, out: Collector<CustomType>): void {
          const o: CustomType = { myInt: 0, myLong: 0, myString: '' };
          for (const c of values) {
            o.myInt = c.myInt;
            o.myLong += c.myLong;
            o.myString = c.myString;
          }
          out.collect(o);
        }
      }
      const result = await parallelize(getCustomTypeDataSet(envAt(p)))
        .groupBy((c) => c.myInt)
        .reduceGroup(new CustomTypeWithCombine())
        .collect();
      assertSameMultiset(result, [
        { myInt: 1, myLong: 0, myString: 'test1' },
        { myInt: 2, myLong: 3, myString: 'test2' },
        { myInt: 3, myLong: 12, myString: 'test3' },
        { myInt: 4, myLong: 30, myString: 'test4' },
        { myInt: 5, myLong: 60, myString: 'test5' },
        { myInt: 6, myLong: 105, myString: 'test6' },
      ]);
    });

    test('a rich function with combine(): full set, combined per partition', async () => {
      class AllWithCombine extends GroupReduceFunction<Tuple3, [number, string]> {
        override combine(values: Iterable<Tuple3>, out: Collector<Tuple3>): void {
          const o: Tuple3 = [0, 0, ''];
          for (const t of values) {
            o[0] += t[0];
            o[1] += t[1];
            o[2] += 'test';
          }
          out.collect(o);
        }
        override reduce(values: Iterable<Tuple3>, out: Collector<[number, string]>): void {
          let i = 0;
          let s = '';
          for (const t of values) {
            i += t[0] + t[1];
            s += t[2];
          }
          out.collect([i, s]);
        }
      }
      const result = await parallelize(get3TupleDataSet(envAt(p)))
        .reduceGroup(new AllWithCombine())
        .collect();
      assertSameMultiset(result, [[322, 'test'.repeat(21)]]);
    });

    test('combine() runs on every producer part of every group, one-element groups included, and reduce sees only its output', async () => {
      class Tagging extends GroupReduceFunction<[string, number], [string, number, string]> {
        override combine(values: Iterable<[string, number]>, out: Collector<[string, number]>): void {
          let key = '';
          let n = 0;
          for (const [k, v] of values) {
            key = k;
            n += v;
          }
          out.collect([`${key}+`, n]);
        }
        override reduce(values: Iterable<[string, number]>, out: Collector<[string, number, string]>): void {
          let key = '';
          let n = 0;
          let parts = 0;
          for (const [k, v] of values) {
            assert.ok(k.endsWith('+'), `reduce saw ${k}, not a combiner output`);
            key = k.slice(0, -1);
            n += v;
            parts++;
          }
          out.collect([key, n, parts <= p ? 'ok' : `too many parts: ${parts}`]);
        }
      }
      const data: [string, number][] = [
        ['a', 1],
        ['b', 2],
        ['a', 3],
        ['c', 4],
        ['a', 5],
        ['b', 6],
      ];
      const result = await parallelize(envAt(p).fromCollection(data))
        .groupBy((t) => t[0])
        .reduceGroup(new Tagging())
        .collect();
      assertSameMultiset(result, [
        ['a', 9, 'ok'],
        ['b', 8, 'ok'],
        ['c', 4, 'ok'],
      ]);
    });

    test('a plain function with combinable: true is its own combiner', async () => {
      // [word, count, rounds]: every call adds a round, so rounds 2 means combined, then reduced
      const count = (values: Iterable<[string, number, number]>, out: Collector<[string, number, number]>): void => {
        let key = '';
        let n = 0;
        let rounds = 0;
        for (const [k, v, r] of values) {
          key = k;
          n += v;
          rounds = Math.max(rounds, r);
        }
        out.collect([key, n, rounds + 1]);
      };
      const words = ['x', 'y', 'x', 'z', 'x', 'y'].map((w): [string, number, number] => [w, 1, 0]);
      const result = await envAt(p).fromCollection(words).groupBy(0).reduceGroup(count, { combinable: true }).collect();
      assertSameMultiset(result, [
        ['x', 3, 2],
        ['y', 2, 2],
        ['z', 1, 2],
      ]);
    });

    test('elements the function leaves unread are skipped', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(1)
        .reduceGroup((values: Iterable<Tuple3>) => {
          for (const t of values) return [t[1]];
          return [];
        })
        .collect();
      assertSameMultiset(result, [1, 2, 3, 4, 5, 6]);
    });

    test('outputs by return value (a generator) and by out.collect in one call', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(1)
        .reduceGroup(function* (values: Iterable<Tuple3>, out: Collector<string>) {
          let n = 0;
          let key = 0;
          for (const t of values) {
            n++;
            key = t[1];
          }
          out.collect(`key ${key}`);
          yield `size ${n}`;
        })
        .collect();
      assertSameMultiset(result, ['key 1', 'key 2', 'key 3', 'key 4', 'key 5', 'key 6', 'size 1', 'size 2', 'size 3', 'size 4', 'size 5', 'size 6']);
    });

    test('each group holds exactly its own elements', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .groupBy(1)
        .reduceGroup((values: Iterable<Tuple3>) => [[...values].map((t) => t[0]).sort((a, b) => a - b)])
        .collect();
      assertSameMultiset(result, [[1], [2, 3], [4, 5, 6], [7, 8, 9, 10], [11, 12, 13, 14, 15], [16, 17, 18, 19, 20, 21]]);
    });

    test('on atomic values grouped by the whole element', async () => {
      const result = await envAt(p)
        .fromElements(1, 1, 2, 3, 4)
        .groupBy((x) => x)
        .reduceGroup((values: Iterable<number>) => [values[Symbol.iterator]().next().value as number])
        .collect();
      assertSameMultiset(result, [1, 2, 3, 4]);
    });

    test('null fields in the grouped elements are kept', async () => {
      const result = await envAt(p)
        .fromElements<[number, string | null]>([0, 'x'], [1, null], [2, 'y'])
        .groupBy(0)
        .reduceGroup(function* (values: Iterable<[number, string | null]>) {
          for (const [k, v] of values) yield `${k}:${v}`;
        })
        .collect();
      assertSameMultiset(result, ['0:x', '1:null', '2:y']);
    });

    test('a full-set reduceGroup on an empty input is not called and emits nothing; grouped neither', async () => {
      const env = envAt(p);
      const f = (values: Iterable<Tuple3>): number[] => [[...values].length];
      const empty = get3TupleDataSet(env).filter(() => false);
      assertSameMultiset(await empty.reduceGroup(f).collect(), []);
      assertSameMultiset(await empty.groupBy(1).reduceGroup(f).collect(), []);
    });

    test('a re-grouping of a group-reduce result', async () => {
      const result = await get5TupleDataSet(envAt(p))
        .groupBy((t) => t[0] * t[1] - t[2] * t[4])
        .reduceGroup(function* (values: Iterable<Tuple5>) {
          yield* values;
        })
        .groupBy(0)
        .reduceGroup((values: Iterable<Tuple5>) => {
          let k = 0;
          let s = 0;
          for (const t of values) {
            k = t[0];
            s += t[1];
          }
          return [[k, s]];
        })
        .collect();
      assertSameMultiset(result, [
        [1, 1],
        [2, 5],
        [3, 15],
        [4, 34],
        [5, 65],
      ]);
    });
  });
}
