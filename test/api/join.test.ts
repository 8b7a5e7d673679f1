/**
 * Inner `join(other).where(k).equalTo(k2)`: pairs `[left, right]`, `.using(f)`,
 * `projectFirst/projectSecond` in call order, and the `joinWithTiny`/`joinWithHuge` hints.
 * After Flink's JoinITCase.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DataSet, JoinFunction, KeySelector, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import {
  type CustomType,
  SMALL_NESTED_TUPLES,
  SMALL_POJOS,
  SMALL_TUPLE7,
  type Tuple3,
  type Tuple5,
  broadcastSum,
  get3TupleDataSet,
  get5TupleDataSet,
  getCustomTypeDataSet,
  getIntegerDataSet,
  getSmall3TupleDataSet,
  getSmall5TupleDataSet,
  getSmallCustomTypeDataSet,
  getSmallNestedTupleDataSet,
  getSmallPojoDataSet,
  getSmallTuple7DataSet,
} from './collection-data-sets.ts';

/** Flink's T3T5FlatJoin. */
const t3t5 = (first: Tuple3, second: Tuple5): [string, string] => [first[2], second[3]];

const SMALL_T3_JOIN_T5_ON_1: [string, string][] = [
  ['Hi', 'Hallo'],
  ['Hello', 'Hallo Welt'],
  ['Hello world', 'Hallo Welt'],
];

const T3_JOIN_T5_ON_0_1: [string, string][] = [
  ['Hi', 'Hallo'],
  ['Hello', 'Hallo Welt'],
  ['Hello world', 'Hallo Welt wie gehts?'],
  ['Hello world', 'ABC'],
  ['I am fine.', 'HIJ'],
  ['I am fine.', 'IJK'],
];

const CUSTOM_PAIRS_ON_MYINT: [CustomType, CustomType][] = [
  [
    { myInt: 1, myLong: 0, myString: 'Hi' },
    { myInt: 1, myLong: 0, myString: 'Hi' },
  ],
  [
    { myInt: 2, myLong: 1, myString: 'Hello' },
    { myInt: 2, myLong: 1, myString: 'Hello' },
  ],
  [
    { myInt: 2, myLong: 1, myString: 'Hello' },
    { myInt: 2, myLong: 2, myString: 'Hello world' },
  ],
  [
    { myInt: 2, myLong: 2, myString: 'Hello world' },
    { myInt: 2, myLong: 1, myString: 'Hello' },
  ],
  [
    { myInt: 2, myLong: 2, myString: 'Hello world' },
    { myInt: 2, myLong: 2, myString: 'Hello world' },
  ],
];

const POJO_TUPLE7_PAIRS = SMALL_POJOS.map((pojo, i) => [pojo, SMALL_TUPLE7[i]]);

for (const p of PARALLELISMS) {
  describe(`join at p=${p}`, () => {
    test('using(f) on key positions', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env).join(get5TupleDataSet(env)).where(1).equalTo(1).using(t3t5).collect();
      assertSameMultiset(result, SMALL_T3_JOIN_T5_ON_1);
    });

    test('using(f) on two key positions each', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env).join(get5TupleDataSet(env)).where(0, 1).equalTo(0, 4).using(t3t5).collect();
      assertSameMultiset(result, T3_JOIN_T5_ON_0_1);
    });

    test('without a function: the pairs [left, right]', async () => {
      const env = envAt(p);
      const joined: DataSet<[Tuple3, Tuple5]> = getSmall3TupleDataSet(env).join(get5TupleDataSet(env)).where(0).equalTo(2);
      assertSameMultiset(await joined.collect(), [
        [
          [1, 1, 'Hi'],
          [2, 2, 1, 'Hallo Welt', 2],
        ],
        [
          [2, 2, 'Hello'],
          [2, 3, 2, 'Hallo Welt wie', 1],
        ],
        [
          [3, 2, 'Hello world'],
          [3, 4, 3, 'Hallo Welt wie gehts?', 2],
        ],
      ]);
    });

    test('joinWithHuge gives the same result', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env).joinWithHuge(get5TupleDataSet(env)).where(1).equalTo(1).using(t3t5).collect();
      assertSameMultiset(result, SMALL_T3_JOIN_T5_ON_1);
    });

    test('joinWithTiny gives the same result', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env).joinWithTiny(get5TupleDataSet(env)).where(1).equalTo(1).using(t3t5).collect();
      assertSameMultiset(result, SMALL_T3_JOIN_T5_ON_1);
    });

    test('joinWithTiny and joinWithHuge with duplicate keys on both sides and no function', async () => {
      const env = envAt(p);
      const left = env.fromElements<[number, string]>([1, 'a'], [1, 'b'], [2, 'c'], [3, 'd']);
      const right = env.fromElements<[number, string]>([1, 'x'], [1, 'y'], [2, 'z'], [4, 'w']);
      const expected = [
        [
          [1, 'a'],
          [1, 'x'],
        ],
        [
          [1, 'a'],
          [1, 'y'],
        ],
        [
          [1, 'b'],
          [1, 'x'],
        ],
        [
          [1, 'b'],
          [1, 'y'],
        ],
        [
          [2, 'c'],
          [2, 'z'],
        ],
      ];
      assertSameMultiset(await left.join(right).where(0).equalTo(0).collect(), expected);
      assertSameMultiset(await left.joinWithTiny(right).where(0).equalTo(0).collect(), expected);
      assertSameMultiset(await left.joinWithHuge(right).where(0).equalTo(0).collect(), expected);
    });

    test('a function that returns the left input', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .join(get5TupleDataSet(env))
        .where(1)
        .equalTo(1)
        .using((l) => l)
        .collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
        [3, 2, 'Hello world'],
      ]);
    });

    test('a function that returns the right input (one right element in two pairs)', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .join(get5TupleDataSet(env))
        .where(1)
        .equalTo(1)
        .using((_l, r) => r)
        .collect();
      assertSameMultiset(result, [
        [1, 1, 0, 'Hallo', 1],
        [2, 2, 1, 'Hallo Welt', 2],
        [2, 2, 1, 'Hallo Welt', 2],
      ]);
    });

    test('a function that mutates the element it was given for several pairs (snapshots)', async () => {
      const env = envAt(p);
      const result = await env
        .fromElements<[number, string]>([1, 'L'])
        .join(env.fromElements<[number, string]>([1, 'a'], [1, 'b'], [1, 'c']))
        .where(0)
        .equalTo(0)
        .using((l, r) => {
          l[1] += r[1];
          return l;
        })
        .collect();
      assertSameMultiset(result, [
        [1, 'La'],
        [1, 'Lb'],
        [1, 'Lc'],
      ]);
    });

    test('a rich JoinFunction reads a broadcast set', async () => {
      class BroadcastJoin extends JoinFunction<Tuple3, Tuple5, [string, string, number]> {
        private broadcast = 0;
        override open(ctx: RuntimeContext): void {
          this.broadcast = broadcastSum(ctx);
        }
        override join(first: Tuple3, second: Tuple5): [string, string, number] {
          return [first[2], second[3], this.broadcast];
        }
      }
      const env = envAt(p);
      const result = await get3TupleDataSet(env).join(getSmall5TupleDataSet(env)).where(1).equalTo(4).using(new BroadcastJoin()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(result, [
        ['Hi', 'Hallo', 55],
        ['Hi', 'Hallo Welt wie', 55],
        ['Hello', 'Hallo Welt', 55],
        ['Hello world', 'Hallo Welt', 55],
      ]);
    });

    test('objects keyed by a KeySelector against tuples keyed by position', async () => {
      class ByMyInt extends KeySelector<CustomType, number> {
        override getKey(c: CustomType): number {
          return c.myInt;
        }
      }
      const env = envAt(p);
      const result = await getSmallCustomTypeDataSet(env)
        .join(get3TupleDataSet(env))
        .where(new ByMyInt())
        .equalTo(0)
        .using((c, t): [string, string] => [c.myString, t[2]])
        .collect();
      assertSameMultiset(result, [
        ['Hi', 'Hi'],
        ['Hello', 'Hello'],
        ['Hello world', 'Hello'],
      ]);
    });

    test('tuples keyed by position against objects keyed by a selector function', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .join(getCustomTypeDataSet(env))
        .where(1)
        .equalTo((c) => c.myLong)
        .using((t, c): [string, string] => [t[2], c.myString])
        .collect();
      assertSameMultiset(result, [
        ['Hi', 'Hello'],
        ['Hello', 'Hello world'],
        ['Hello world', 'Hello world'],
      ]);
    });

    test('projectFirst(2, 1).projectSecond(3).projectFirst(0).projectSecond(4, 1): fields in call order', async () => {
      const env = envAt(p);
      const joined: DataSet<[string, number, string, number, number, number]> = getSmall3TupleDataSet(env)
        .join(get5TupleDataSet(env))
        .where(1)
        .equalTo(1)
        .projectFirst(2, 1)
        .projectSecond(3)
        .projectFirst(0)
        .projectSecond(4, 1);
      assertSameMultiset(await joined.collect(), [
        ['Hi', 1, 'Hallo', 1, 1, 1],
        ['Hello', 2, 'Hallo Welt', 2, 2, 2],
        ['Hello world', 2, 'Hallo Welt', 3, 2, 2],
      ]);
    });

    test('projectSecond(3).projectFirst(2, 1).projectSecond(4, 1).projectFirst(0)', async () => {
      const env = envAt(p);
      const joined: DataSet<[string, string, number, number, number, number]> = getSmall3TupleDataSet(env)
        .join(get5TupleDataSet(env))
        .where(1)
        .equalTo(1)
        .projectSecond(3)
        .projectFirst(2, 1)
        .projectSecond(4, 1)
        .projectFirst(0);
      assertSameMultiset(await joined.collect(), [
        ['Hallo', 'Hi', 1, 1, 1, 1],
        ['Hallo Welt', 'Hello', 2, 2, 2, 2],
        ['Hallo Welt', 'Hello world', 2, 2, 2, 3],
      ]);
    });

    test('projectFirst() without fields takes the whole left element (Flink Java semantics)', async () => {
      const env = envAt(p);
      const joined: DataSet<[Tuple3, string]> = getSmall3TupleDataSet(env).join(get5TupleDataSet(env)).where(1).equalTo(1).projectFirst().projectSecond(3);
      assertSameMultiset(await joined.collect(), [
        [[1, 1, 'Hi'], 'Hallo'],
        [[2, 2, 'Hello'], 'Hallo Welt'],
        [[3, 2, 'Hello world'], 'Hallo Welt'],
      ]);
      const both: DataSet<[Tuple3, Tuple5]> = getSmall3TupleDataSet(env).join(getSmall5TupleDataSet(env)).where(0).equalTo(0).projectFirst().projectSecond();
      assertSameMultiset(await both.collect(), [
        [
          [1, 1, 'Hi'],
          [1, 1, 0, 'Hallo', 1],
        ],
        [
          [2, 2, 'Hello'],
          [2, 2, 1, 'Hallo Welt', 2],
        ],
        [
          [2, 2, 'Hello'],
          [2, 3, 2, 'Hallo Welt wie', 1],
        ],
      ]);
    });

    test('two object sets keyed by KeySelector instances: the default pairs', async () => {
      class ByMyInt extends KeySelector<CustomType, number> {
        override getKey(c: CustomType): number {
          return c.myInt;
        }
      }
      const env = envAt(p);
      const result = await getCustomTypeDataSet(env).join(getSmallCustomTypeDataSet(env)).where(new ByMyInt()).equalTo(new ByMyInt()).collect();
      assertSameMultiset(result, CUSTOM_PAIRS_ON_MYINT);
    });

    test('two object sets keyed by selector functions', async () => {
      const env = envAt(p);
      const result = await getCustomTypeDataSet(env)
        .join(getSmallCustomTypeDataSet(env))
        .where((c) => c.myInt)
        .equalTo((c) => c.myInt)
        .collect();
      assertSameMultiset(result, CUSTOM_PAIRS_ON_MYINT);
    });

    test('selectors returning tuples (compared by value)', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env)
        .join(get5TupleDataSet(env))
        .where((t) => [t[0], t[1]])
        .equalTo((t) => [t[0], t[4]])
        .using(t3t5)
        .collect();
      assertSameMultiset(result, T3_JOIN_T5_ON_0_1);
    });

    test('a dotted path into objects against a tuple position', async () => {
      const env = envAt(p);
      const result = await getSmallPojoDataSet(env).join(getSmallTuple7DataSet(env)).where('nestedPojo.longNumber').equalTo(6).collect();
      assertSameMultiset(result, POJO_TUPLE7_PAIRS);
    });

    test('several field names and paths against several positions', async () => {
      const env = envAt(p);
      const result = await getSmallPojoDataSet(env).join(getSmallTuple7DataSet(env)).where('nestedPojo.longNumber', 'number', 'str').equalTo(6, 0, 1).collect();
      assertSameMultiset(result, POJO_TUPLE7_PAIRS);
    });

    test('paths into a nested tuple and the object inside it', async () => {
      const env = envAt(p);
      const result = await getSmallPojoDataSet(env)
        .join(getSmallTuple7DataSet(env))
        .where('nestedTupleWithCustom.0', 'nestedTupleWithCustom.1.myInt', 'nestedTupleWithCustom.1.myLong')
        .equalTo(2, 3, 4)
        .collect();
      assertSameMultiset(result, POJO_TUPLE7_PAIRS);
    });

    test('a position naming a nested tuple joins on the whole nested tuple', async () => {
      const env = envAt(p);
      const result = await getSmallNestedTupleDataSet(env).join(getSmallNestedTupleDataSet(env)).where(0).equalTo(0).collect();
      assertSameMultiset(
        result,
        SMALL_NESTED_TUPLES.map((t) => [t, t]),
      );
    });

    test('a join result joined again on a nested field', async () => {
      const env = envAt(p);
      const self = getSmall3TupleDataSet(env).join(getSmall3TupleDataSet(env)).where(0).equalTo(0);
      const result = await self
        .join(self)
        .where((x) => x[1][0])
        .equalTo((x) => x[0][0])
        .collect();
      assertSameMultiset(
        result,
        [
          [1, 1, 'Hi'],
          [2, 2, 'Hello'],
          [3, 2, 'Hello world'],
        ].map((t) => [
          [t, t],
          [t, t],
        ]),
      );
    });

    test('tuples against atomic values keyed by the whole element', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .join(env.fromElements(1, 2))
        .where(0)
        .equalTo((x) => x)
        .collect();
      assertSameMultiset(result, [
        [[1, 1, 'Hi'], 1],
        [[2, 2, 'Hello'], 2],
      ]);
      const swapped = await env
        .fromElements(1, 2)
        .join(getSmall3TupleDataSet(env))
        .where((x) => x)
        .equalTo(0)
        .collect();
      assertSameMultiset(swapped, [
        [1, [1, 1, 'Hi']],
        [2, [2, 2, 'Hello']],
      ]);
    });

    test('an empty side joins to nothing', async () => {
      const env = envAt(p);
      const empty = get5TupleDataSet(env).filter(() => false);
      assertSameMultiset(await get3TupleDataSet(env).join(empty).where(0).equalTo(0).collect(), []);
      assertSameMultiset(await empty.join(get3TupleDataSet(env)).where(0).equalTo(0).collect(), []);
    });

    test('key positions of different width on the two sides are rejected when the plan is built', () => {
      const env = envAt(p);
      assert.throws(() => get3TupleDataSet(env).join(get5TupleDataSet(env)).where(0, 1).equalTo(0), /same number of fields/);
    });
  });
}
