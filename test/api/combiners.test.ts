/**
 * Combiners: a combinable group-reduce runs `combine` on every producing partition's part of
 * every group (one-element groups included) before the shuffle, and `reduce` sees only what
 * `combine` emitted; a plain function with `combinable: true` is its own combiner; a grouped
 * `reduce` is always combined.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Collector, type DataSet, type ExecutionEnvironment, GroupReduceFunction, MapFunction, ReduceFunction } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { clearLog, record, recorded, spyLog } from '../spy.ts';

/** [key, value, tag]: `raw@<subtask>` for input records, `combined:<n>` for what combine emitted. */
type Tagged = [string, number, string];

class TagWithSubtask extends MapFunction<number, Tagged> {
  map(v: number): Tagged {
    // Keys k0..k3 have many elements per partition; solo<v> keys have one element in all.
    return [v < 40 ? `k${v % 4}` : `solo${v}`, v, `raw@${this.context.getIndexOfThisSubtask()}`];
  }
}

interface CombineCall {
  subtask: number;
  key: string;
  count: number;
  tags: string[];
}

// Spy logs the functions write to wherever they run (this thread at p=1, worker threads at p=4):
// each combine call, and the tag of every record reduce sees.
const combineLog = spyLog();
const reduceLog = spyLog();

class SumWithCombine extends GroupReduceFunction<Tagged, [string, number, number]> {
  override combine(values: Iterable<Tagged>, out: Collector<Tagged>): void {
    let key = '';
    let sum = 0;
    let count = 0;
    const tags: string[] = [];
    for (const [k, v, tag] of values) {
      key = k;
      sum += v;
      count++;
      tags.push(tag);
    }
    record(combineLog, { subtask: this.context.getIndexOfThisSubtask(), key, count, tags } satisfies CombineCall);
    out.collect([key, sum, `combined:${count}`]);
  }

  reduce(values: Iterable<Tagged>, out: Collector<[string, number, number]>): void {
    let key = '';
    let sum = 0;
    let count = 0;
    for (const [k, v, tag] of values) {
      record(reduceLog, tag);
      key = k;
      sum += v;
      count += tag.startsWith('combined:') ? Number(tag.slice('combined:'.length)) : 1;
    }
    out.collect([key, sum, count]);
  }
}

function expectedSums(from: number, to: number): [string, number, number][] {
  const m = new Map<string, [number, number]>();
  for (let v = from; v <= to; v++) {
    const key = v < 40 ? `k${v % 4}` : `solo${v}`;
    const [s, c] = m.get(key) ?? [0, 0];
    m.set(key, [s + v, c + 1]);
  }
  return [...m].map(([k, [s, c]]) => [k, s, c]);
}

interface PlanNodeJson {
  strategy: string;
  kind: string;
  parallelism: number;
}

/** The local strategies of the plan, in order; the sink added for it writes to a temp file if the job ever runs. */
function planStrategies<T>(env: ExecutionEnvironment, ds: DataSet<T>): string[] {
  ds.writeText(join(tempDir(), 'plan-sink'));
  const nodes = (JSON.parse(env.getExecutionPlan()) as { nodes: PlanNodeJson[] }).nodes;
  return nodes.map((n) => n.strategy);
}

describe('GroupReduceFunction with combine()', () => {
  for (const p of PARALLELISMS) {
    test(`combine runs once per (partition, group), one-element groups included, and reduce sees only its output, at p=${p}`, async () => {
      clearLog(combineLog);
      clearLog(reduceLog);
      const env = envAt(p);
      const tagged = env.generateSequence(0, 59).map(new TagWithSubtask());
      const result = await tagged.groupBy(0).reduceGroup(new SumWithCombine()).collect();
      assertSameMultiset(result, expectedSums(0, 59));
      const combineCalls = recorded<CombineCall>(combineLog);
      const reduceInputTags = recorded<string>(reduceLog);

      // reduce saw only combined records, one per producing partition of its group.
      // (A message on each assert.ok: without one, node:assert parses the tsx-compiled file to make one, which takes a minute.)
      assert.ok(reduceInputTags.length > 0, 'reduce saw records');
      assert.deepEqual(
        reduceInputTags.filter((t) => !t.startsWith('combined:')),
        [],
      );
      assert.equal(reduceInputTags.length, combineCalls.length);

      // Every combine call saw only its own partition's records of one group.
      for (const c of combineCalls) assert.deepEqual(new Set(c.tags), new Set([`raw@${c.subtask}`]), JSON.stringify(c));

      // Exactly one combine call per (partition, key) that the input has: computed from the same input, collected.
      const parts = await envAt(p).generateSequence(0, 59).map(new TagWithSubtask()).collect();
      const expectedCalls = new Map<string, number>();
      for (const [k, , tag] of parts) expectedCalls.set(`${tag.slice(4)}|${k}`, (expectedCalls.get(`${tag.slice(4)}|${k}`) ?? 0) + 1);
      assertSameMultiset(
        combineCalls.map((c) => [`${c.subtask}|${c.key}`, c.count]),
        [...expectedCalls],
      );
      // The 20 one-element groups were combined too.
      assert.equal(combineCalls.filter((c) => c.key.startsWith('solo')).length, 20);
      assert.ok(
        combineCalls.filter((c) => c.key.startsWith('solo')).every((c) => c.count === 1),
        'one-element groups combined alone',
      );
      if (p > 1) assert.ok(new Set(combineCalls.map((c) => c.subtask)).size === p, 'every producing partition combined');
    });

    test(`on the full set: combine per partition, then one reduce at p=${p}`, async () => {
      clearLog(combineLog);
      clearLog(reduceLog);
      const env = envAt(p);
      const result = await env
        .generateSequence(0, 39)
        .map(new TagWithSubtask())
        .map((t): Tagged => ['all', t[1], t[2]])
        .reduceGroup(new SumWithCombine())
        .collect();
      assert.deepEqual(result, [['all', 780, 40]]);
      const combineCalls = recorded<CombineCall>(combineLog);
      const reduceInputTags = recorded<string>(reduceLog);
      assert.equal(combineCalls.length, p);
      assert.deepEqual(
        combineCalls.map((c) => c.subtask).sort(),
        Array.from({ length: p }, (_, i) => i),
      );
      assert.equal(reduceInputTags.length, p);
      assert.ok(
        reduceInputTags.every((t) => t.startsWith('combined:')),
        reduceInputTags.join(),
      );
    });

    test(`the plan shows COMBINE before the shuffle at p=${p}`, () => {
      const env = envAt(p);
      const strategies = planStrategies(env, env.generateSequence(0, 9).map(new TagWithSubtask()).groupBy(0).reduceGroup(new SumWithCombine()));
      assert.deepEqual(strategies.slice(0, 4), ['SOURCE', 'MAP', 'COMBINE', 'HASH_GROUP']);
    });
  }

  test('a GroupReduceFunction without combine is not combined', () => {
    class NoCombine extends GroupReduceFunction<[number, number], number> {
      reduce(values: Iterable<[number, number]>, out: Collector<number>): void {
        out.collect([...values].length);
      }
    }
    const env = envAt(4);
    const strategies = planStrategies(env, env.fromElements<[number, number]>([1, 1]).groupBy(0).reduceGroup(new NoCombine()));
    assert.ok(!strategies.includes('COMBINE'), strategies.join(','));
  });
});

describe('a plain function with combinable: true is its own combiner', () => {
  for (const p of PARALLELISMS) {
    test(`called on each partition's part of each group, then on the combined values, at p=${p}`, async () => {
      const sizesLog = spyLog();
      const sumCounts = (values: Iterable<[number, number]>, out: Collector<[number, number]>): void => {
        let key = 0;
        let n = 0;
        let size = 0;
        for (const [k, c] of values) {
          key = k;
          n += c;
          size++;
        }
        record(sizesLog, size);
        out.collect([key, n]);
      };
      const env = envAt(p);
      const pairs = env.generateSequence(1, 400).map((v): [number, number] => [v % 2, 1]);
      assertSameMultiset(await pairs.groupBy(0).reduceGroup(sumCounts, { combinable: true }).collect(), [
        [0, 200],
        [1, 200],
      ]);
      const groupSizes = recorded<number>(sizesLog);
      // p partitions × 2 keys combined, then 2 groups of p combined values each.
      assert.equal(groupSizes.length, 2 * p + 2);
      const sorted = [...groupSizes].sort((a, b) => a - b);
      if (p > 1) assert.deepEqual(sorted.slice(0, 2), [p, p]);
      else assert.deepEqual(sorted.slice(0, 2), [1, 1]);
      assert.equal(
        sorted.slice(2).reduce((s, x) => s + x, 0),
        400,
      );

      const planEnv = envAt(p);
      const strategies = planStrategies(planEnv, planEnv.fromElements<[number, number]>([0, 1]).groupBy(0).reduceGroup(sumCounts, { combinable: true }));
      assert.ok(strategies.includes('COMBINE'));
    });

    test(`without combinable the function sees each group whole, once, at p=${p}`, async () => {
      const sizesLog = spyLog();
      const env = envAt(p);
      const result = await env
        .generateSequence(1, 400)
        .map((v): [number, number] => [v % 2, 1])
        .groupBy(0)
        .reduceGroup((values: Iterable<[number, number]>, out: Collector<number>) => {
          const n = [...values].length;
          record(sizesLog, n);
          out.collect(n);
        })
        .collect();
      assertSameMultiset(result, [200, 200]);
      assert.deepEqual(recorded(sizesLog), [200, 200]);
    });
  }
});

describe('grouped reduce is always combined', () => {
  for (const p of PARALLELISMS) {
    test(`the plan has a COMBINE, and the final reduce folds pre-aggregated values at p=${p}`, async () => {
      // A log of the `b` argument's count in every call.
      const secondArgLog = spyLog();
      class SumCounts extends ReduceFunction<[number, number]> {
        reduce(a: [number, number], b: [number, number]): [number, number] {
          record(secondArgLog, b[1]);
          return [a[0], a[1] + b[1]];
        }
      }
      const env = envAt(p);
      const counts = env
        .generateSequence(1, 400)
        .map((v): [number, number] => [v % 2, 1])
        .groupBy(0)
        .reduce(new SumCounts());
      const strategies = planStrategies(env, counts);
      assert.ok(strategies.includes('COMBINE'), strategies.join(','));
      const idxCombine = strategies.indexOf('COMBINE');
      assert.equal(strategies[idxCombine + 1], 'HASH_GROUP');

      assertSameMultiset(await counts.collect(), [
        [0, 200],
        [1, 200],
      ]);
      const secondArgCounts = recorded<number>(secondArgLog);
      // A plain left fold would only ever see raw records ([k, 1]) as `b`. Combined, each of the
      // p partitions folds its part (calls with b = 1), then the reducer folds the p partial counts.
      assert.equal(secondArgCounts.length, 400 - 2);
      assert.equal(secondArgCounts.filter((c) => c === 1).length, 400 - 2 * p);
      assert.equal(secondArgCounts.filter((c) => c > 1).length, 2 * (p - 1));
    });
  }

  test('a plain reduce function is combined as well', () => {
    const env = envAt(4);
    const strategies = planStrategies(
      env,
      env
        .fromElements<[string, number]>(['a', 1])
        .groupBy(0)
        .reduce((a, b) => [a[0], a[1] + b[1]]),
    );
    assert.ok(strategies.includes('COMBINE'));
  });
});

describe('combining with a key selector', () => {
  for (const p of PARALLELISMS) {
    // Flink extracts a selector's key once, from the original elements, and carries it through the
    // combiner and the shuffle (the reducer never re-applies the selector to combined values).
    test(`the key of a combined value is the key of the elements it came from at p=${p}`, async () => {
      const env = envAt(p);
      const sums = await env
        .fromElements(1, 2, 3, 4)
        .groupBy((x: number) => (x % 2 === 0 ? 'even' : 'odd'))
        .reduce((a, b) => a + b)
        .collect();
      // 1 + 3 = 4 is even, but it is the sum of the odd group.
      assertSameMultiset(sums, [4, 6]);
      const groups = await env
        .fromElements(1, 2, 3, 4)
        .groupBy((x: number) => x % 2)
        .reduceGroup(
          (values: Iterable<number>, out: Collector<number>) => {
            let s = 0;
            for (const v of values) s += v;
            out.collect(s);
          },
          { combinable: true },
        )
        .collect();
      assertSameMultiset(groups, [4, 6]);
    });
  }
});
