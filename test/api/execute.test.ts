/** execute/collect/count (each runs the pending sinks), retries, getExecutionPlan, several environments in one process. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { getEnvironment, IntCounter, JobExecutionError, MapFunction, PlanError, type RuntimeContext, UserFunctionError } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { record, recorded, spyLog } from '../spy.ts';
import { lines, runScript } from './spawn-script.ts';

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

/**
 * A map function for `generateSequence(1, …)` whose first `failures` attempts fail, on element 1
 * (so once per attempt whatever the parallelism). The failures so far are counted in a spy log,
 * which every attempt sees, whichever thread runs it (a captured counter would be a copy per job).
 */
function failTransiently(failures: number): { fn: (x: number) => number; failed: () => number } {
  const log = spyLog();
  const fn = (x: number): number => {
    if (x === 1 && recorded(log).length < failures) {
      record(log, 'failed');
      throw new Error('transient failure');
    }
    return x;
  };
  return { fn, failed: () => recorded(log).length };
}

describe('execute() runs the sinks defined since the last run', () => {
  for (const p of PARALLELISMS) {
    test(`a second execute runs only the new sink at p=${p}`, async () => {
      const dir = tempDir();
      const env = envAt(p);
      const aCalls = spyLog();
      env
        .fromElements(1, 2, 3)
        .map((x) => {
          record(aCalls, x);
          return x;
        })
        .writeText(join(dir, 'a'))
        .setParallelism(1);
      await env.execute();
      assertSameMultiset(recorded(aCalls), [1, 2, 3]);
      assertSameMultiset(readLines(join(dir, 'a')), ['1', '2', '3']);

      // Were sink a to run again, its NO_OVERWRITE target would fail the job.
      env.fromElements('b').writeText(join(dir, 'b')).setParallelism(1);
      await env.execute();
      assertSameMultiset(recorded(aCalls), [1, 2, 3]);
      assert.deepEqual(readLines(join(dir, 'b')), ['b']);
    });
  }

  test('all sinks defined since the last run run in one job', async () => {
    const dir = tempDir();
    const env = envAt(2);
    const ds = env.generateSequence(1, 4);
    ds.writeText(join(dir, 'x')).setParallelism(1);
    ds.map((v) => v * 10)
      .writeText(join(dir, 'y'))
      .setParallelism(1);
    await env.execute();
    assertSameMultiset(readLines(join(dir, 'x')), ['1', '2', '3', '4']);
    assertSameMultiset(readLines(join(dir, 'y')), ['10', '20', '30', '40']);
  });

  test('execute with no sinks defined since the last run is an error', async () => {
    const env = envAt(1);
    await assert.rejects(env.execute(), PlanError);
    env.fromElements(1).writeText(join(tempDir(), 'once')).setParallelism(1);
    await env.execute();
    await assert.rejects(env.execute(), (e: unknown) => e instanceof PlanError && /sink/i.test(e.message));
  });

  for (const p of PARALLELISMS) {
    test(`collect() and count() also run the pending sinks, which later runs do not repeat, at p=${p}`, async () => {
      const dir = tempDir();
      const env = envAt(p);
      const ds = env.fromElements('x', 'y', 'z');
      ds.writeText(join(dir, 'by-collect')).setParallelism(1);
      assertSameMultiset(await env.fromElements(1, 2).collect(), [1, 2]);
      assertSameMultiset(readLines(join(dir, 'by-collect')), ['x', 'y', 'z']);

      ds.writeText(join(dir, 'by-count')).setParallelism(1);
      assert.equal(await ds.count(), 3);
      assertSameMultiset(readLines(join(dir, 'by-count')), ['x', 'y', 'z']);

      // Both sinks ran already: nothing is pending, and another collect does not write them again.
      assert.equal(await ds.count(), 3);
      await assert.rejects(env.execute(), PlanError);
    });
  }

  test('collect and count return the data set asked for, as often as asked', async () => {
    const env = envAt(4);
    const ds = env.generateSequence(1, 50).filter((x) => x % 5 === 0);
    assertSameMultiset(await ds.collect(), [5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
    assert.equal(await ds.count(), 10);
    assertSameMultiset(await ds.collect(), [5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
    assert.equal(await env.fromElements<number>().count(), 0);
    assert.deepEqual(await env.fromElements<number>().collect(), []);
  });
});

describe('getExecutionPlan()', () => {
  interface JsonNode {
    id: string | number;
    name: string;
    kind: string;
    parallelism: number;
    strategy: string;
  }
  interface JsonEdge {
    source: string | number;
    target: string | number;
    ship: string;
    chained: boolean;
    keys?: unknown;
  }

  test('a JSON string of nodes (id, name, kind, parallelism) and edges; nothing runs', async () => {
    const dir = tempDir();
    const env = envAt(4);
    const calls = spyLog();
    env
      .generateSequence(1, 100)
      .map((v): [number, number] => {
        record(calls, v);
        return [v % 3, 1];
      })
      .name('pairs')
      .groupBy(0)
      .reduce((a, b) => [a[0], a[1] + b[1]])
      .writeCsv(join(dir, 'counts'))
      .name('counts sink')
      .setParallelism(2);
    const json = env.getExecutionPlan();
    assert.equal(typeof json, 'string');
    assert.equal(recorded(calls).length, 0);
    assert.equal(existsSync(join(dir, 'counts')), false);

    const plan = JSON.parse(json) as { nodes: JsonNode[]; edges: JsonEdge[] };
    assert.ok(Array.isArray(plan.nodes) && Array.isArray(plan.edges));
    for (const n of plan.nodes) {
      assert.ok(typeof n.id === 'string' || typeof n.id === 'number');
      assert.equal(typeof n.name, 'string');
      assert.equal(typeof n.kind, 'string');
      assert.ok(Number.isInteger(n.parallelism) && n.parallelism >= 1);
    }
    assert.equal(new Set(plan.nodes.map((n) => n.id)).size, plan.nodes.length, 'node ids are unique');
    const byId = new Map(plan.nodes.map((n) => [n.id, n]));
    for (const e of plan.edges) assert.ok(byId.has(e.source) && byId.has(e.target), `edge ${e.source} -> ${e.target} names existing nodes`);

    const summary = plan.nodes.map((n) => [n.strategy, n.parallelism]);
    assert.deepEqual(summary, [
      ['SOURCE', 4],
      ['MAP', 4],
      ['COMBINE', 4],
      ['HASH_GROUP', 4],
      ['SINK', 2],
    ]);
    assert.deepEqual(
      plan.nodes.map((n) => n.kind),
      ['SequenceSource', 'Map', plan.nodes[2]!.kind, 'Reduce', 'CsvSink'],
    );
    assert.match(plan.nodes[2]!.kind, /^Reduce/);
    assert.equal(plan.nodes[1]!.name, 'pairs');
    assert.equal(plan.nodes[4]!.name, 'counts sink');
    assert.match(plan.nodes[0]!.name, /execute\.test\.ts:\d+/);
    const hop = (from: number, to: number) => plan.edges.find((e) => e.source === plan.nodes[from]!.id && e.target === plan.nodes[to]!.id);
    assert.equal(hop(0, 1)?.ship, 'FORWARD');
    assert.equal(hop(0, 1)?.chained, true);
    assert.equal(hop(1, 2)?.chained, true);
    assert.equal(hop(2, 3)?.ship, 'HASH');
    assert.equal(hop(2, 3)?.chained, false);
    assert.match(JSON.stringify(hop(2, 3)?.keys), /0/);
    assert.equal(hop(3, 4)?.ship, 'REBALANCE');
    assert.equal(plan.edges.length, 4);

    // The sinks are still pending: execute runs them.
    await env.execute();
    assert.equal(recorded(calls).length, 100);
    assertSameMultiset(readdirSync(join(dir, 'counts')), ['1', '2']);
  });

  test('broadcast sets appear as BROADCAST edges', () => {
    const env = envAt(2);
    const small = env.fromElements(1, 2);
    env
      .generateSequence(1, 10)
      .map((x) => x)
      .withBroadcastSet('small', small)
      .output();
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: JsonNode[]; edges: JsonEdge[] };
    const b = plan.edges.filter((e) => e.ship === 'BROADCAST');
    assert.equal(b.length, 1);
    assert.ok(JSON.stringify(b[0]).includes('"small"'), 'the edge names the broadcast set');
    const byId = new Map(plan.nodes.map((n) => [n.id, n]));
    assert.equal(byId.get(b[0]!.source)!.kind, 'CollectionSource');
    assert.equal(byId.get(b[0]!.target)!.kind, 'Map');
  });

  test('without pending sinks it is an error', () => {
    assert.throws(() => getEnvironment().getExecutionPlan(), PlanError);
  });
});

describe('setNumberOfExecutionRetries', () => {
  for (const p of PARALLELISMS) {
    test(`a job that fails on its first attempt only succeeds with 1 retry at p=${p}`, async () => {
      const dir = tempDir();
      const env = envAt(p);
      env.setNumberOfExecutionRetries(1);
      const flaky = failTransiently(1);
      const counted = env
        .generateSequence(1, 20)
        .map(flaky.fn)
        .map(
          new (class extends MapFunction<number, number> {
            private n = new IntCounter();
            override open(ctx: RuntimeContext): void {
              ctx.addAccumulator('records', this.n);
            }
            map(v: number): number {
              this.n.add(1);
              return v;
            }
          })(),
        );
      counted.writeText(join(dir, 'out')).setParallelism(1);
      const result = await env.execute();
      assert.equal(flaky.failed(), 1);
      assertSameMultiset(
        readLines(join(dir, 'out')),
        Array.from({ length: 20 }, (_, i) => String(i + 1)),
      );
      // Only the successful attempt counts.
      assert.deepEqual(result.accumulators, { records: 20 });
      assert.deepEqual(readdirSync(dir), ['out'], 'no staging left by the failed attempt');
    });

    test(`the same job fails with the default of 0 retries at p=${p}`, async () => {
      const dir = tempDir();
      const env = envAt(p);
      assert.equal(env.getNumberOfExecutionRetries(), 0);
      const flaky = failTransiently(1);
      env.generateSequence(1, 20).map(flaky.fn).writeText(join(dir, 'out'));
      await assert.rejects(env.execute(), (e: unknown) => e instanceof JobExecutionError && e.cause instanceof UserFunctionError && /transient failure/.test(e.message));
      assert.equal(flaky.failed(), 1);
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  test('retries are used up before the job fails', async () => {
    const env = envAt(2);
    env.setNumberOfExecutionRetries(2);
    const tooFlaky = failTransiently(3);
    await assert.rejects(env.generateSequence(1, 4).map(tooFlaky.fn).collect(), JobExecutionError);
    assert.equal(tooFlaky.failed(), 3, 'the first attempt and both retries failed');
    const flaky = failTransiently(2);
    assertSameMultiset(await env.generateSequence(1, 4).map(flaky.fn).collect(), [1, 2, 3, 4]);
    assert.equal(flaky.failed(), 2);
  });
});

describe('several environments in one process', () => {
  test('each execute runs the plan of its own environment', async () => {
    const dir = tempDir();
    const e1 = envAt(1);
    const e2 = envAt(4);
    const d1 = e1.fromElements('one', 'two');
    const d2 = e2.generateSequence(1, 8);
    d2.map((v) => v * 2).writeText(join(dir, 'e2'));
    d1.map((s) => s.toUpperCase()).writeText(join(dir, 'e1'));
    const e3 = getEnvironment();
    e3.setParallelism(2);
    e3.fromElements('three').writeText(join(dir, 'e3')).setParallelism(1);

    await e1.execute();
    assert.deepEqual(readdirSync(dir).sort(), ['e1']);
    assertSameMultiset(readLines(join(dir, 'e1')), ['ONE', 'TWO']);

    // e1's collect must not run e2's pending sink.
    assertSameMultiset(await d1.collect(), ['one', 'two']);
    assert.deepEqual(readdirSync(dir).sort(), ['e1']);

    await e2.execute();
    assertSameMultiset(readdirSync(join(dir, 'e2')), ['1', '2', '3', '4']);
    assertSameMultiset(
      readdirSync(join(dir, 'e2')).flatMap((f) => readLines(join(dir, 'e2', f))),
      ['2', '4', '6', '8', '10', '12', '14', '16'],
    );
    await e3.execute();
    assert.deepEqual(readLines(join(dir, 'e3')), ['three']);
    await assert.rejects(e1.execute(), PlanError);
  });

  test('environments run concurrently give each its own results', async () => {
    const envs = [1, 2, 3, 4].map((p) => envAt(p));
    const results = await Promise.all(envs.map((env, i) => env.generateSequence(1, 10 * (i + 1)).count()));
    assert.deepEqual(results, [10, 20, 30, 40]);
  });
});

describe('several environments in one program run as a script (worker threads where the engine uses them)', () => {
  test('environments built one after another, each at p=4, a later plan built from an earlier result', () => {
    const dir = tempDir();
    const r = runScript(
      dir,
      'many',
      ['getEnvironment'],
      `const first = getEnvironment();
first.setParallelism(4);
const threshold = (await first.generateSequence(1, 100).filter((x) => x % 10 === 0).collect()).length;
console.log('first ' + threshold);

const second = getEnvironment();
second.setParallelism(4);
const words = second.fromElements('a b', 'b c', 'c d e').flatMap((l) => l.split(' ')).map((w) => [w, 1]);
words.groupBy(0).sum(1).filter((t) => t[1] >= 2).map((t) => 'second ' + t[0]).output();
await second.execute();

const third = getEnvironment();
third.setParallelism(4);
console.log('third ' + (await third.generateSequence(1, threshold * 10).map((x) => x * 2).count()));
const fourth = getEnvironment();
fourth.setParallelism(2);
console.log('fourth ' + (await fourth.fromElements(1, 2, 3).rebalance().reduce((a, b) => a + b).collect()).join());`,
    );
    assert.equal(r.status, 0, r.stderr);
    assertSameMultiset(lines(r.stdout), ['first 10', 'second b', 'second c', 'third 100', 'fourth 6']);
    // Engine messages, if any (such as a fallback notice), are single lines on stderr.
    for (const l of lines(r.stderr)) assert.match(l, /^tsflink: /);
  });
});
