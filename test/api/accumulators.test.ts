/** Accumulators: IntCounter, LongCounter, DoubleCounter, custom accumulators, merged over every parallel instance. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Accumulator, DoubleCounter, type ExecutionEnvironment, FilterFunction, IntCounter, LongCounter, MapFunction, type RuntimeContext } from '../../src/index.ts';
import { envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { Tags } from '../fixtures/tags-accumulator.ts';

/** A custom accumulator: the largest value added. */
class MaxAccumulator implements Accumulator<number> {
  private value = Number.NEGATIVE_INFINITY;
  add(value: number): void {
    if (value > this.value) this.value = value;
  }
  getLocalValue(): number {
    return this.value;
  }
  resetLocal(): void {
    this.value = Number.NEGATIVE_INFINITY;
  }
  merge(other: Accumulator<number>): void {
    this.add(other.getLocalValue());
  }
  clone(): MaxAccumulator {
    const c = new MaxAccumulator();
    c.value = this.value;
    return c;
  }
}

/** A custom accumulator with a structured value: a histogram of strings. */
class Histogram implements Accumulator<Record<string, number>> {
  private counts: Record<string, number> = {};
  add(value: Record<string, number>): void {
    for (const [k, n] of Object.entries(value)) this.counts[k] = (this.counts[k] ?? 0) + n;
  }
  getLocalValue(): Record<string, number> {
    return { ...this.counts };
  }
  resetLocal(): void {
    this.counts = {};
  }
  merge(other: Accumulator<Record<string, number>>): void {
    this.add(other.getLocalValue());
  }
  clone(): Histogram {
    const c = new Histogram();
    c.add(this.counts);
    return c;
  }
}

/** An environment at p whose custom accumulators can leave the worker threads: registered types. */
function envWithAccumulators(p: number): ExecutionEnvironment {
  const env = envAt(p);
  const json = { serialize: (a: Accumulator<unknown>) => new TextEncoder().encode(JSON.stringify(a.getLocalValue())) };
  const back = <A extends Accumulator<V>, V>(make: () => A) => ({
    deserialize: (b: Uint8Array): A => {
      const a = make();
      a.add(JSON.parse(new TextDecoder().decode(b)) as V);
      return a;
    },
  });
  env.registerCustomType(
    MaxAccumulator,
    json,
    back(() => new MaxAccumulator()),
  );
  env.registerCustomType(
    Histogram,
    json,
    back(() => new Histogram()),
  );
  return env;
}

class Measure extends MapFunction<number, number> {
  private readonly ints = new IntCounter();
  private readonly longs = new LongCounter();
  private readonly doubles = new DoubleCounter();
  private readonly max = new MaxAccumulator();
  private readonly parity = new Histogram();
  private readonly instances = new IntCounter();

  override open(ctx: RuntimeContext): void {
    ctx.addAccumulator('ints', this.ints);
    ctx.addAccumulator('longs', this.longs);
    ctx.addAccumulator('doubles', this.doubles);
    ctx.addAccumulator('max', this.max);
    ctx.addAccumulator('parity', this.parity);
    ctx.addAccumulator('instances', this.instances);
    this.instances.add(1);
  }

  map(v: number): number {
    this.ints.add(1);
    this.longs.add(v * 1_000_000_000);
    this.doubles.add(v / 4);
    this.max.add(v);
    this.parity.add({ [v % 2 === 0 ? 'even' : 'odd']: 1 });
    return v;
  }
}

describe('accumulators in execute() results', () => {
  for (const p of PARALLELISMS) {
    test(`Int, Long, Double counters and custom accumulators, merged over every instance, at p=${p}`, async () => {
      const env = envWithAccumulators(p);
      env.generateSequence(1, 100).map(new Measure()).writeText(join(tempDir(), 'out'));
      const result = await env.execute({ jobName: 'accumulate' });
      assert.equal(result.jobName, 'accumulate');
      assert.equal(typeof result.netRuntimeMs, 'number');
      assert.ok(result.netRuntimeMs >= 0);
      assert.deepEqual(result.accumulators, {
        ints: 100,
        longs: 5050 * 1_000_000_000,
        doubles: 5050 / 4,
        max: 100,
        parity: { even: 50, odd: 50 },
        instances: p,
      });
    });
  }

  class Tag extends MapFunction<number, number> {
    private readonly tags = new Tags();
    private readonly max = new MaxAccumulator();
    override open(ctx: RuntimeContext): void {
      ctx.addAccumulator('tags', this.tags);
      ctx.addAccumulator('max', this.max);
    }
    map(v: number): number {
      this.tags.add([`t${v % 3}`, ...(v === 7 ? ['seven'] : [])]);
      this.max.add(v);
      return v;
    }
  }
  for (const p of [1, 2, 4]) {
    test(`custom accumulators need no registerCustomType: their class comes back from the workers, at p=${p}`, async () => {
      const env = envAt(p);
      env.generateSequence(1, 50).rebalance().map(new Tag()).writeText(join(tempDir(), 'out'));
      const result = await env.execute();
      assert.deepEqual(result.accumulators, { tags: ['seven', 't0', 't1', 't2'], max: 50 });
    });
  }

  test('accumulators of several operators and a data set read twice', async () => {
    class Count extends FilterFunction<number> {
      private readonly n = new LongCounter();
      private readonly name: string;
      constructor(name: string) {
        super();
        this.name = name;
      }
      override open(ctx: RuntimeContext): void {
        ctx.addAccumulator(this.name, this.n);
      }
      filter(v: number): boolean {
        this.n.add(1);
        return v % 2 === 0;
      }
    }
    const env = envAt(4);
    const seq = env.generateSequence(1, 20);
    const evens = seq.filter(new Count('first'));
    evens.filter(new Count('second')).writeText(join(tempDir(), 'a'));
    seq.filter(new Count('other')).writeText(join(tempDir(), 'b'));
    const { accumulators } = await env.execute();
    assert.deepEqual(accumulators, { first: 20, second: 10, other: 20 });
  });

  test('a job without accumulators has an empty record', async () => {
    const env = envAt(2);
    env.fromElements(1).writeText(join(tempDir(), 'x'));
    assert.deepEqual((await env.execute()).accumulators, {});
  });

  test('each execute reports its own job only', async () => {
    const env = envWithAccumulators(2);
    env.generateSequence(1, 10).map(new Measure()).writeText(join(tempDir(), 'one'));
    assert.equal((await env.execute()).accumulators.ints, 10);
    env.generateSequence(1, 3).map(new Measure()).writeText(join(tempDir(), 'two'));
    assert.equal((await env.execute()).accumulators.ints, 3);
  });

  test('adding the same name twice in one instance is an error', async () => {
    class Twice extends MapFunction<number, number> {
      override open(ctx: RuntimeContext): void {
        ctx.addAccumulator('dup', new IntCounter());
        ctx.addAccumulator('dup', new IntCounter());
      }
      map(v: number): number {
        return v;
      }
    }
    await assert.rejects(envAt(1).fromElements(1).map(new Twice()).collect(), /dup/);
  });

  for (const p of [1, 2]) {
    test(`two operators adding one name are merged, whether or not they run chained in one task, at p=${p}`, async () => {
      class Counting extends MapFunction<number, number> {
        private readonly c = new IntCounter();
        override open(ctx: RuntimeContext): void {
          ctx.addAccumulator('seen', this.c);
        }
        map(v: number): number {
          this.c.add(1);
          return v;
        }
      }
      const env = envAt(p);
      const seq = env.generateSequence(1, 10);
      seq.map(new Counting()).map(new Counting()).writeText(join(tempDir(), 'chained'));
      seq.map(new Counting()).rebalance().map(new Counting()).writeText(join(tempDir(), 'apart'));
      assert.deepEqual((await env.execute()).accumulators, { seen: 40 });
    });
  }

  test('getAccumulator returns what this instance added', async () => {
    class Lookup extends MapFunction<number, boolean> {
      private readonly c = new IntCounter();
      override open(ctx: RuntimeContext): void {
        ctx.addAccumulator('mine', this.c);
      }
      map(): boolean {
        return this.context.getAccumulator('mine') === this.c && this.context.getAccumulator('absent') === undefined;
      }
    }
    assert.deepEqual(await envAt(2).fromElements(1, 2).map(new Lookup()).collect(), [true, true]);
  });
});

describe('the counters themselves', () => {
  test('IntCounter: add, getLocalValue, resetLocal, merge, clone; 32-bit like Flink', () => {
    const a = new IntCounter();
    a.add(3);
    a.add(4);
    assert.equal(a.getLocalValue(), 7);
    const b = a.clone();
    assert.ok(b instanceof IntCounter);
    b.add(1);
    assert.equal(a.getLocalValue(), 7, 'a clone is independent');
    a.merge(b);
    assert.equal(a.getLocalValue(), 15);
    a.resetLocal();
    assert.equal(a.getLocalValue(), 0);
    a.add(2 ** 31 - 1);
    a.add(1);
    assert.equal(a.getLocalValue(), -(2 ** 31));
  });

  test('LongCounter holds large integers exactly (up to 2^53−1)', () => {
    const c = new LongCounter();
    c.add(2 ** 52);
    c.add(2 ** 52 - 1);
    assert.equal(c.getLocalValue(), Number.MAX_SAFE_INTEGER);
    const d = c.clone();
    assert.ok(d instanceof LongCounter);
    d.resetLocal();
    d.add(-5);
    c.merge(d);
    assert.equal(c.getLocalValue(), Number.MAX_SAFE_INTEGER - 5);
  });

  test('DoubleCounter sums fractions', () => {
    const c = new DoubleCounter();
    c.add(0.5);
    c.add(0.25);
    const d = c.clone();
    assert.ok(d instanceof DoubleCounter);
    c.merge(d);
    assert.equal(c.getLocalValue(), 1.5);
    c.resetLocal();
    assert.equal(c.getLocalValue(), 0);
  });
});
