/**
 * Declared-async operators (docs/async-operators.md): mapAsync / flatMapAsync keep at most
 * `capacity` invocations in flight per subtask, emit in input order (ordered) or as they
 * complete, fail naming the operator and record on a rejection or timeout unless retried, emit
 * snapshots, and close the function after the last invocation has settled.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AsyncMapFunction, AsyncTimeoutError, IntCounter, JobExecutionError, type RuntimeContext } from '../../src/index.ts';
import { formatPlan } from '../../src/optimizer/explain.ts';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PARALLELISMS, assertSameMultiset, envAt, tempDir } from '../helpers.ts';

/** The lines of a text sink's output: one file, or a directory of files 1…p. */
function readTextOutput(path: string): string[] {
  const files = statSync(path).isDirectory() ? readdirSync(path).map((f) => join(path, f)) : [path];
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Emits [x, how many invocations of this instance were in flight when x's started (itself included)]. */
class Delayed extends AsyncMapFunction<number, [number, number]> {
  private inFlight = 0;
  private readonly delay: (x: number) => number;
  constructor(delay: (x: number) => number) {
    super();
    this.delay = delay;
  }
  override async asyncMap(x: number): Promise<[number, number]> {
    const seen = ++this.inFlight;
    await sleep(this.delay(x));
    this.inFlight--;
    return [x, seen];
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const isIncreasing = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || xs[i - 1]! < x);

/** The mapAsync results as each partition of the next operator received them (in that order). */
async function partitions(p: number, fn: Delayed, options: { capacity: number; ordered: boolean }): Promise<[number, number][][]> {
  return envAt(p)
    .generateSequence(1, 200)
    .mapAsync(fn, options)
    .mapPartition((xs: Iterable<[number, number]>) => [[...xs]])
    .collect();
}

describe('mapAsync', () => {
  for (const p of PARALLELISMS) {
    test(`ordered at p=${p}: every partition in input order, concurrency up to the capacity and no more`, async () => {
      // 200 elements × 20 ms: sequentially 4 s; with 50 in flight per subtask the max seen must exceed 1.
      const parts = await partitions(p, new Delayed((x) => 10 + ((x * 7919) % 20)), { capacity: 50, ordered: true });
      const all = parts.flat();
      assert.equal(parts.length, p);
      assertSameMultiset(
        all.map(([x]) => x),
        range(1, 200),
      );
      for (const part of parts) assert.ok(isIncreasing(part.map(([x]) => x)), `in input order: ${part.map(([x]) => x).join(',')}`);
      const maxInFlight = Math.max(...all.map(([, n]) => n));
      assert.ok(maxInFlight <= 50, `at most the capacity in flight, saw ${maxInFlight}`);
      assert.ok(maxInFlight > 10, `invocations overlap, saw at most ${maxInFlight} at once`);
    });

    test(`unordered at p=${p}: the same multiset, emitted as completed`, async () => {
      // Even elements take 40 ms, odd ones 1 ms: with 20 in flight, odd ones overtake.
      const parts = await partitions(p, new Delayed((x) => (x % 2 === 0 ? 40 : 1)), { capacity: 20, ordered: false });
      const all = parts.flat();
      assertSameMultiset(
        all.map(([x]) => x),
        range(1, 200),
      );
      assert.ok(Math.max(...all.map(([, n]) => n)) <= 20);
      assert.ok(
        parts.some((part) => !isIncreasing(part.map(([x]) => x))),
        'some results overtook earlier ones',
      );
    });

    test(`a plain function, async or not, at p=${p}`, async () => {
      const env = envAt(p);
      const doubled = await env
        .fromCollection(range(1, 30))
        .mapAsync(async (x) => {
          await sleep(x % 3);
          return x * 2;
        })
        .collect();
      assertSameMultiset(
        doubled,
        range(1, 30).map((x) => x * 2),
      );
      const plain = await envAt(p)
        .fromCollection(range(1, 30))
        .mapAsync((x) => [x, 'sync'], { capacity: 3 })
        .collect();
      assertSameMultiset(
        plain,
        range(1, 30).map((x) => [x, 'sync']),
      );
    });

    test(`a rejected promise fails the job naming the operator and the record, at p=${p}`, async () => {
      const run = envAt(p)
        .fromCollection(range(1, 50))
        .mapAsync(async (x) => {
          await sleep(1);
          if (x === 17) throw new Error('service said no');
          return x;
        })
        .collect();
      await assert.rejects(run, (e: unknown) => {
        assert.ok(e instanceof JobExecutionError, String(e));
        const text = `${(e as Error).message}\n${String((e as Error).cause)}`;
        assert.match(text, /'MapAsync at [^']*async-operators\.test\.ts:\d+/);
        assert.match(text, /on record 17: service said no/);
        return true;
      });
    });

    test(`a timeout fails the job naming the operator, the record and the limit, at p=${p}`, async () => {
      const run = envAt(p)
        .fromCollection(range(1, 20))
        .mapAsync((x) => (x === 3 ? new Promise<number>(() => {}) : Promise.resolve(x)), { timeoutMs: 50 })
        .name('lookup')
        .collect();
      await assert.rejects(run, (e: unknown) => {
        const text = `${(e as Error).message}\n${String((e as Error).cause)}`;
        assert.match(text, /'lookup'/);
        assert.match(text, /on record 3: the returned Promise did not settle within 50 ms/);
        return true;
      });
    });

    test(`retries: an element that fails twice succeeds on its third attempt; one retry too few fails, at p=${p}`, async () => {
      class Flaky extends AsyncMapFunction<number, [number, number]> {
        private readonly attempts = new Map<number, number>();
        override async asyncMap(x: number): Promise<[number, number]> {
          const n = (this.attempts.get(x) ?? 0) + 1;
          this.attempts.set(x, n);
          await sleep(1);
          if (n < 3) throw new Error(`flaky ${x}`);
          return [x, n];
        }
      }
      const ok = await envAt(p)
        .fromCollection(range(1, 40))
        .mapAsync(new Flaky(), { retry: { maxRetries: 2, delayMs: 2, multiplier: 2 } })
        .collect();
      assertSameMultiset(
        ok,
        range(1, 40).map((x) => [x, 3]),
      );
      const short = envAt(p)
        .fromCollection(range(1, 40))
        .mapAsync(new Flaky(), { retry: { maxRetries: 1 } })
        .collect();
      await assert.rejects(short, /flaky \d+ \(after 2 attempts\)/);
      // retryIf: only what it accepts is retried
      const picky = envAt(p)
        .fromCollection(range(1, 40))
        .mapAsync(new Flaky(), { retry: { maxRetries: 5, retryIf: (e) => !String(e).includes('flaky') } })
        .collect();
      await assert.rejects(picky, /on record \d+: flaky \d+$/m);
    });

    test(`a timed-out attempt is retried, and a rich function's timeout() gives the fallback, at p=${p}`, async () => {
      class SlowOnce extends AsyncMapFunction<number, string> {
        private readonly seen = new Set<number>();
        override asyncMap(x: number): Promise<string> {
          if (this.seen.has(x)) return Promise.resolve(`ok ${x}`);
          this.seen.add(x);
          return new Promise(() => {}); // the first attempt hangs
        }
      }
      const retried = await envAt(p)
        .fromCollection(range(1, 10))
        .mapAsync(new SlowOnce(), { timeoutMs: 20, retry: { maxRetries: 1, retryIf: (e) => e instanceof AsyncTimeoutError } })
        .collect();
      assertSameMultiset(
        retried,
        range(1, 10).map((x) => `ok ${x}`),
      );
      class WithFallback extends AsyncMapFunction<number, string> {
        override asyncMap(x: number): Promise<string> {
          return x % 2 === 0 ? new Promise(() => {}) : Promise.resolve(`ok ${x}`);
        }
        override timeout(x: number): string {
          return `fallback ${x}`;
        }
      }
      const fallback = await envAt(p).fromCollection(range(1, 10)).mapAsync(new WithFallback(), { timeoutMs: 20 }).collect();
      assertSameMultiset(
        fallback,
        range(1, 10).map((x) => (x % 2 === 0 ? `fallback ${x}` : `ok ${x}`)),
      );
    });

    test(`emitted elements are snapshots: one object mutated and returned each time, at p=${p}`, async () => {
      class Reusing extends AsyncMapFunction<number, { v: number }> {
        private readonly shared = { v: 0 };
        override async asyncMap(x: number): Promise<{ v: number }> {
          await sleep(x % 2 === 0 ? 15 : 1); // later ones complete first and wait for their turn
          this.shared.v = x;
          return this.shared;
        }
      }
      for (const ordered of [true, false]) {
        const got = await envAt(p).fromCollection(range(1, 40)).mapAsync(new Reusing(), { capacity: 10, ordered }).collect();
        assertSameMultiset(
          got,
          range(1, 40).map((v) => ({ v })),
          `ordered: ${ordered}`,
        );
      }
    });

    test(`open() before the first invocation, close() after the last has settled, at p=${p}`, async () => {
      class Tracked extends AsyncMapFunction<number, number> {
        private opened = false;
        private inFlight = 0;
        private started = 0;
        private readonly early = new IntCounter();
        private readonly closedWithInFlight = new IntCounter();
        private readonly closed = new IntCounter();
        private readonly invoked = new IntCounter();
        override open(ctx: RuntimeContext): void {
          this.opened = true;
          ctx.addAccumulator('early', this.early);
          ctx.addAccumulator('closedWithInFlight', this.closedWithInFlight);
          ctx.addAccumulator('closed', this.closed);
          ctx.addAccumulator('invoked', this.invoked);
        }
        override async asyncMap(x: number): Promise<number> {
          if (!this.opened) this.early.add(1);
          this.started++;
          this.inFlight++;
          await sleep(5 + (x % 7));
          this.inFlight--;
          return x;
        }
        override close(): void {
          this.invoked.add(this.started);
          this.closedWithInFlight.add(this.inFlight);
          this.closed.add(1);
        }
      }
      const env = envAt(p);
      env
        .fromCollection(range(1, 60))
        .rebalance()
        .mapAsync(new Tracked(), { capacity: 8 })
        .output({ writeRecord() {} });
      const { accumulators } = await env.execute({ jobName: 'tracked' });
      assert.deepEqual(accumulators, { early: 0, closedWithInFlight: 0, closed: p, invoked: 60 });
    });
  }
});

describe('mapAsync with the rest of the engine', () => {
  for (const p of PARALLELISMS) {
    test(`a failed attempt is rerun with setNumberOfExecutionRetries, and the output is written once, at p=${p}`, async () => {
      const dir = tempDir();
      const marker = join(dir, 'failed-once');
      const env = envAt(p);
      env.setNumberOfExecutionRetries(1);
      env
        .fromCollection(range(1, 50))
        .mapAsync(async (x) => {
          await sleep(1);
          if (x === 25 && !existsSync(marker)) {
            writeFileSync(marker, '');
            throw new Error('transient');
          }
          return x;
        })
        .writeText(join(dir, 'out'));
      await env.execute();
      assertSameMultiset(readTextOutput(join(dir, 'out')), range(1, 50).map(String));
    });

    test(`inside a bulk iteration, and run in the client, at p=${p}`, async () => {
      const env = envAt(p);
      const start = env.fromCollection(range(1, 20)).iterate(3);
      const stepped = start.mapAsync(async (x) => {
        await sleep(1);
        return x * 2;
      });
      assertSameMultiset(
        await start.closeWith(stepped).collect(),
        range(1, 20).map((x) => x * 8),
      );
      const local = new Map([[1, 'one']]); // stays in this process: runInClient
      const named = await envAt(p)
        .fromCollection([1, 2])
        .mapAsync(async (x) => local.get(x) ?? 'none', { capacity: 1 })
        .runInClient()
        .collect();
      assertSameMultiset(named, ['one', 'none']);
    });
  }
});

describe('flatMapAsync', () => {
  for (const p of PARALLELISMS) {
    test(`each element's iterable, nothing for undefined, at p=${p}`, async () => {
      const got = await envAt(p)
        .fromCollection(range(1, 30))
        .flatMapAsync(
          async (x) => {
            await sleep(x % 4);
            return x % 3 === 0 ? undefined : [x, -x];
          },
          { capacity: 7 },
        )
        .collect();
      assertSameMultiset(
        got,
        range(1, 30)
          .filter((x) => x % 3 !== 0)
          .flatMap((x) => [x, -x]),
      );
    });
  }
});

describe('async operators in plans', () => {
  test('the plan shows the kind, the ASYNC strategy and the capacity, and the JSON carries them', () => {
    const env = envAt(2);
    const mapped = env
      .fromElements(1, 2, 3)
      .mapAsync(async (x) => x, { capacity: 7, ordered: false, timeoutMs: 500, retry: { maxRetries: 3 } })
      .map((x) => x);
    mapped.output();
    const json = JSON.parse(env.getExecutionPlan()) as { nodes: { kind: string; strategy: string; async?: unknown }[] };
    const node = json.nodes.find((n) => n.kind === 'MapAsync')!;
    assert.equal(node.strategy, 'ASYNC');
    assert.deepEqual(node.async, { capacity: 7, ordered: false });
    const text = formatPlan(env.collectPlan(mapped.id), 'text');
    assert.match(text, /MapAsync "MapAsync at [^"]+" ASYNC capacity=7 unordered timeout=500ms retries=3/);
    // the map behind it is chained into its task
    assert.match(text, /MapAsync at [^"]+ -> Map at/);
  });

  test('bad options are plan errors at the call', () => {
    const ds = envAt(1).fromElements(1);
    assert.throws(() => ds.mapAsync(async (x) => x, { capacity: 0 }), /mapAsync at .*capacity must be a positive integer/);
    assert.throws(() => ds.flatMapAsync(async (x) => [x], { timeoutMs: -1 }), /flatMapAsync at .*timeoutMs must be a positive number/);
    assert.throws(() => ds.mapAsync(async (x) => x, { retry: { maxRetries: 1.5 } }), /retry.maxRetries must be a non-negative integer/);
    // @ts-expect-error: a plain object is not an AsyncMapFunction
    assert.throws(() => ds.mapAsync({ map: (x: number) => x }), /AsyncMapFunction \(an object with a asyncMap\(\) method\)/);
  });
});
