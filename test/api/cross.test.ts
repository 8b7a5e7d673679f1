/**
 * `cross(other)`: all pairs `[left, right]`, or `.using(f)`, or `projectFirst`/`projectSecond`;
 * `crossWithTiny`/`crossWithHuge` are hints. After Flink's CrossITCase.
 */
import { describe, test } from 'node:test';
import { CrossFunction, type DataSet, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { type CustomType, type Tuple3, type Tuple5, broadcastSum, getIntegerDataSet, getSmall3TupleDataSet, getSmall5TupleDataSet, getSmallCustomTypeDataSet } from './collection-data-sets.ts';

/** Flink's Tuple5Cross. */
const tuple5Cross = (first: Tuple5, second: Tuple5): [number, string] => [first[2] + second[2], first[3] + second[3]];

const TUPLE5_CROSS: [number, string][] = [
  [0, 'HalloHallo'],
  [1, 'HalloHallo Welt'],
  [2, 'HalloHallo Welt wie'],
  [1, 'Hallo WeltHallo'],
  [2, 'Hallo WeltHallo Welt'],
  [3, 'Hallo WeltHallo Welt wie'],
  [2, 'Hallo Welt wieHallo'],
  [3, 'Hallo Welt wieHallo Welt'],
  [4, 'Hallo Welt wieHallo Welt wie'],
];

for (const p of PARALLELISMS) {
  describe(`cross at p=${p}`, () => {
    test('using(f) on two tuple inputs', async () => {
      const env = envAt(p);
      const result = await getSmall5TupleDataSet(env).cross(getSmall5TupleDataSet(env)).using(tuple5Cross).collect();
      assertSameMultiset(result, TUPLE5_CROSS);
    });

    test('a function that returns the left input', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .cross(getSmall5TupleDataSet(env))
        .using((l) => l)
        .collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [1, 1, 'Hi'],
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
        [2, 2, 'Hello'],
        [2, 2, 'Hello'],
        [3, 2, 'Hello world'],
        [3, 2, 'Hello world'],
        [3, 2, 'Hello world'],
      ]);
    });

    test('a function that returns the right input', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .cross(getSmall5TupleDataSet(env))
        .using((_l, r) => r)
        .collect();
      assertSameMultiset(result, [
        [1, 1, 0, 'Hallo', 1],
        [1, 1, 0, 'Hallo', 1],
        [1, 1, 0, 'Hallo', 1],
        [2, 2, 1, 'Hallo Welt', 2],
        [2, 2, 1, 'Hallo Welt', 2],
        [2, 2, 1, 'Hallo Welt', 2],
        [2, 3, 2, 'Hallo Welt wie', 1],
        [2, 3, 2, 'Hallo Welt wie', 1],
        [2, 3, 2, 'Hallo Welt wie', 1],
      ]);
    });

    test('a function that mutates and returns its inputs (snapshots)', async () => {
      const env = envAt(p);
      const result = await env
        .fromElements<[string]>(['a'], ['b'])
        .cross(env.fromElements<[string]>(['x'], ['y']))
        .using((l, r) => {
          l[0] += r[0];
          return l;
        })
        .collect();
      assertSameMultiset(result, [['ax'], ['ay'], ['bx'], ['by']]);
    });

    test('a rich CrossFunction reads a broadcast set', async () => {
      class BroadcastCross extends CrossFunction<Tuple5, Tuple5, [number, number, number]> {
        private broadcast = 42;
        override open(ctx: RuntimeContext): void {
          this.broadcast = broadcastSum(ctx);
        }
        override cross(first: Tuple5, second: Tuple5): [number, number, number] {
          return [first[0] + second[0], first[2] * second[2], this.broadcast];
        }
      }
      const env = envAt(p);
      const result = await getSmall5TupleDataSet(env).cross(getSmall5TupleDataSet(env)).using(new BroadcastCross()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(result, [
        [2, 0, 55],
        [3, 0, 55],
        [3, 0, 55],
        [3, 0, 55],
        [4, 1, 55],
        [4, 2, 55],
        [3, 0, 55],
        [4, 2, 55],
        [4, 4, 55],
      ]);
    });

    test('crossWithHuge gives the same result', async () => {
      const env = envAt(p);
      const result = await getSmall5TupleDataSet(env).crossWithHuge(getSmall5TupleDataSet(env)).using(tuple5Cross).collect();
      assertSameMultiset(result, TUPLE5_CROSS);
    });

    test('crossWithTiny gives the same result', async () => {
      const env = envAt(p);
      const result = await getSmall5TupleDataSet(env).crossWithTiny(getSmall5TupleDataSet(env)).using(tuple5Cross).collect();
      assertSameMultiset(result, TUPLE5_CROSS);
    });

    test('projectFirst(2, 1).projectSecond(3).projectFirst(0).projectSecond(4, 1)', async () => {
      const env = envAt(p);
      const crossed: DataSet<[string, number, string, number, number, number]> = getSmall3TupleDataSet(env)
        .cross(getSmall5TupleDataSet(env))
        .projectFirst(2, 1)
        .projectSecond(3)
        .projectFirst(0)
        .projectSecond(4, 1);
      assertSameMultiset(await crossed.collect(), [
        ['Hi', 1, 'Hallo', 1, 1, 1],
        ['Hi', 1, 'Hallo Welt', 1, 2, 2],
        ['Hi', 1, 'Hallo Welt wie', 1, 1, 3],
        ['Hello', 2, 'Hallo', 2, 1, 1],
        ['Hello', 2, 'Hallo Welt', 2, 2, 2],
        ['Hello', 2, 'Hallo Welt wie', 2, 1, 3],
        ['Hello world', 2, 'Hallo', 3, 1, 1],
        ['Hello world', 2, 'Hallo Welt', 3, 2, 2],
        ['Hello world', 2, 'Hallo Welt wie', 3, 1, 3],
      ]);
    });

    test('projectSecond(3).projectFirst(2, 1).projectSecond(4, 1).projectFirst(0)', async () => {
      const env = envAt(p);
      const crossed: DataSet<[string, string, number, number, number, number]> = getSmall3TupleDataSet(env)
        .cross(getSmall5TupleDataSet(env))
        .projectSecond(3)
        .projectFirst(2, 1)
        .projectSecond(4, 1)
        .projectFirst(0);
      assertSameMultiset(await crossed.collect(), [
        ['Hallo', 'Hi', 1, 1, 1, 1],
        ['Hallo Welt', 'Hi', 1, 2, 2, 1],
        ['Hallo Welt wie', 'Hi', 1, 1, 3, 1],
        ['Hallo', 'Hello', 2, 1, 1, 2],
        ['Hallo Welt', 'Hello', 2, 2, 2, 2],
        ['Hallo Welt wie', 'Hello', 2, 1, 3, 2],
        ['Hallo', 'Hello world', 2, 1, 1, 3],
        ['Hallo Welt', 'Hello world', 2, 2, 2, 3],
        ['Hallo Welt wie', 'Hello world', 2, 1, 3, 3],
      ]);
    });

    test('projectFirst() without fields takes the whole left element', async () => {
      const env = envAt(p);
      const crossed: DataSet<[Tuple3, string]> = getSmall3TupleDataSet(env).cross(getSmall5TupleDataSet(env)).projectFirst().projectSecond(3);
      const lefts: Tuple3[] = [
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
        [3, 2, 'Hello world'],
      ];
      assertSameMultiset(
        await crossed.collect(),
        lefts.flatMap((l) => ['Hallo', 'Hallo Welt', 'Hallo Welt wie'].map((s) => [l, s])),
      );
    });

    test('without a function: the pairs [left, right]', async () => {
      const env = envAt(p);
      const crossed: DataSet<[Tuple3, Tuple5]> = getSmall3TupleDataSet(env).cross(getSmall5TupleDataSet(env));
      const lefts: Tuple3[] = [
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
        [3, 2, 'Hello world'],
      ];
      const rights: Tuple5[] = [
        [2, 2, 1, 'Hallo Welt', 2],
        [1, 1, 0, 'Hallo', 1],
        [2, 3, 2, 'Hallo Welt wie', 1],
      ];
      assertSameMultiset(
        await crossed.collect(),
        lefts.flatMap((l) => rights.map((r) => [l, r])),
      );
    });

    test('two object inputs', async () => {
      const env = envAt(p);
      const result = await getSmallCustomTypeDataSet(env)
        .cross(getSmallCustomTypeDataSet(env))
        .using(
          (a: CustomType, b: CustomType): CustomType => ({
            myInt: a.myInt * b.myInt,
            myLong: a.myLong + b.myLong,
            myString: a.myString + b.myString,
          }),
        )
        .collect();
      assertSameMultiset(result, [
        { myInt: 1, myLong: 0, myString: 'HiHi' },
        { myInt: 2, myLong: 1, myString: 'HiHello' },
        { myInt: 2, myLong: 2, myString: 'HiHello world' },
        { myInt: 2, myLong: 1, myString: 'HelloHi' },
        { myInt: 4, myLong: 2, myString: 'HelloHello' },
        { myInt: 4, myLong: 3, myString: 'HelloHello world' },
        { myInt: 2, myLong: 2, myString: 'Hello worldHi' },
        { myInt: 4, myLong: 3, myString: 'Hello worldHello' },
        { myInt: 4, myLong: 4, myString: 'Hello worldHello world' },
      ]);
    });

    test('a tuple input and an object input', async () => {
      const env = envAt(p);
      const result = await getSmall5TupleDataSet(env)
        .cross(getSmallCustomTypeDataSet(env))
        .using((t, c): Tuple3 => [t[0] + c.myInt, t[2] * c.myLong, t[3] + c.myString])
        .collect();
      assertSameMultiset(result, [
        [2, 0, 'HalloHi'],
        [3, 0, 'HalloHello'],
        [3, 0, 'HalloHello world'],
        [3, 0, 'Hallo WeltHi'],
        [4, 1, 'Hallo WeltHello'],
        [4, 2, 'Hallo WeltHello world'],
        [3, 0, 'Hallo Welt wieHi'],
        [4, 2, 'Hallo Welt wieHello'],
        [4, 4, 'Hallo Welt wieHello world'],
      ]);
    });

    test('with an empty side: nothing', async () => {
      const env = envAt(p);
      const empty = getSmall5TupleDataSet(env).filter(() => false);
      assertSameMultiset(await getSmall3TupleDataSet(env).cross(empty).collect(), []);
      assertSameMultiset(await empty.crossWithHuge(getSmall3TupleDataSet(env)).collect(), []);
    });

    test('parallel inputs: every pair exactly once', async () => {
      const env = envAt(p);
      const result = await env
        .generateSequence(1, 12)
        .cross(env.generateSequence(1, 5))
        .using((a, b) => a * 100 + b)
        .collect();
      const expected: number[] = [];
      for (let a = 1; a <= 12; a++) for (let b = 1; b <= 5; b++) expected.push(a * 100 + b);
      assertSameMultiset(result, expected);
    });
  });
}
