/**
 * `partitionByRange(key)` (Flink's, after its PartitionITCase.testRangePartition*): lower keys
 * in lower partitions, ranges that do not overlap, about equal sizes, every element once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, MapPartitionFunction } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';

/** `[subtask, keys in the partition]`. */
class Keys<T> extends MapPartitionFunction<T, [number, unknown[]]> {
  readonly key: (v: T) => unknown;
  constructor(key: (v: T) => unknown) {
    super();
    this.key = key;
  }
  mapPartition(values: Iterable<T>, out: Collector<[number, unknown[]]>): void {
    out.collect([this.context.getIndexOfThisSubtask(), [...values].map(this.key)]);
  }
}

const order = (a: unknown, b: unknown): number => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);

function assertRanges(parts: [number, unknown[]][], p: number, total: number): void {
  const ordered = [...parts].sort((a, b) => a[0] - b[0]).filter(([, ks]) => ks.length > 0);
  assert.equal(
    ordered.reduce((n, [, ks]) => n + ks.length, 0),
    total,
  );
  for (let i = 1; i < ordered.length; i++) {
    const prevMax = [...ordered[i - 1]![1]].sort(order).at(-1) as number;
    const min = [...ordered[i]![1]].sort(order)[0] as number;
    assert.ok(prevMax < min, `partition ${ordered[i - 1]![0]} ends at ${prevMax}, partition ${ordered[i]![0]} starts at ${min}`);
  }
  if (p > 1) for (const [, ks] of ordered) assert.ok(ks.length > (total / p) * 0.6 && ks.length < (total / p) * 1.4, `a partition of ${ks.length} of ${total}`);
}

for (const p of PARALLELISMS) {
  describe(`partitionByRange at p=${p}`, () => {
    test('by a field: ordered, non-overlapping, balanced ranges', async () => {
      const n = 4000;
      const ds = envAt(p)
        .generateSequence(1, n)
        .map((i) => [(i * 7919) % n, `v${i}`])
        .rebalance();
      const ranged = ds.partitionByRange(0);
      assertSameMultiset(
        (await ranged.collect()).map((t) => t[0]),
        Array.from({ length: n }, (_, i) => i),
      );
      const parts = await ranged.mapPartition(new Keys<[number, string]>((t) => t[0])).collect();
      assertRanges(parts, p, n);
    });

    test('by a key selector of strings, with many equal keys', async () => {
      const words = Array.from({ length: 3000 }, (_, i) => `w${String(i % 300).padStart(3, '0')}`);
      const parts = await envAt(p)
        .fromCollection(words)
        .rebalance()
        .partitionByRange((w) => w)
        .mapPartition(new Keys<string>((w) => w))
        .collect();
      assertRanges(parts as [number, unknown[]][], p, 3000);
      // a key is never split between partitions
      const where = new Map<unknown, Set<number>>();
      for (const [s, ks] of parts) for (const k of ks) where.set(k, (where.get(k) ?? new Set()).add(s));
      assert.ok([...where.values()].every((s) => s.size === 1));
    });
  });
}
