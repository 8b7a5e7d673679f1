/**
 * Rich functions: every rich base class with its method; `this.context` set before
 * `open(ctx)` with the same context; `open` once per parallel instance, `close` after its last
 * record (counted with accumulators); subtask index and count; closures over module-level values.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  type Accumulator,
  CoGroupFunction,
  type Collector,
  CrossFunction,
  type DataSet,
  FilterFunction,
  FlatMapFunction,
  GroupReduceFunction,
  IntCounter,
  JoinFunction,
  KeySelector,
  LongCounter,
  MapFunction,
  MapPartitionFunction,
  ReduceFunction,
  type RichFunction,
  type RuntimeContext,
} from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { clearLog, record, recorded, spyLog } from '../spy.ts';

/** The distinct numbers added by every instance. */
class NumberSet implements Accumulator<number[]> {
  private values = new Set<number>();
  add(value: number[]): void {
    for (const v of value) this.values.add(v);
  }
  getLocalValue(): number[] {
    return [...this.values].sort((a, b) => a - b);
  }
  resetLocal(): void {
    this.values.clear();
  }
  merge(other: Accumulator<number[]>): void {
    this.add(other.getLocalValue());
  }
  clone(): NumberSet {
    const c = new NumberSet();
    c.add(this.getLocalValue());
    return c;
  }
}

/**
 * What one parallel instance of a rich function went through, reported as accumulators
 * `<tag>:opens`, `:closes`, `:contextSet`, `:records`, `:recordsAtClose`, `:outside`, `:subtasks`, `:parallelism`.
 */
class Lifecycle {
  private readonly closes = new IntCounter();
  private readonly records = new LongCounter();
  private readonly recordsAtClose = new LongCounter();
  private readonly outside = new IntCounter();
  private seen = 0;
  private closed = false;

  constructor(fn: RichFunction, ctx: RuntimeContext, tag: string) {
    const opens = new IntCounter();
    const contextSet = new IntCounter();
    const subtasks = new NumberSet();
    const parallelism = new NumberSet();
    ctx.addAccumulator(`${tag}:opens`, opens);
    ctx.addAccumulator(`${tag}:contextSet`, contextSet);
    ctx.addAccumulator(`${tag}:subtasks`, subtasks);
    ctx.addAccumulator(`${tag}:parallelism`, parallelism);
    ctx.addAccumulator(`${tag}:closes`, this.closes);
    ctx.addAccumulator(`${tag}:records`, this.records);
    ctx.addAccumulator(`${tag}:recordsAtClose`, this.recordsAtClose);
    ctx.addAccumulator(`${tag}:outside`, this.outside);
    opens.add(1);
    if (fn.context === ctx) contextSet.add(1);
    subtasks.add([ctx.getIndexOfThisSubtask()]);
    parallelism.add([ctx.getNumberOfParallelSubtasks()]);
  }

  /** Called for every record (or call) the function handles. */
  record(): void {
    if (this.closed) this.outside.add(1);
    this.seen++;
    this.records.add(1);
  }

  close(): void {
    this.closes.add(1);
    this.recordsAtClose.add(this.seen);
    this.closed = true;
  }
}

function life(l: Lifecycle | undefined): Lifecycle {
  if (l === undefined) throw new Error('a function method was called before open()');
  return l;
}

/** Checks the lifecycle accumulators of `tag`: `instances` opens and closes, and every call inside them. */
function assertLifecycle(acc: Record<string, unknown>, tag: string, instances: number, calls?: number): void {
  assert.equal(acc[`${tag}:opens`], instances, `${tag}: open() once per parallel instance`);
  assert.equal(acc[`${tag}:closes`], instances, `${tag}: close() once per parallel instance`);
  assert.equal(acc[`${tag}:contextSet`], instances, `${tag}: this.context is the ctx given to open()`);
  assert.deepEqual(
    acc[`${tag}:subtasks`],
    Array.from({ length: instances }, (_, i) => i),
    `${tag}: subtask indices`,
  );
  assert.deepEqual(acc[`${tag}:parallelism`], [instances], `${tag}: getNumberOfParallelSubtasks()`);
  assert.equal(acc[`${tag}:outside`], 0, `${tag}: no call after close()`);
  assert.equal(acc[`${tag}:recordsAtClose`], acc[`${tag}:records`], `${tag}: close() came after the last record`);
  if (calls !== undefined) assert.equal(acc[`${tag}:records`], calls, `${tag}: calls`);
}

const withNumberSet = new WeakSet<object>();

/** Runs the data sets' sinks in one job and returns the accumulators and each data set's elements. */
async function run<T extends unknown[]>(env: ReturnType<typeof envAt>, ...sets: { [K in keyof T]: DataSet<T[K]> }): Promise<{ acc: Record<string, unknown>; results: unknown[][] }> {
  const dir = tempDir();
  // A custom accumulator crosses from the worker threads as a registered type.
  if (!withNumberSet.has(env)) {
    withNumberSet.add(env);
    env.registerCustomType(
      NumberSet,
      { serialize: (s) => new TextEncoder().encode(JSON.stringify(s.getLocalValue())) },
      {
        deserialize: (b) => {
          const s = new NumberSet();
          s.add(JSON.parse(new TextDecoder().decode(b)) as number[]);
          return s;
        },
      },
    );
  }
  // Collected through files so that one execute() returns the accumulators of everything.
  const results: unknown[][] = [];
  sets.forEach((ds: DataSet<unknown>, i) => ds.map((x) => JSON.stringify(x)).writeText(join(dir, `out${i}`)));
  const { accumulators } = await env.execute();
  for (let i = 0; i < sets.length; i++)
    results.push(
      (
        await envAt(1)
          .readText(join(dir, `out${i}`))
          .collect()
      ).map((l) => JSON.parse(l)),
    );
  return { acc: accumulators, results };
}

class Doubler extends MapFunction<number, number> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'map');
  }
  map(v: number): number {
    life(this.l).record();
    return v * 2;
  }
  override close(): void {
    life(this.l).close();
  }
}

class PlusMinus extends FlatMapFunction<number, number> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'flatMap');
  }
  flatMap(v: number, out: Collector<number>): void {
    life(this.l).record();
    out.collect(v);
    out.collect(-v);
  }
  override close(): void {
    life(this.l).close();
  }
}

class PartitionSum extends MapPartitionFunction<number, [number, number]> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'mapPartition');
  }
  mapPartition(values: Iterable<number>, out: Collector<[number, number]>): void {
    life(this.l).record();
    let sum = 0;
    for (const v of values) sum += v;
    out.collect([this.context.getIndexOfThisSubtask(), sum]);
  }
  override close(): void {
    life(this.l).close();
  }
}

class Evens extends FilterFunction<number> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'filter');
  }
  filter(v: number): boolean {
    life(this.l).record();
    return v % 2 === 0;
  }
  override close(): void {
    life(this.l).close();
  }
}

class SumPairs extends ReduceFunction<[number, number]> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'reduce');
  }
  reduce(a: [number, number], b: [number, number]): [number, number] {
    life(this.l).record();
    return [a[0], a[1] + b[1]];
  }
  override close(): void {
    life(this.l).close();
  }
}

class CountGroup extends GroupReduceFunction<[number, number], [number, number]> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'groupReduce');
  }
  reduce(values: Iterable<[number, number]>, out: Collector<[number, number]>): void {
    life(this.l).record();
    let key = -1;
    let n = 0;
    for (const [k] of values) {
      key = k;
      n++;
    }
    out.collect([key, n]);
  }
  override close(): void {
    life(this.l).close();
  }
}

class Pair extends JoinFunction<[number, string], [number, string], string> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'join');
  }
  join(l: [number, string], r: [number, string]): string {
    life(this.l).record();
    return `${l[1]}${r[1]}`;
  }
  override close(): void {
    life(this.l).close();
  }
}

class OuterPair extends JoinFunction<[number, string], [number, string] | null, string> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'outerJoin');
  }
  join(l: [number, string], r: [number, string] | null): string {
    life(this.l).record();
    return `${l[1]}${r === null ? '-' : r[1]}`;
  }
  override close(): void {
    life(this.l).close();
  }
}

class Sizes extends CoGroupFunction<[number, string], [number, string], [number, number, number]> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'coGroup');
  }
  coGroup(ls: Iterable<[number, string]>, rs: Iterable<[number, string]>, out: Collector<[number, number, number]>): void {
    life(this.l).record();
    const left = [...ls];
    const right = [...rs];
    out.collect([(left[0] ?? right[0]!)[0], left.length, right.length]);
  }
  override close(): void {
    life(this.l).close();
  }
}

class Times extends CrossFunction<number, number, number> {
  private l?: Lifecycle;
  override open(ctx: RuntimeContext): void {
    this.l = new Lifecycle(this, ctx, 'cross');
  }
  cross(l: number, r: number): number {
    life(this.l).record();
    return l * r;
  }
  override close(): void {
    life(this.l).close();
  }
}

class Mod3 extends KeySelector<number, number> {
  getKey(v: number): number {
    return v % 3;
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('rich functions: each base class, its method, its lifecycle', () => {
  for (const p of PARALLELISMS) {
    test(`MapFunction.map, FlatMapFunction.flatMap, FilterFunction.filter, MapPartitionFunction.mapPartition at p=${p}`, async () => {
      const env = envAt(p);
      const seq = env.generateSequence(1, 40);
      const { acc, results } = await run(env, seq.map(new Doubler()), seq.flatMap(new PlusMinus()), seq.filter(new Evens()), seq.mapPartition(new PartitionSum()));
      assertSameMultiset(
        results[0]!,
        range(1, 40).map((x) => 2 * x),
      );
      assertSameMultiset(
        results[1]!,
        range(1, 40).flatMap((x) => [x, -x]),
      );
      assertSameMultiset(
        results[2]!,
        range(1, 40).filter((x) => x % 2 === 0),
      );
      const sums = results[3] as [number, number][];
      assert.deepEqual(sums.map(([s]) => s).sort(), range(0, p - 1));
      assert.equal(
        sums.reduce((t, [, s]) => t + s, 0),
        820,
      );
      assertLifecycle(acc, 'map', p, 40);
      assertLifecycle(acc, 'flatMap', p, 40);
      assertLifecycle(acc, 'filter', p, 40);
      assertLifecycle(acc, 'mapPartition', p, p);
    });

    test(`ReduceFunction.reduce and GroupReduceFunction.reduce, grouped and on the full set, at p=${p}`, async () => {
      const env = envAt(p);
      const pairs = env.generateSequence(1, 30).map((v): [number, number] => [v % 3, 1]);
      const { acc, results } = await run(env, pairs.groupBy(0).reduce(new SumPairs()), pairs.groupBy(0).reduceGroup(new CountGroup()));
      assertSameMultiset(results[0]!, [
        [0, 10],
        [1, 10],
        [2, 10],
      ]);
      assertSameMultiset(results[1]!, [
        [0, 10],
        [1, 10],
        [2, 10],
      ]);
      // A reduce is combined before the shuffle, so its function also runs in every combiner instance.
      assert.ok((acc['reduce:opens'] as number) >= p);
      assert.equal(acc['reduce:closes'], acc['reduce:opens']);
      assert.equal(acc['reduce:contextSet'], acc['reduce:opens']);
      assert.equal(acc['reduce:outside'], 0);
      assert.equal(acc['reduce:recordsAtClose'], acc['reduce:records']);
      assertLifecycle(acc, 'groupReduce', p, 3);

      const all = envAt(p);
      const whole = all.generateSequence(1, 30).map((v): [number, number] => [0, v]);
      const r2 = await run(all, whole.reduce(new SumPairs()), whole.reduceGroup(new CountGroup()));
      assert.deepEqual(r2.results[0], [[0, 465]]);
      assert.deepEqual(r2.results[1], [[0, 30]]);
      assertLifecycle(r2.acc, 'groupReduce', 1, 1);
    });

    test(`JoinFunction.join (inner and outer), CoGroupFunction.coGroup, CrossFunction.cross at p=${p}`, async () => {
      const env = envAt(p);
      const left = env.fromElements<[number, string]>([1, 'a'], [2, 'b'], [3, 'c'], [3, 'C']).rebalance();
      const right = env.fromElements<[number, string]>([1, 'x'], [3, 'y'], [4, 'z']).rebalance();
      const seq = env.generateSequence(1, 8);
      const { acc, results } = await run(
        env,
        left.join(right).where(0).equalTo(0).using(new Pair()),
        left.leftOuterJoin(right).where(0).equalTo(0).using(new OuterPair()),
        left.coGroup(right).where(0).equalTo(0).using(new Sizes()),
        seq.cross(env.fromElements(10, 100)).using(new Times()),
      );
      assertSameMultiset(results[0]!, ['ax', 'cy', 'Cy']);
      assertSameMultiset(results[1]!, ['ax', 'b-', 'cy', 'Cy']);
      assertSameMultiset(results[2]!, [
        [1, 1, 1],
        [2, 1, 0],
        [3, 2, 1],
        [4, 0, 1],
      ]);
      assertSameMultiset(
        results[3]!,
        range(1, 8).flatMap((x) => [10 * x, 100 * x]),
      );
      assertLifecycle(acc, 'join', p, 3);
      assertLifecycle(acc, 'outerJoin', p, 4);
      assertLifecycle(acc, 'coGroup', p, 4);
      assertLifecycle(acc, 'cross', p, 16);
    });

    test(`KeySelector.getKey as a grouping key at p=${p}`, async () => {
      const env = envAt(p);
      const groups = await env
        .generateSequence(1, 9)
        .groupBy(new Mod3())
        .reduceGroup((values: Iterable<number>, out: Collector<number[]>) => out.collect([...values].sort((a, b) => a - b)))
        .collect();
      assertSameMultiset(groups, [
        [3, 6, 9],
        [1, 4, 7],
        [2, 5, 8],
      ]);
    });
  }

  test('a rich function that overrides neither open nor close works; this.context is still set', async () => {
    class Tag extends MapFunction<number, [number, number]> {
      map(v: number): [number, number] {
        return [this.context.getIndexOfThisSubtask(), v];
      }
    }
    const tagged = await envAt(4).generateSequence(1, 100).map(new Tag()).collect();
    assert.deepEqual([...new Set(tagged.map(([s]) => s))].sort(), [0, 1, 2, 3]);
  });

  for (const p of [1, 2]) {
    test(`getTaskName() is the operator's own name, also when it runs chained with others, at p=${p}`, async () => {
      class Named extends MapFunction<number, string> {
        map(): string {
          return this.context.getTaskName();
        }
      }
      const names = await envAt(p)
        .generateSequence(1, 4)
        .map((x) => x + 1)
        .map(new Named())
        .name('the named map')
        .collect();
      assert.deepEqual([...new Set(names)], ['the named map']);
    });
  }

  test('a rich function with constructor arguments and per-instance state', async () => {
    class Scale extends MapFunction<number, [number, number]> {
      private readonly factor: number;
      private count = 0;
      constructor(factor: number) {
        super();
        this.factor = factor;
      }
      map(v: number): [number, number] {
        this.count++;
        return [v * this.factor, this.count];
      }
    }
    const out = await envAt(4).generateSequence(1, 40).map(new Scale(3)).collect();
    assertSameMultiset(
      out.map(([v]) => v),
      range(1, 40).map((x) => 3 * x),
    );
    // Each instance counts only its own records: no count reaches 40 at p=4.
    assert.ok(Math.max(...out.map(([, c]) => c)) < 40);
    assert.equal(Math.max(...out.map(([, c]) => c)) >= 10, true);
  });

  test('the same rich-function object used by two operators: each operator instance has its own state', async () => {
    class Counting extends MapFunction<number, number> {
      private n = 0;
      map(): number {
        return ++this.n;
      }
    }
    const f = new Counting();
    const env = envAt(1);
    const a = env.generateSequence(1, 5).map(f);
    const b = env.generateSequence(1, 5).map(f);
    assertSameMultiset(await a.union(b).collect(), [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
  });

  test('open() sees the broadcast set through the context', async () => {
    class AddAll extends MapFunction<number, number> {
      private total = 0;
      override open(ctx: RuntimeContext): void {
        this.total = ctx.getBroadcastVariable<number>('extra').reduce((s, x) => s + x, 0);
      }
      map(v: number): number {
        return v + this.total;
      }
    }
    const env = envAt(4);
    const extra = env.fromElements(10, 20);
    assertSameMultiset(await env.generateSequence(1, 3).map(new AddAll()).withBroadcastSet('extra', extra).collect(), [31, 32, 33]);
  });
});

// Module-level values that functions close over.
const STOP_WORDS = new Set(['the', 'a']);
const WEIGHTS: Record<string, number> = { big: 10, small: 1 };
let seenByPlainFunctions = 0;
// The words the filter saw, logged from wherever it runs.
const filterLog = spyLog();
function weightOf(word: string): number {
  return WEIGHTS[word] ?? 0;
}

class Weigh extends MapFunction<string, [string, number]> {
  map(word: string): [string, number] {
    return [word, weightOf(word)];
  }
}

describe('closures over module-level values', () => {
  for (const p of PARALLELISMS) {
    test(`plain and rich functions read module-level constants and functions at p=${p}`, async () => {
      seenByPlainFunctions = 0;
      clearLog(filterLog);
      const words = envAt(p)
        .fromElements('the big dog', 'a small cat', 'the end')
        .flatMap((line: string) => line.split(' '))
        .filter((w) => {
          seenByPlainFunctions++;
          record(filterLog, w);
          return !STOP_WORDS.has(w);
        })
        .map(new Weigh());
      assertSameMultiset(await words.collect(), [
        ['big', 10],
        ['dog', 0],
        ['small', 1],
        ['cat', 0],
        ['end', 0],
      ]);
      assertSameMultiset(recorded(filterLog), ['the', 'big', 'dog', 'a', 'small', 'cat', 'the', 'end']);
      // At p=1 the functions run in this process and share its module-level state; at p=4 worker
      // threads run copies made when the job was submitted (docs/shipping-code.md), and this
      // process's counter is not touched.
      assert.equal(seenByPlainFunctions, p === 1 ? 8 : 0);
    });
  }
});
