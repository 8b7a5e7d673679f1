/** `filter`: keeps the elements the predicate accepts (cases after Flink's FilterITCase). */
import { describe, test } from 'node:test';
import { FilterFunction, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE3, type Tuple3, get3TupleDataSet, getCustomTypeDataSet, getIntegerDataSet, getStringDataSet } from './collection-data-sets.ts';

for (const p of PARALLELISMS) {
  describe(`filter at p=${p}`, () => {
    test('an all-rejecting filter yields nothing', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .filter(() => false)
        .collect();
      assertSameMultiset(result, []);
    });

    test('an all-passing filter yields everything', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .filter(() => true)
        .collect();
      assertSameMultiset(result, TUPLE3);
    });

    test('on a string field', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .filter((t) => t[2].includes('world'))
        .collect();
      assertSameMultiset(result, [
        [3, 2, 'Hello world'],
        [4, 3, 'Hello world, how are you?'],
      ]);
    });

    test('on an integer field', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .filter((t) => t[0] % 2 === 0)
        .collect();
      assertSameMultiset(result, [
        [2, 2, 'Hello'],
        [4, 3, 'Hello world, how are you?'],
        [6, 3, 'Luke Skywalker'],
        [8, 4, 'Comment#2'],
        [10, 4, 'Comment#4'],
        [12, 5, 'Comment#6'],
        [14, 5, 'Comment#8'],
        [16, 6, 'Comment#10'],
        [18, 6, 'Comment#12'],
        [20, 6, 'Comment#14'],
      ]);
    });

    test('on a basic type', async () => {
      const result = await getStringDataSet(envAt(p))
        .filter((s) => s.startsWith('H'))
        .collect();
      assertSameMultiset(result, ['Hi', 'Hello', 'Hello world', 'Hello world, how are you?']);
    });

    test('on objects', async () => {
      const result = await getCustomTypeDataSet(envAt(p))
        .filter((c) => c.myString.includes('a'))
        .collect();
      assertSameMultiset(result, [
        { myInt: 3, myLong: 3, myString: 'Hello world, how are you?' },
        { myInt: 3, myLong: 4, myString: 'I am fine.' },
        { myInt: 3, myLong: 5, myString: 'Luke Skywalker' },
      ]);
    });

    test('a rich filter with a broadcast maximum', async () => {
      class BelowMax extends FilterFunction<Tuple3> {
        private literal = -1;
        override open(ctx: RuntimeContext): void {
          for (const i of ctx.getBroadcastVariable<number>('ints')) this.literal = Math.max(this.literal, i);
        }
        override filter(value: Tuple3): boolean {
          return value[0] < this.literal;
        }
      }
      const env = envAt(p);
      const result = await get3TupleDataSet(env).filter(new BelowMax()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
        [3, 2, 'Hello world'],
        [4, 3, 'Hello world, how are you?'],
      ]);
    });

    test('a rich filter with a broadcast sum', async () => {
      class SumOver11 extends FilterFunction<Tuple3> {
        private broadcastSum = 0;
        override open(ctx: RuntimeContext): void {
          for (const i of ctx.getBroadcastVariable<number>('ints')) this.broadcastSum += i;
        }
        override filter(value: Tuple3): boolean {
          return value[1] === Math.trunc(this.broadcastSum / 11);
        }
      }
      const env = envAt(p);
      const result = await get3TupleDataSet(env).filter(new SumOver11()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(result, [
        [11, 5, 'Comment#5'],
        [12, 5, 'Comment#6'],
        [13, 5, 'Comment#7'],
        [14, 5, 'Comment#8'],
        [15, 5, 'Comment#9'],
      ]);
    });

    test('keeps elements whose predicate returns a truthy value, and null elements', async () => {
      const result = await envAt(p)
        .fromElements<number | null>(0, 1, null, 2, null)
        .filter((x) => x === null || x > 0)
        .collect();
      assertSameMultiset(result, [1, null, 2, null]);
    });

    test('chained filters', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .filter((t) => t[1] >= 5)
        .filter((t) => t[0] % 3 === 0)
        .map((t) => t[0])
        .collect();
      assertSameMultiset(result, [12, 15, 18, 21]);
    });
  });
}
