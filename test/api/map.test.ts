/** `map`: one output per element; plain and rich functions (cases after Flink's MapITCase). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import { IntCounter, MapFunction, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt, tempDir } from '../helpers.ts';
import { CUSTOM_TYPES, type CustomType, STRINGS, TUPLE3, type Tuple3, broadcastSum, get3TupleDataSet, getCustomTypeDataSet, getIntegerDataSet, getStringDataSet } from './collection-data-sets.ts';

/** Flink's RichMapper1: replaces field 0 by the sum of the broadcast set "ints". */
class BroadcastSumMapper extends MapFunction<Tuple3, Tuple3> {
  private sum = 0;
  override open(ctx: RuntimeContext): void {
    this.sum = broadcastSum(ctx);
  }
  override map(value: Tuple3): Tuple3 {
    return [this.sum, value[1], value[2]];
  }
}

for (const p of PARALLELISMS) {
  describe(`map at p=${p}`, () => {
    test('identity map on a basic type', async () => {
      const result = await getStringDataSet(envAt(p))
        .map((s) => s)
        .collect();
      assertSameMultiset(result, STRINGS);
    });

    test('identity map on tuples', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .map((t) => t)
        .collect();
      assertSameMultiset(result, TUPLE3);
    });

    test('type conversion: object to tuple', async () => {
      const result = await getCustomTypeDataSet(envAt(p))
        .map((c): Tuple3 => [c.myInt, c.myLong, c.myString])
        .collect();
      assertSameMultiset(result, [
        [1, 0, 'Hi'],
        [2, 1, 'Hello'],
        [2, 2, 'Hello world'],
        [3, 3, 'Hello world, how are you?'],
        [3, 4, 'I am fine.'],
        [3, 5, 'Luke Skywalker'],
        [4, 6, 'Comment#1'],
        [4, 7, 'Comment#2'],
        [4, 8, 'Comment#3'],
        [4, 9, 'Comment#4'],
        [5, 10, 'Comment#5'],
        [5, 11, 'Comment#6'],
        [5, 12, 'Comment#7'],
        [5, 13, 'Comment#8'],
        [5, 14, 'Comment#9'],
        [6, 15, 'Comment#10'],
        [6, 16, 'Comment#11'],
        [6, 17, 'Comment#12'],
        [6, 18, 'Comment#13'],
        [6, 19, 'Comment#14'],
        [6, 20, 'Comment#15'],
      ]);
    });

    test('type conversion: tuple to basic type', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .map((t) => t[2])
        .collect();
      assertSameMultiset(
        result,
        TUPLE3.map((t) => t[2]),
      );
      assert.ok(result.includes('Comment#15'));
    });

    test('increments a field and swaps the other two', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .map((t): [number, string, number] => [t[0] + 1, t[2], t[1]])
        .collect();
      assertSameMultiset(result, [
        [2, 'Hi', 1],
        [3, 'Hello', 2],
        [4, 'Hello world', 2],
        [5, 'Hello world, how are you?', 3],
        [6, 'I am fine.', 3],
        [7, 'Luke Skywalker', 3],
        [8, 'Comment#1', 4],
        [9, 'Comment#2', 4],
        [10, 'Comment#3', 4],
        [11, 'Comment#4', 4],
        [12, 'Comment#5', 5],
        [13, 'Comment#6', 5],
        [14, 'Comment#7', 5],
        [15, 'Comment#8', 5],
        [16, 'Comment#9', 5],
        [17, 'Comment#10', 6],
        [18, 'Comment#11', 6],
        [19, 'Comment#12', 6],
        [20, 'Comment#13', 6],
        [21, 'Comment#14', 6],
        [22, 'Comment#15', 6],
      ]);
    });

    test('a rich function that fills and returns one output object for every element (snapshots)', async () => {
      class LowercaseMapper extends MapFunction<CustomType, CustomType> {
        private readonly out: CustomType = { myInt: 0, myLong: 0, myString: '' };
        override map(value: CustomType): CustomType {
          this.out.myInt = value.myInt;
          this.out.myLong = value.myLong;
          this.out.myString = value.myString.toLowerCase();
          return this.out;
        }
      }
      const result = await getCustomTypeDataSet(envAt(p)).map(new LowercaseMapper()).collect();
      assertSameMultiset(
        result,
        CUSTOM_TYPES.map((c) => ({ ...c, myString: c.myString.toLowerCase() })),
      );
    });

    test('a function that mutates its input and returns it', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .map((t) => {
          t[0] += 1;
          return t;
        })
        .collect();
      assertSameMultiset(
        result,
        TUPLE3.map(([a, b, c]) => [a + 1, b, c]),
      );
    });

    test('a rich function reads a broadcast set in open()', async () => {
      const env = envAt(p);
      const result = await get3TupleDataSet(env).map(new BroadcastSumMapper()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(
        result,
        TUPLE3.map(([, b, c]) => [55, b, c]),
      );
    });

    test('chained maps of plain functions, closures and classes', async () => {
      class Trade {
        readonly v: string;
        constructor(v: string) {
          this.v = v;
        }
        toString(): string {
          return this.v;
        }
      }
      const result = await envAt(p)
        .fromElements(11, 12, 13, 14)
        .map((n) => String(n))
        .map((s) => s.replaceAll('1', '2'))
        .map((s) => new Trade(s))
        .map((t) => t.toString())
        .collect();
      assertSameMultiset(result, ['22', '22', '23', '24']);
    });

    test('map keeps every element, null and duplicates included', async () => {
      const result = await envAt(p)
        .fromElements<number | null>(1, null, 1, 2)
        .map((x) => (x === null ? 'none' : x * 10))
        .collect();
      assertSameMultiset(result, [10, 'none', 10, 20]);
    });

    test('a rich function sees its own context: subtask index and parallelism', async () => {
      class IndexMapper extends MapFunction<Tuple3, [number, number]> {
        override map(): [number, number] {
          return [this.context.getIndexOfThisSubtask(), this.context.getNumberOfParallelSubtasks()];
        }
      }
      const result = await get3TupleDataSet(envAt(p)).map(new IndexMapper()).collect();
      assert.equal(result.length, 21);
      for (const [index, n] of result) {
        assert.equal(n, p);
        assert.ok(index >= 0 && index < p, `subtask index ${index} out of range`);
      }
    });

    test('open() runs once per parallel instance before the first record, close() after the last', async () => {
      class Lifecycle extends MapFunction<number, [number, number]> {
        private opens = 0;
        private records = 0;
        private closed = false;
        override open(ctx: RuntimeContext): void {
          this.opens++;
          ctx.addAccumulator('opens', new IntCounter(1));
        }
        override map(v: number): [number, number] {
          if (this.closed) throw new Error('a record after close()');
          this.records++;
          return [v, this.opens];
        }
        override close(): void {
          this.closed = true;
          this.context.addAccumulator('recordsBeforeClose', new IntCounter(this.records));
          this.context.addAccumulator('closes', new IntCounter(1));
        }
      }
      const env = envAt(p);
      env.generateSequence(1, 20).map(new Lifecycle()).writeText(join(tempDir(), 'out'));
      const { accumulators } = await env.execute();
      assert.deepEqual(accumulators, { opens: p, closes: p, recordsBeforeClose: 20 });
      const seen = await env.generateSequence(1, 20).map(new Lifecycle()).collect();
      assertSameMultiset(
        seen,
        Array.from({ length: 20 }, (_, i) => [i + 1, 1]),
      );
    });

    test('count() and collect() agree', async () => {
      const env = envAt(p);
      const ds = get3TupleDataSet(env).map((t) => t[1]);
      assert.equal(await ds.count(), 21);
      assert.equal((await ds.collect()).length, 21);
    });
  });
}
