/** `flatMap`: outputs by return value (an iterable), by `out.collect`, or both (cases after Flink's FlatMapITCase). */
import { describe, test } from 'node:test';
import { type Collector, FlatMapFunction, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { CUSTOM_TYPES, type CustomType, STRINGS, TUPLE3, type Tuple3, broadcastSum, get3TupleDataSet, getCustomTypeDataSet, getIntegerDataSet, getStringDataSet } from './collection-data-sets.ts';

for (const p of PARALLELISMS) {
  describe(`flatMap at p=${p}`, () => {
    test('a function that emits nothing yields an empty set', async () => {
      const result = await getStringDataSet(envAt(p))
        .flatMap((value: string, out: Collector<string>) => {
          if (value.includes('bananas')) out.collect(value);
        })
        .collect();
      assertSameMultiset(result, []);
    });

    test('out.collect called twice per element duplicates the data', async () => {
      const result = await getStringDataSet(envAt(p))
        .flatMap((value: string, out: Collector<string>) => {
          out.collect(value);
          out.collect(value.toUpperCase());
        })
        .collect();
      assertSameMultiset(
        result,
        STRINGS.flatMap((s) => [s, s.toUpperCase()]),
      );
    });

    test('a varying number of outputs per element (f0 % 3 copies)', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .flatMap((value: Tuple3, out: Collector<Tuple3>) => {
          for (let i = 0; i < value[0] % 3; i++) out.collect(value);
        })
        .collect();
      assertSameMultiset(result, [
        [1, 1, 'Hi'],
        [2, 2, 'Hello'],
        [2, 2, 'Hello'],
        [4, 3, 'Hello world, how are you?'],
        [5, 3, 'I am fine.'],
        [5, 3, 'I am fine.'],
        [7, 4, 'Comment#1'],
        [8, 4, 'Comment#2'],
        [8, 4, 'Comment#2'],
        [10, 4, 'Comment#4'],
        [11, 5, 'Comment#5'],
        [11, 5, 'Comment#5'],
        [13, 5, 'Comment#7'],
        [14, 5, 'Comment#8'],
        [14, 5, 'Comment#8'],
        [16, 6, 'Comment#10'],
        [17, 6, 'Comment#11'],
        [17, 6, 'Comment#11'],
        [19, 6, 'Comment#13'],
        [20, 6, 'Comment#14'],
        [20, 6, 'Comment#14'],
      ]);
    });

    test('a rich function that fills one output tuple and collects it for every element', async () => {
      class ToTuple extends FlatMapFunction<CustomType, Tuple3> {
        private readonly outTuple: Tuple3 = [0, 0, ''];
        override flatMap(value: CustomType, out: Collector<Tuple3>): void {
          this.outTuple[0] = value.myInt;
          this.outTuple[1] = value.myLong;
          this.outTuple[2] = value.myString;
          out.collect(this.outTuple);
        }
      }
      const result = await getCustomTypeDataSet(envAt(p)).flatMap(new ToTuple()).collect();
      assertSameMultiset(
        result,
        CUSTOM_TYPES.map((c) => [c.myInt, c.myLong, c.myString]),
      );
    });

    test('outputs as a returned array', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .flatMap((t) => [t[2]])
        .collect();
      assertSameMultiset(
        result,
        TUPLE3.map((t) => t[2]),
      );
    });

    test('outputs as a returned generator', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .flatMap(function* (t: Tuple3) {
          for (let i = 0; i < t[0] % 3; i++) yield t[0];
        })
        .collect();
      assertSameMultiset(result, [1, 2, 2, 4, 5, 5, 7, 8, 8, 10, 11, 11, 13, 14, 14, 16, 17, 17, 19, 20, 20]);
    });

    test('a returned empty array emits nothing', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .flatMap((): Tuple3[] => [])
        .collect();
      assertSameMultiset(result, []);
    });

    test('out.collect and a returned iterable in the same call both count', async () => {
      const result = await envAt(p)
        .fromElements('a b', 'c')
        .flatMap((line: string, out: Collector<string>) => {
          out.collect(`line:${line}`);
          return line.split(' ');
        })
        .collect();
      assertSameMultiset(result, ['line:a b', 'a', 'b', 'line:c', 'c']);
    });

    test('the input object emitted several times, changed in between (snapshots)', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .flatMap((value: Tuple3, out: Collector<Tuple3>) => {
          const n = value[0] % 4;
          for (let i = 0; i < n; i++) {
            value[0] = i;
            out.collect(value);
          }
        })
        .collect();
      assertSameMultiset(result, [
        [0, 1, 'Hi'],
        [0, 2, 'Hello'],
        [1, 2, 'Hello'],
        [0, 2, 'Hello world'],
        [1, 2, 'Hello world'],
        [2, 2, 'Hello world'],
        [0, 3, 'I am fine.'],
        [0, 3, 'Luke Skywalker'],
        [1, 3, 'Luke Skywalker'],
        [0, 4, 'Comment#1'],
        [1, 4, 'Comment#1'],
        [2, 4, 'Comment#1'],
        [0, 4, 'Comment#3'],
        [0, 4, 'Comment#4'],
        [1, 4, 'Comment#4'],
        [0, 5, 'Comment#5'],
        [1, 5, 'Comment#5'],
        [2, 5, 'Comment#5'],
        [0, 5, 'Comment#7'],
        [0, 5, 'Comment#8'],
        [1, 5, 'Comment#8'],
        [0, 5, 'Comment#9'],
        [1, 5, 'Comment#9'],
        [2, 5, 'Comment#9'],
        [0, 6, 'Comment#11'],
        [0, 6, 'Comment#12'],
        [1, 6, 'Comment#12'],
        [0, 6, 'Comment#13'],
        [1, 6, 'Comment#13'],
        [2, 6, 'Comment#13'],
        [0, 6, 'Comment#15'],
      ]);
    });

    test('a rich function reads a broadcast set in open()', async () => {
      class BroadcastFlatMapper extends FlatMapFunction<Tuple3, Tuple3> {
        private sum = 0;
        override open(ctx: RuntimeContext): void {
          this.sum = broadcastSum(ctx);
        }
        override flatMap(value: Tuple3, out: Collector<Tuple3>): void {
          out.collect([this.sum, value[1], value[2]]);
        }
      }
      const env = envAt(p);
      const result = await get3TupleDataSet(env).flatMap(new BroadcastFlatMapper()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(
        result,
        TUPLE3.map(([, b, c]) => [55, b, c]),
      );
    });

    test('a rich function may return its outputs too', async () => {
      class Splitter extends FlatMapFunction<string, string> {
        override flatMap(value: string): Iterable<string> {
          return value.split(' ');
        }
      }
      const result = await getStringDataSet(envAt(p)).flatMap(new Splitter()).collect();
      assertSameMultiset(
        result,
        STRINGS.flatMap((s) => s.split(' ')),
      );
    });

    test('word count: flatMap then groupBy and sum', async () => {
      const result = await getStringDataSet(envAt(p))
        .flatMap((line) =>
          line
            .toLowerCase()
            .split(/\W+/)
            .filter((w) => w !== ''),
        )
        .map((w): [string, number] => [w, 1])
        .groupBy(0)
        .sum(1)
        .collect();
      assertSameMultiset(result, [
        ['hi', 1],
        ['hello', 3],
        ['world', 2],
        ['how', 1],
        ['are', 1],
        ['you', 1],
        ['i', 1],
        ['am', 1],
        ['fine', 1],
        ['luke', 1],
        ['skywalker', 1],
        ['random', 1],
        ['comment', 1],
        ['lol', 1],
      ]);
    });
  });
}
