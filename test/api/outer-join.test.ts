/**
 * `leftOuterJoin`, `rightOuterJoin`, `fullOuterJoin`: the missing side is `null`;
 * `.using(f)` is required. After Flink's OuterJoinITCase.
 */
import { describe, test } from 'node:test';
import { JoinFunction, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import {
  type CustomType,
  SMALL_POJOS,
  SMALL_TUPLE7,
  type Tuple3,
  type Tuple5,
  broadcastSum,
  getIntegerDataSet,
  getSmall3TupleDataSet,
  getSmall5TupleDataSet,
  getSmallCustomTypeDataSet,
  getSmallPojoDataSet,
  getSmallTuple7DataSet,
} from './collection-data-sets.ts';

/** Flink's T3T5FlatJoin for outer joins: a missing side gives "null". */
const t3t5 = (first: Tuple3 | null, second: Tuple5 | null): [string | null, string | null] => [first?.[2] ?? null, second?.[3] ?? null];

for (const p of PARALLELISMS) {
  describe(`outer joins at p=${p}`, () => {
    test('left outer join: unmatched left elements pair with null', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env).leftOuterJoin(getSmall5TupleDataSet(env)).where(0).equalTo(0).using(t3t5).collect();
      assertSameMultiset(result, [
        ['Hi', 'Hallo'],
        ['Hello', 'Hallo Welt'],
        ['Hello', 'Hallo Welt wie'],
        ['Hello world', null],
      ]);
    });

    test('right outer join: unmatched right elements pair with null', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env).rightOuterJoin(getSmall5TupleDataSet(env)).where(1).equalTo(1).using(t3t5).collect();
      assertSameMultiset(result, [
        ['Hi', 'Hallo'],
        ['Hello', 'Hallo Welt'],
        [null, 'Hallo Welt wie'],
        ['Hello world', 'Hallo Welt'],
      ]);
    });

    test('full outer join: unmatched elements of both sides', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env).fullOuterJoin(getSmall5TupleDataSet(env)).where(0).equalTo(2).using(t3t5).collect();
      assertSameMultiset(result, [
        [null, 'Hallo'],
        ['Hi', 'Hallo Welt'],
        ['Hello', 'Hallo Welt wie'],
        ['Hello world', null],
      ]);
    });

    test('full outer join on two key positions each', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env).fullOuterJoin(getSmall5TupleDataSet(env)).where(0, 1).equalTo(0, 4).using(t3t5).collect();
      assertSameMultiset(result, [
        ['Hi', 'Hallo'],
        ['Hello', 'Hallo Welt'],
        ['Hello world', null],
        [null, 'Hallo Welt wie'],
      ]);
    });

    test('a rich function reads a broadcast set', async () => {
      class BroadcastJoin extends JoinFunction<Tuple3 | null, Tuple5 | null, [string | null, string | null, number]> {
        private broadcast = 0;
        override open(ctx: RuntimeContext): void {
          this.broadcast = broadcastSum(ctx);
        }
        override join(first: Tuple3 | null, second: Tuple5 | null): [string | null, string | null, number] {
          return [first?.[2] ?? null, second?.[3] ?? null, this.broadcast];
        }
      }
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .fullOuterJoin(getSmall5TupleDataSet(env))
        .where(1)
        .equalTo(4)
        .using(new BroadcastJoin())
        .withBroadcastSet(getIntegerDataSet(env), 'ints')
        .collect();
      assertSameMultiset(result, [
        ['Hi', 'Hallo', 55],
        ['Hi', 'Hallo Welt wie', 55],
        ['Hello', 'Hallo Welt', 55],
        ['Hello world', 'Hallo Welt', 55],
      ]);
    });

    test('objects keyed by a selector against tuples keyed by position', async () => {
      const env = envAt(p);
      const result = await getSmallCustomTypeDataSet(env)
        .fullOuterJoin(getSmall3TupleDataSet(env))
        .where((c) => c.myInt)
        .equalTo(0)
        .using((c: CustomType | null, t: Tuple3 | null) => [c?.myString ?? null, t?.[2] ?? null])
        .collect();
      assertSameMultiset(result, [
        ['Hi', 'Hi'],
        ['Hello', 'Hello'],
        ['Hello world', 'Hello'],
        [null, 'Hello world'],
      ]);
    });

    test('tuples keyed by position against objects keyed by a selector', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .fullOuterJoin(getSmallCustomTypeDataSet(env))
        .where(1)
        .equalTo((c) => c.myLong)
        .using((t: Tuple3 | null, c: CustomType | null) => [t?.[2] ?? null, c?.myString ?? null])
        .collect();
      assertSameMultiset(result, [
        [null, 'Hi'],
        ['Hi', 'Hello'],
        ['Hello', 'Hello world'],
        ['Hello world', 'Hello world'],
      ]);
    });

    test('selectors returning tuples', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .fullOuterJoin(getSmall5TupleDataSet(env))
        .where((t) => [t[0], t[1]])
        .equalTo((t) => [t[0], t[4]])
        .using(t3t5)
        .collect();
      assertSameMultiset(result, [
        ['Hi', 'Hallo'],
        ['Hello', 'Hallo Welt'],
        ['Hello world', null],
        [null, 'Hallo Welt wie'],
      ]);
    });

    test('a dotted path into objects against a tuple position; the function gets both sides', async () => {
      const env = envAt(p);
      const result = await getSmallPojoDataSet(env)
        .fullOuterJoin(getSmallTuple7DataSet(env))
        .where('nestedPojo.longNumber')
        .equalTo(6)
        .using((l, r) => [l, r])
        .collect();
      assertSameMultiset(
        result,
        SMALL_POJOS.map((pojo, i) => [pojo, SMALL_TUPLE7[i]]),
      );
    });

    test('several field names and paths against several positions', async () => {
      const env = envAt(p);
      const result = await getSmallPojoDataSet(env)
        .fullOuterJoin(getSmallTuple7DataSet(env))
        .where('nestedPojo.longNumber', 'number', 'str')
        .equalTo(6, 0, 1)
        .using((l, r) => [l?.number ?? null, r?.[1] ?? null])
        .collect();
      assertSameMultiset(result, [
        [1, 'First'],
        [2, 'Second'],
        [3, 'Third'],
      ]);
    });

    test('left outer join with an empty right side keeps every left element', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .leftOuterJoin(getSmall5TupleDataSet(env).filter(() => false))
        .where(0)
        .equalTo(0)
        .using(t3t5)
        .collect();
      assertSameMultiset(result, [
        ['Hi', null],
        ['Hello', null],
        ['Hello world', null],
      ]);
    });

    test('right outer join with an empty left side keeps every right element', async () => {
      const env = envAt(p);
      const result = await getSmall3TupleDataSet(env)
        .filter(() => false)
        .rightOuterJoin(getSmall5TupleDataSet(env))
        .where(0)
        .equalTo(0)
        .using(t3t5)
        .collect();
      assertSameMultiset(result, [
        [null, 'Hallo'],
        [null, 'Hallo Welt'],
        [null, 'Hallo Welt wie'],
      ]);
    });

    test('full outer join: duplicates on both sides pair up, the rest pair with null', async () => {
      const env = envAt(p);
      const left = env.fromElements<[string, number]>(['a', 1], ['a', 2], ['b', 3], ['c', 4]);
      const right = env.fromElements<[string, string]>(['a', 'x'], ['a', 'y'], ['d', 'z']);
      const result = await left
        .fullOuterJoin(right)
        .where(0)
        .equalTo(0)
        .using((l, r) => `${l?.[1] ?? '-'}${r?.[1] ?? '-'}`)
        .collect();
      assertSameMultiset(result, ['1x', '1y', '2x', '2y', '3-', '4-', '-z']);
    });

    test('inner, left, right and full outer joins agree on the matching pairs', async () => {
      const env = envAt(p);
      const left = env.generateSequence(1, 40).map((n): [number, number] => [n % 10, n]);
      const right = env.generateSequence(5, 14).map((n): [number, number] => [n, n * 100]);
      const matched = (l: [number, number] | null, r: [number, number] | null) => [l?.[1] ?? null, r?.[1] ?? null];
      const inner = await left.join(right).where(0).equalTo(0).using(matched).collect();
      const leftOuter = await left.leftOuterJoin(right).where(0).equalTo(0).using(matched).collect();
      const rightOuter = await left.rightOuterJoin(right).where(0).equalTo(0).using(matched).collect();
      const fullOuter = await left.fullOuterJoin(right).where(0).equalTo(0).using(matched).collect();
      // keys 5..9 match 4 left elements each; left keys 0..4 have no partner; right 10..14 have none
      const expectedInner = [5, 6, 7, 8, 9].flatMap((k) => [k, k + 10, k + 20, k + 30].map((l) => [l, k * 100]));
      const leftOnly = Array.from({ length: 40 }, (_, i) => i + 1)
        .filter((n) => n % 10 < 5)
        .map((l) => [l, null]);
      const rightOnly = [10, 11, 12, 13, 14].map((k) => [null, k * 100]);
      assertSameMultiset(inner, expectedInner);
      assertSameMultiset(leftOuter, [...expectedInner, ...leftOnly]);
      assertSameMultiset(rightOuter, [...expectedInner, ...rightOnly]);
      assertSameMultiset(fullOuter, [...expectedInner, ...leftOnly, ...rightOnly]);
    });
  });
}
