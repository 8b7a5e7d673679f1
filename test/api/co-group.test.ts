/**
 * `coGroup(other).where(k).equalTo(k2).using(f)`: `f(leftValues, rightValues, out)`
 * once per key present on either side. After Flink's CoGroupITCase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, CoGroupFunction, KeySelector, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import {
  type CustomType,
  type Pojo,
  type Tuple3,
  type Tuple5,
  type Tuple7,
  broadcastSum,
  get3TupleDataSet,
  get5TupleDataSet,
  getCustomTypeDataSet,
  getIntegerDataSet,
  getSmall3TupleDataSet,
  getSmallPojoDataSet,
  getSmallTuple7DataSet,
} from './collection-data-sets.ts';

/** Flink's Tuple5CoGroup: sum of field 2 over both sides, with the key. */
function tuple5CoGroup(first: Iterable<Tuple5>, second: Iterable<Tuple5>, out: Collector<[number, number]>): void {
  let sum = 0;
  let id = 0;
  for (const e of first) {
    sum += e[2];
    id = e[0];
  }
  for (const e of second) {
    sum += e[2];
    id = e[0];
  }
  out.collect([id, sum]);
}

/** Flink's CustomTypeCoGroup. */
function customTypeCoGroup(first: Iterable<CustomType>, second: Iterable<CustomType>, out: Collector<CustomType>): void {
  const o: CustomType = { myInt: 0, myLong: 0, myString: 'test' };
  for (const e of [...first, ...second]) {
    o.myInt = e.myInt;
    o.myLong += e.myLong;
  }
  out.collect(o);
}

/** Flink's Tuple5Tuple3CoGroup: every right element with the strings of every left element. */
function tuple5Tuple3CoGroup(first: Iterable<Tuple5>, second: Iterable<Tuple3>, out: Collector<Tuple3>): void {
  const strs = [...first].map((t) => t[3]);
  for (const t of second) for (const s of strs) out.collect([t[0], t[1], s]);
}

const TUPLE5_COGROUP: [number, number][] = [
  [1, 0],
  [2, 6],
  [3, 24],
  [4, 60],
  [5, 120],
];

const CUSTOM_COGROUP: CustomType[] = [
  { myInt: 1, myLong: 0, myString: 'test' },
  { myInt: 2, myLong: 6, myString: 'test' },
  { myInt: 3, myLong: 24, myString: 'test' },
  { myInt: 4, myLong: 60, myString: 'test' },
  { myInt: 5, myLong: 120, myString: 'test' },
  { myInt: 6, myLong: 210, myString: 'test' },
];

const T5_T3_ON_TWO_KEYS: Tuple3[] = [
  [1, 1, 'Hallo'],
  [2, 2, 'Hallo Welt'],
  [3, 2, 'Hallo Welt wie gehts?'],
  [3, 2, 'ABC'],
  [5, 3, 'HIJ'],
  [5, 3, 'IJK'],
];

const MIXED: [number, number, string][] = [
  [0, 1, 'test'],
  [1, 2, 'test'],
  [2, 5, 'test'],
  [3, 15, 'test'],
  [4, 33, 'test'],
  [5, 63, 'test'],
  [6, 109, 'test'],
  [7, 4, 'test'],
  [8, 4, 'test'],
  [9, 4, 'test'],
  [10, 5, 'test'],
  [11, 5, 'test'],
  [12, 5, 'test'],
  [13, 5, 'test'],
  [14, 5, 'test'],
];

/** Flink's CoGroup1: checks each pair's keys and emits one marker per pair. */
function pojoTupleCoGroup(first: Iterable<Pojo>, second: Iterable<Tuple7>, out: Collector<CustomType>): void {
  for (const pojo of first) {
    for (const t of second) {
      assert.equal(pojo.nestedPojo.longNumber, t[6]);
      out.collect({ myInt: -1, myLong: pojo.nestedPojo.longNumber, myString: 'Flink' });
    }
  }
}

const POJO_TUPLE_COGROUP: CustomType[] = [
  { myInt: -1, myLong: 20000, myString: 'Flink' },
  { myInt: -1, myLong: 10000, myString: 'Flink' },
  { myInt: -1, myLong: 30000, myString: 'Flink' },
];

for (const p of PARALLELISMS) {
  describe(`coGroup at p=${p}`, () => {
    test('tuples on a key position', async () => {
      const env = envAt(p);
      const result = await get5TupleDataSet(env).coGroup(get5TupleDataSet(env)).where(0).equalTo(0).using(tuple5CoGroup).collect();
      assertSameMultiset(result, TUPLE5_COGROUP);
    });

    test('objects keyed by KeySelector instances', async () => {
      class ByMyInt extends KeySelector<CustomType, number> {
        override getKey(c: CustomType): number {
          return c.myInt;
        }
      }
      const env = envAt(p);
      const result = await getCustomTypeDataSet(env).coGroup(getCustomTypeDataSet(env)).where(new ByMyInt()).equalTo(new ByMyInt()).using(customTypeCoGroup).collect();
      assertSameMultiset(result, CUSTOM_COGROUP);
    });

    test('objects keyed by field name', async () => {
      const env = envAt(p);
      const result = await getCustomTypeDataSet(env).coGroup(getCustomTypeDataSet(env)).where('myInt').equalTo('myInt').using(customTypeCoGroup).collect();
      assertSameMultiset(result, CUSTOM_COGROUP);
    });

    test('a function that returns left input objects', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env)
        .coGroup(get3TupleDataSet(env))
        .where(0)
        .equalTo(0)
        .using(function* (first: Iterable<Tuple3>) {
          for (const e of first) if (e[0] < 6) yield e;
        })
        .collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
        [3, 2, 'Hello world'],
        [4, 3, 'Hello world, how are you?'],
        [5, 3, 'I am fine.'],
      ]);
    });

    test('a function that returns right input objects', async () => {
      const env = envAt(p);
      const result = await get5TupleDataSet(env)
        .coGroup(get5TupleDataSet(env))
        .where(0)
        .equalTo(0)
        .using((_first: Iterable<Tuple5>, second: Iterable<Tuple5>, out: Collector<Tuple5>) => {
          for (const e of second) if (e[0] < 4) out.collect(e);
        })
        .collect();
      assertSameMultiset(result, [
        [1, 1, 0, 'Hallo', 1],
        [2, 2, 1, 'Hallo Welt', 2],
        [2, 3, 2, 'Hallo Welt wie', 1],
        [3, 4, 3, 'Hallo Welt wie gehts?', 2],
        [3, 5, 4, 'ABC', 2],
        [3, 6, 5, 'BCD', 3],
      ]);
    });

    test('a rich CoGroupFunction reads a broadcast set', async () => {
      class BroadcastCoGroup extends CoGroupFunction<Tuple5, Tuple5, [number, number, number]> {
        private broadcast = 42;
        override open(ctx: RuntimeContext): void {
          this.broadcast = broadcastSum(ctx);
        }
        override coGroup(first: Iterable<Tuple5>, second: Iterable<Tuple5>, out: Collector<[number, number, number]>): void {
          tuple5CoGroup(first, second, { collect: ([id, sum]) => out.collect([id, sum, this.broadcast]) });
        }
      }
      const env = envAt(p);
      const result = await get5TupleDataSet(env).coGroup(get5TupleDataSet(env)).where(0).equalTo(0).using(new BroadcastCoGroup()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(
        result,
        TUPLE5_COGROUP.map(([id, sum]) => [id, sum, 55]),
      );
    });

    test('a tuple position against an object key selector', async () => {
      const env = envAt(p);
      const result = await get5TupleDataSet(env)
        .coGroup(getCustomTypeDataSet(env))
        .where(2)
        .equalTo((c) => c.myInt)
        .using((first: Iterable<Tuple5>, second: Iterable<CustomType>, out: Collector<[number, number, string]>) => {
          let sum = 0;
          let id = 0;
          for (const e of first) {
            sum += e[0];
            id = e[2];
          }
          for (const e of second) {
            id = e.myInt;
            sum += e.myLong;
          }
          out.collect([id, sum, 'test']);
        })
        .collect();
      assertSameMultiset(result, MIXED);
    });

    test('an object key selector against a tuple position', async () => {
      const env = envAt(p);
      const result = await getCustomTypeDataSet(env)
        .coGroup(get5TupleDataSet(env))
        .where((c) => c.myInt)
        .equalTo(2)
        .using((first: Iterable<CustomType>, second: Iterable<Tuple5>, out: Collector<CustomType>) => {
          const o: CustomType = { myInt: 0, myLong: 0, myString: 'test' };
          for (const e of first) {
            o.myInt = e.myInt;
            o.myLong += e.myLong;
          }
          for (const e of second) {
            o.myInt = e[2];
            o.myLong += e[0];
          }
          out.collect(o);
        })
        .collect();
      assertSameMultiset(
        result,
        MIXED.map(([myInt, myLong, myString]) => ({ myInt, myLong, myString })),
      );
    });

    test('two key positions on each side', async () => {
      const env = envAt(p);
      const result = await get5TupleDataSet(env).coGroup(get3TupleDataSet(env)).where(0, 4).equalTo(0, 1).using(tuple5Tuple3CoGroup).collect();
      assertSameMultiset(result, T5_T3_ON_TWO_KEYS);
    });

    test('selectors returning tuples (KeySelector instances)', async () => {
      class FiveKey extends KeySelector<Tuple5, [number, number]> {
        override getKey(t: Tuple5): [number, number] {
          return [t[0], t[4]];
        }
      }
      class ThreeKey extends KeySelector<Tuple3, [number, number]> {
        override getKey(t: Tuple3): [number, number] {
          return [t[0], t[1]];
        }
      }
      const env = envAt(p);
      const result = await get5TupleDataSet(env).coGroup(get3TupleDataSet(env)).where(new FiveKey()).equalTo(new ThreeKey()).using(tuple5Tuple3CoGroup).collect();
      assertSameMultiset(result, T5_T3_ON_TWO_KEYS);
    });

    test('selector functions returning tuples', async () => {
      const env = envAt(p);
      const result = await get5TupleDataSet(env)
        .coGroup(get3TupleDataSet(env))
        .where((t) => [t[0], t[4]])
        .equalTo((t) => [t[0], t[1]])
        .using(tuple5Tuple3CoGroup)
        .collect();
      assertSameMultiset(result, T5_T3_ON_TWO_KEYS);
    });

    test('a dotted path into objects against a tuple position', async () => {
      const env = envAt(p);
      const result = await getSmallPojoDataSet(env).coGroup(getSmallTuple7DataSet(env)).where('nestedPojo.longNumber').equalTo(6).using(pojoTupleCoGroup).collect();
      assertSameMultiset(result, POJO_TUPLE_COGROUP);
    });

    test('a selector function on objects against a tuple position', async () => {
      const env = envAt(p);
      const result = await getSmallPojoDataSet(env)
        .coGroup(getSmallTuple7DataSet(env))
        .where((pojo) => pojo.nestedPojo.longNumber)
        .equalTo(6)
        .using(pojoTupleCoGroup)
        .collect();
      assertSameMultiset(result, POJO_TUPLE_COGROUP);
    });

    test('tuples against atomic values keyed by the whole element', async () => {
      const env = envAt(p);
      const matching = (first: Iterable<Tuple3>, second: Iterable<number>, out: Collector<Tuple3>): void => {
        const ints = [...second];
        for (const t of first) for (const i of ints) if (t[0] === i) out.collect(t);
      };
      const result = await getSmall3TupleDataSet(env)
        .coGroup(env.fromElements(0, 1, 2))
        .where(0)
        .equalTo((x) => x)
        .using(matching)
        .collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
      ]);
    });

    test('a plain function summing both sides', async () => {
      const env = envAt(p);
      const left = env.fromElements<[number, string]>([1, 'hello'], [2, "what's"], [2, 'up']);
      const right = env.fromElements<[number, string]>([1, 'not'], [1, 'much'], [2, 'really']);
      const result = await left
        .coGroup(right)
        .where(0)
        .equalTo(0)
        .using((values1: Iterable<[number, string]>, values2: Iterable<[number, string]>) => {
          let sum = 0;
          for (const [k] of values1) sum += k;
          for (const [k] of values2) sum += k;
          return [sum];
        })
        .collect();
      assertSameMultiset(result, [6, 3]);
    });

    test('called once per key present on either side, with an empty iterable for the missing side', async () => {
      const env = envAt(p);
      const left = env.fromElements<[string, number]>(['a', 1], ['b', 2], ['b', 3]);
      const right = env.fromElements<[string, number]>(['b', 10], ['c', 20], ['c', 30]);
      const result = await left
        .coGroup(right)
        .where(0)
        .equalTo(0)
        .using((ls: Iterable<[string, number]>, rs: Iterable<[string, number]>) => {
          const l = [...ls];
          const r = [...rs];
          const key = (l[0] ?? r[0])![0];
          return [[key, l.map((x) => x[1]).sort((a, b) => a - b), r.map((x) => x[1]).sort((a, b) => a - b)]];
        })
        .collect();
      assertSameMultiset(result, [
        ['a', [1], []],
        ['b', [2, 3], [10]],
        ['c', [], [20, 30]],
      ]);
    });

    test('with an empty side: once per key of the other side', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env)
        .coGroup(get5TupleDataSet(env).filter(() => false))
        .where(1)
        .equalTo(0)
        .using((ls: Iterable<Tuple3>, rs: Iterable<Tuple5>) => [[[...ls].length, [...rs].length]])
        .collect();
      assertSameMultiset(result, [
        [1, 0],
        [2, 0],
        [3, 0],
        [4, 0],
        [5, 0],
        [6, 0],
      ]);
    });

    test('iterables left unread are fine', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env)
        .coGroup(get3TupleDataSet(env))
        .where(1)
        .equalTo(1)
        .using(() => ['group'])
        .count();
      assert.equal(result, 6);
    });
  });
}
