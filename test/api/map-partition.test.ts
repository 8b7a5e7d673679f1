/** `mapPartition`: the function runs once per parallel partition, empty ones included; after Flink's MapPartitionITCase. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, MapPartitionFunction } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';
import { TUPLE3, type Tuple3, get3TupleDataSet } from './collection-data-sets.ts';

const IN = `1 1\n2 2\n2 8\n4 4\n4 4\n6 6\n7 7\n8 8\n1 1\n2 2\n2 2\n4 4\n4 4\n6 3\n5 9\n8 8\n1 1\n2 2\n2 2\n3 0\n4 4\n5 9\n7 7\n8 8\n1 1\n9 1\n5 9\n4 4\n4 4\n6 6\n7 7\n8 8`;
const RESULT = `1 11\n2 12\n4 14\n4 14\n1 11\n2 12\n2 12\n4 14\n4 14\n3 16\n1 11\n2 12\n2 12\n0 13\n4 14\n1 11\n4 14\n4 14`;

const pairs = (text: string): [string, string][] => text.split('\n').map((l) => l.split(' ') as [string, string]);

/** Emits `[subtask, parallelism, number of records]` once per call. */
class PartitionSizes<T> extends MapPartitionFunction<T, [number, number, number]> {
  override mapPartition(values: Iterable<T>, out: Collector<[number, number, number]>): void {
    let n = 0;
    for (const _ of values) n++;
    out.collect([this.context.getIndexOfThisSubtask(), this.context.getNumberOfParallelSubtasks(), n]);
  }
}

for (const p of PARALLELISMS) {
  describe(`mapPartition at p=${p}`, () => {
    test('filters and converts every record of its partition (MapPartitionITCase)', async () => {
      const result = await envAt(p)
        .fromCollection(pairs(IN))
        .mapPartition((values: Iterable<[string, string]>, out: Collector<[string, number]>) => {
          for (const [k, v] of values) {
            const key = Number.parseInt(k, 10);
            const value = Number.parseInt(v, 10);
            if (key + value < 10) out.collect([v, key + 10]);
          }
        })
        .collect();
      assertSameMultiset(
        result,
        pairs(RESULT).map(([a, b]) => [a, Number(b)]),
      );
    });

    test('outputs by return value (a generator)', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .mapPartition(function* (values: Iterable<Tuple3>) {
          for (const t of values) if (t[1] === 2) yield t[2];
        })
        .collect();
      assertSameMultiset(result, ['Hello', 'Hello world']);
    });

    test('outputs by return value (one array per partition)', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .mapPartition((values: Iterable<Tuple3>) => [[...values].reduce((s, t) => s + t[0], 0)])
        .collect();
      assert.equal(result.length, p);
      assert.equal(
        result.reduce((a, b) => a + b, 0),
        231,
      );
    });

    test('called once per parallel instance, and sees every record once', async () => {
      const result = await get3TupleDataSet(envAt(p)).rebalance().mapPartition(new PartitionSizes<Tuple3>()).collect();
      assert.equal(result.length, p);
      assert.deepEqual(
        result.map((r) => r[0]).sort(),
        Array.from({ length: p }, (_, i) => i),
      );
      for (const r of result) assert.equal(r[1], p);
      assert.equal(
        result.reduce((s, r) => s + r[2], 0),
        21,
      );
    });

    test('called for empty partitions too', async () => {
      const result = await envAt(p).fromElements(7).rebalance().mapPartition(new PartitionSizes<number>()).collect();
      assert.equal(result.length, p);
      assert.deepEqual(result.map((r) => r[2]).sort(), [...Array.from({ length: p - 1 }, () => 0), 1]);
    });

    test('called on an entirely empty input', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .filter(() => false)
        .mapPartition(new PartitionSizes<Tuple3>())
        .collect();
      assert.equal(result.length, p);
      for (const r of result) assert.equal(r[2], 0);
    });

    test('the iterable may be read partly; no record is lost for the next operator', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .mapPartition((values: Iterable<Tuple3>) => {
          for (const t of values) return [t[0]];
          return [];
        })
        .collect();
      assert.ok(result.length >= 1 && result.length <= p);
      for (const v of result) assert.ok(TUPLE3.some((t) => t[0] === v));
    });

    test('after partitionByHash every key sits in one partition', async () => {
      const result = await get3TupleDataSet(envAt(p))
        .partitionByHash(1)
        .mapPartition((values: Iterable<Tuple3>) => [...new Set([...values].map((t) => t[1]))])
        .collect();
      assertSameMultiset(result, [1, 2, 3, 4, 5, 6]);
    });
  });
}
