/** `withBroadcastSet(name, ds)`: the whole of `ds` in every parallel instance as `this.context.getBroadcastVariable(name)`. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, GroupReduceFunction, MapFunction, MapPartitionFunction, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { INTEGERS, type Tuple3, broadcastSum, get3TupleDataSet, getIntegerDataSet, parallelize } from './collection-data-sets.ts';

/** One row per parallel instance: its index, and the size and sum of the broadcast set it sees. */
class BroadcastProbe<T> extends MapPartitionFunction<T, [number, number, number]> {
  override mapPartition(_values: Iterable<T>, out: Collector<[number, number, number]>): void {
    const ints = this.context.getBroadcastVariable<number>('ints');
    out.collect([this.context.getIndexOfThisSubtask(), ints.length, ints.reduce((a, b) => a + b, 0)]);
  }
}

for (const p of PARALLELISMS) {
  describe(`withBroadcastSet at p=${p}`, () => {
    test('every parallel instance sees the whole broadcast set', async () => {
      const env = envAt(p);
      const result = await parallelize(get3TupleDataSet(env)).mapPartition(new BroadcastProbe<Tuple3>()).withBroadcastSet(getIntegerDataSet(env), 'ints').collect();
      assertSameMultiset(
        result,
        Array.from({ length: p }, (_, i) => [i, 15, 55]),
      );
    });

    test('a parallel broadcast source is gathered whole too', async () => {
      const env = envAt(p);
      const result = await env.generateSequence(1, 4).mapPartition(new BroadcastProbe<number>()).withBroadcastSet(env.generateSequence(1, 10), 'ints').collect();
      assertSameMultiset(
        result,
        Array.from({ length: p }, (_, i) => [i, 10, 55]),
      );
    });

    test('both argument orders: (name, ds) and (ds, name)', async () => {
      const env = envAt(p);
      const ints = getIntegerDataSet(env);
      const a = await parallelize(get3TupleDataSet(env)).mapPartition(new BroadcastProbe<Tuple3>()).withBroadcastSet('ints', ints).collect();
      const b = await parallelize(get3TupleDataSet(env)).mapPartition(new BroadcastProbe<Tuple3>()).withBroadcastSet(ints, 'ints').collect();
      assertSameMultiset(a, b);
      assert.equal(a.length, p);
    });

    test('read through this.context in the function body, not only in open()', async () => {
      class AddMax extends MapFunction<number, number> {
        override map(v: number): number {
          return v + Math.max(...this.context.getBroadcastVariable<number>('ints'));
        }
      }
      const env = envAt(p);
      const result = await env.generateSequence(1, 5).map(new AddMax()).withBroadcastSet('ints', getIntegerDataSet(env)).collect();
      assertSameMultiset(result, [6, 7, 8, 9, 10]);
    });

    test('several broadcast sets on one operator', async () => {
      class Both extends MapFunction<number, [number, number, string]> {
        private sum = 0;
        private words: string[] = [];
        override open(ctx: RuntimeContext): void {
          this.sum = broadcastSum(ctx);
          this.words = ctx.getBroadcastVariable<string>('words');
        }
        override map(v: number): [number, number, string] {
          return [v, this.sum, [...this.words].sort().join(',')];
        }
      }
      const env = envAt(p);
      const result = await env.generateSequence(1, 3).map(new Both()).withBroadcastSet('ints', getIntegerDataSet(env)).withBroadcastSet('words', env.fromElements('b', 'a')).collect();
      assertSameMultiset(result, [
        [1, 55, 'a,b'],
        [2, 55, 'a,b'],
        [3, 55, 'a,b'],
      ]);
    });

    test('a computed data set (a reduce result) as broadcast set', async () => {
      class OverMax extends MapFunction<Tuple3, [number, number]> {
        override map(t: Tuple3): [number, number] {
          const [max] = this.context.getBroadcastVariable<number>('max');
          return [t[0], t[0] / max!];
        }
      }
      const env = envAt(p);
      const ds = get3TupleDataSet(env);
      const max = ds.map((t) => t[0]).reduce((a, b) => Math.max(a, b));
      const result = await ds
        .filter((t) => t[0] % 7 === 0)
        .map(new OverMax())
        .withBroadcastSet('max', max)
        .collect();
      assertSameMultiset(result, [
        [7, 1 / 3],
        [14, 2 / 3],
        [21, 1],
      ]);
    });

    test('one broadcast set read by two operators, and by a grouped reduceGroup', async () => {
      class GroupWithBroadcast extends GroupReduceFunction<Tuple3, [number, number]> {
        override reduce(values: Iterable<Tuple3>, out: Collector<[number, number]>): void {
          const n = this.context.getBroadcastVariable<number>('ints').length;
          let key = 0;
          for (const t of values) key = t[1];
          out.collect([key, n]);
        }
      }
      const env = envAt(p);
      const ints = getIntegerDataSet(env);
      const ds = get3TupleDataSet(env);
      const grouped = await ds.groupBy(1).reduceGroup(new GroupWithBroadcast()).withBroadcastSet('ints', ints).collect();
      assertSameMultiset(
        grouped,
        [1, 2, 3, 4, 5, 6].map((k) => [k, INTEGERS.length]),
      );
      const probed = await parallelize(ds).mapPartition(new BroadcastProbe<Tuple3>()).withBroadcastSet('ints', ints).collect();
      assert.equal(probed.length, p);
    });

    test('an empty broadcast set is an empty array', async () => {
      const env = envAt(p);
      const result = await env
        .fromElements(1)
        .mapPartition(new BroadcastProbe<number>())
        .withBroadcastSet(
          'ints',
          getIntegerDataSet(env).filter(() => false),
        )
        .collect();
      assert.ok(result.length >= 1);
      for (const [, n, sum] of result) {
        assert.equal(n, 0);
        assert.equal(sum, 0);
      }
    });

    test('an unknown broadcast name fails the job with an error naming it', async () => {
      class Wrong extends MapFunction<number, number> {
        override map(v: number): number {
          return v + this.context.getBroadcastVariable<number>('nope').length;
        }
      }
      const env = envAt(p);
      const ds = env.fromElements(1, 2).map(new Wrong()).withBroadcastSet('ints', getIntegerDataSet(env));
      await assert.rejects(ds.collect(), /nope/);
    });
  });
}
