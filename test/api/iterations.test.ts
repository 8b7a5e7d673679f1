/**
 * Iterations: `iterate(n)` … `closeWith(next, terminationCriterion?)` and
 * `iterateDelta(workset, n, keys)` … `closeWith(delta, newWorkset)` (cases after Flink's
 * iterative ITCases: IterationWithChaining, IterationTerminationWithTerminationTail,
 * IterationWithUnion, BulkIterationWithAllReducer, ConnectedComponents, CoGroupConnectedComponents,
 * SolutionSetDuplicates, StaticlyNestedIterations). In-process at every parallelism, and on
 * worker threads at the end.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoGroupFunction, type Collector, IntCounter, MapFunction, PlanError, ReduceFunction } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt, tempDir } from '../helpers.ts';
import { lines, runScript } from './spawn-script.ts';

type Pair = [number, number];

const EDGES: readonly Pair[] = [
  [1, 2],
  [2, 3],
  [4, 5],
  [5, 6],
  [6, 7],
  [8, 9],
];
/** Each vertex with the smallest vertex id of its component. */
const COMPONENTS: readonly Pair[] = [
  [1, 1],
  [2, 1],
  [3, 1],
  [4, 4],
  [5, 4],
  [6, 4],
  [7, 4],
  [8, 8],
  [9, 8],
  [10, 10],
];

class PlusSuperstep extends MapFunction<number, number> {
  map(x: number): number {
    return x + this.context.getSuperstepNumber();
  }
}

for (const p of PARALLELISMS) {
  describe(`bulk iterations at p=${p}`, () => {
    test('a map step runs maxIterations times', async () => {
      const env = envAt(p);
      const it = env.generateSequence(1, 20).iterate(10);
      const result = await it.closeWith(it.map((x) => x + 1)).collect();
      assertSameMultiset(
        result,
        Array.from({ length: 20 }, (_, i) => i + 11),
      );
    });

    test('a step with a chain of operators and a filter that drops nothing', async () => {
      const env = envAt(p);
      const it = env.fromElements(1, 2, 3, 4).iterate(5);
      const next = it
        .map((x) => x * 2)
        .filter((x) => x > 0)
        .map((x) => x - 1);
      // x → 2x - 1 five times: 1 stays 1, 2 → 33, 3 → 65, 4 → 97
      assertSameMultiset(await it.closeWith(next).collect(), [1, 33, 65, 97]);
    });

    test('getSuperstepNumber counts supersteps from 1', async () => {
      const env = envAt(p);
      const it = env.fromElements(0, 100).iterate(4);
      assertSameMultiset(await it.closeWith(it.map(new PlusSuperstep())).collect(), [10, 110]);
    });

    test('getSuperstepNumber outside an iteration is an error naming the operator', async () => {
      const env = envAt(p);
      await assert.rejects(env.fromElements(1).map(new PlusSuperstep()).name('outside').collect(), /outside[\s\S]*not run inside an iteration/);
    });

    test('the termination criterion stops the iteration after the superstep that left it empty', async () => {
      const env = envAt(p);
      const it = env.generateSequence(1, 5).iterate(100);
      const next = it.map((x) => x * 2);
      const result = await it
        .closeWith(
          next,
          next.filter((x) => x < 1000),
        )
        .collect();
      assertSameMultiset(result, [1024, 2048, 3072, 4096, 5120]);
    });

    test('a termination criterion that is empty at once gives one superstep', async () => {
      const env = envAt(p);
      const it = env.fromElements(1, 2, 3).iterate(50);
      const next = it.map((x) => x + 10);
      assertSameMultiset(
        await it
          .closeWith(
            next,
            next.filter(() => false),
          )
          .collect(),
        [11, 12, 13],
      );
    });

    test('a criterion computed from a static data set and the partial solution (IterationTerminationWithTerminationTail)', async () => {
      const env = envAt(p);
      const limit = env.fromElements(7);
      const it = env.fromElements(1).iterate(100);
      const next = it.map((x) => x + 1);
      const criterion = next.cross(limit).filter(([x, l]) => x < l);
      assert.deepEqual(await it.closeWith(next, criterion).collect(), [7]);
    });

    test('closing with the partial solution itself keeps the initial data', async () => {
      const env = envAt(p);
      const it = env.fromElements('a', 'b', 'c').iterate(3);
      assertSameMultiset(await it.closeWith(it).collect(), ['a', 'b', 'c']);
    });

    test('an all-reduce step (IterationWithAllReducer)', async () => {
      const env = envAt(p);
      const it = env.fromElements(1, 2, 3, 4, 5, 6, 7, 8).iterate(10);
      const next = it.reduce((a, b) => Math.max(a, b));
      assert.deepEqual(await it.closeWith(next).collect(), [8]);
    });

    test('a grouped reduction in the step', async () => {
      const env = envAt(p);
      const it = env.fromElements<Pair>([1, 1], [1, 2], [2, 3], [2, 4], [3, 5]).iterate(3);
      // Each superstep sums each key's values and doubles the one result into two again.
      const next = it
        .groupBy(0)
        .sum(1)
        .flatMap((t: Pair, out: Collector<Pair>) => {
          out.collect([t[0], t[1]]);
          out.collect([t[0], 0]);
        });
      assertSameMultiset(await it.closeWith(next).collect(), [
        [1, 3],
        [1, 0],
        [2, 7],
        [2, 0],
        [3, 5],
        [3, 0],
      ]);
    });

    test('a union of the partial solution with a static data set (IterationWithUnion)', async () => {
      const env = envAt(p);
      const extra = env.fromElements(100);
      const it = env.fromElements(1, 2).iterate(3);
      const next = it.union(extra).map((x) => x + 1);
      // every superstep adds one element 100 and increments everything
      assertSameMultiset(await it.closeWith(next).collect(), [4, 5, 103, 102, 101]);
    });

    test('a join with a static data set in every superstep', async () => {
      const env = envAt(p);
      const successor = env.generateSequence(0, 20).map((n): Pair => [n, n + 1]);
      const it = env.fromElements(0, 5, 10).iterate(4);
      const next = it
        .join(successor)
        .where((x) => x)
        .equalTo(0)
        .using((_x, s) => s[1]);
      assertSameMultiset(await it.closeWith(next).collect(), [4, 9, 14]);
    });

    test('broadcast sets: a static one and the partial solution itself (KMeansWithBroadcastSet)', async () => {
      const env = envAt(p);
      const offsets = env.fromElements(1000);
      const it = env.fromElements(1, 2, 3).iterate(2);
      const next = it
        .map(
          new (class extends MapFunction<number, number> {
            map(x: number): number {
              const all = this.context.getBroadcastVariable<number>('current');
              const [offset] = this.context.getBroadcastVariable<number>('offset');
              return x + all.reduce((a, b) => a + b, 0) + offset!;
            }
          })(),
        )
        .withBroadcastSet(it, 'current')
        .withBroadcastSet(offsets, 'offset');
      // superstep 1: sum 6 → 1007, 1008, 1009; superstep 2: sum 3024 → 5031, 5032, 5033
      assertSameMultiset(await it.closeWith(next).collect(), [5031, 5032, 5033]);
    });

    test('an iteration at its own parallelism', async () => {
      const env = envAt(p);
      const it = env.generateSequence(1, 10).iterate(3).setParallelism(2);
      const result = await it.closeWith(it.map((x) => x * 10).setParallelism(1)).collect();
      assertSameMultiset(
        result,
        Array.from({ length: 10 }, (_, i) => (i + 1) * 1000),
      );
    });

    test('the result feeds several consumers, and a second iteration reads the first one (StaticlyNestedIterations)', async () => {
      const env = envAt(p);
      const first = env.generateSequence(1, 10).iterate(5);
      const firstResult = first.closeWith(first.map((x) => x));
      const main = env.generateSequence(1, 10).iterate(3);
      const joined = main
        .join(firstResult)
        .where((x) => x)
        .equalTo((x) => x)
        .using((a, b) => a + b - b);
      const mainResult = main.closeWith(joined);
      assertSameMultiset(await mainResult.union(firstResult).collect(), [...Array.from({ length: 10 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 1)]);
    });

    test('accumulators add up over every superstep', async () => {
      const env = envAt(p);
      const it = env.generateSequence(1, 6).iterate(3);
      const next = it.map(
        new (class extends MapFunction<number, number> {
          private seen = new IntCounter();
          override open(): void {
            this.context.addAccumulator('seen', this.seen);
          }
          map(x: number): number {
            this.seen.add(1);
            return x;
          }
        })(),
      );
      it.closeWith(next).output();
      const r = await env.execute({ jobName: 'accumulators in iterations' });
      assert.equal(r.accumulators.seen, 18);
    });

    test('the result written to a file by a sink', async () => {
      const { readFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const dir = tempDir();
      const env = envAt(p);
      const it = env.fromElements(1, 2).iterate(2);
      it.closeWith(it.map((x) => x * 3))
        .writeText(join(dir, 'out.txt'))
        .setParallelism(1);
      await env.execute();
      assertSameMultiset(readFileSync(join(dir, 'out.txt'), 'utf8').trim().split('\n'), ['9', '18']);
    });
  });

  describe(`delta iterations at p=${p}`, () => {
    const graph = (env: ReturnType<typeof envAt>) => {
      const vertices = env.generateSequence(1, 10).map((v): Pair => [v, v]);
      const edges = env.fromCollection(EDGES).flatMap((e: Pair, out: Collector<Pair>) => {
        out.collect([e[0], e[1]]);
        out.collect([e[1], e[0]]);
      });
      return { vertices, edges };
    };

    test('connected components with a join on the solution set (ConnectedComponents)', async () => {
      const env = envAt(p);
      const { vertices, edges } = graph(env);
      const it = vertices.iterateDelta(vertices, 100, 0);
      const candidates = it
        .getWorkset()
        .join(edges)
        .where(0)
        .equalTo(0)
        .using((v, e): Pair => [e[1], v[1]])
        .groupBy(0)
        .min(1);
      const delta = candidates
        .join(it.getSolutionSet())
        .where(0)
        .equalTo(0)
        .flatMap(([c, s]: [Pair, Pair], out: Collector<Pair>) => {
          if (c[1] < s[1]) out.collect(c);
        });
      assertSameMultiset(await it.closeWith(delta, delta).collect(), COMPONENTS);
    });

    test('connected components with a coGroup on the solution set and a key selector (CoGroupConnectedComponents)', async () => {
      const env = envAt(p);
      const { vertices, edges } = graph(env);
      const it = vertices.iterateDelta(vertices, 100, (v: Pair) => v[0]);
      const candidates = it
        .getWorkset()
        .join(edges)
        .where(0)
        .equalTo(0)
        .using((v, e): Pair => [e[1], v[1]]);
      const delta = candidates
        .coGroup(it.getSolutionSet())
        .where(0)
        .equalTo(0)
        .using(
          new (class extends CoGroupFunction<Pair, Pair, Pair> {
            coGroup(cs: Iterable<Pair>, ss: Iterable<Pair>, out: Collector<Pair>): void {
              const [current] = [...ss];
              let min = current![1];
              for (const c of cs) min = Math.min(min, c[1]);
              if (min < current![1]) out.collect([current![0], min]);
            }
          })(),
        );
      assertSameMultiset(await it.closeWith(delta, delta).collect(), COMPONENTS);
    });

    test('the solution set keeps one element per key (SolutionSetDuplicates)', async () => {
      const env = envAt(p);
      const data = env.generateSequence(0, 10).flatMap((n: number, out: Collector<Pair>) => {
        out.collect([n, n]);
        out.collect([n, n]);
      });
      const it = data.iterateDelta(data, 10, 0);
      const result = await it
        .closeWith(it.getWorkset(), it.getWorkset())
        .map((t) => t[0])
        .collect();
      assert.deepEqual(
        result.sort((a, b) => a - b),
        Array.from({ length: 11 }, (_, i) => i),
      );
    });

    test('stops when the workset is empty, and the delta replaces elements by key', async () => {
      const env = envAt(p);
      const solution = env.fromElements<[string, number]>(['a', 0], ['b', 0], ['c', 0]);
      const work = env.fromElements<[string, number]>(['a', 3], ['b', 1]);
      const it = solution.iterateDelta(work, 50, 0);
      // each superstep: the workset's counters go down by one and their elements are recorded
      const next = it
        .getWorkset()
        .map((w): [string, number] => [w[0], w[1] - 1])
        .filter((w) => w[1] >= 0);
      const delta = next.map((w): [string, number] => [w[0], 10 - w[1]]);
      assertSameMultiset(await it.closeWith(delta, next).collect(), [
        ['a', 10],
        ['b', 10],
        ['c', 0],
      ]);
    });

    test('maxIterations bounds a workset that never empties', async () => {
      const env = envAt(p);
      const solution = env.fromElements<Pair>([1, 0]);
      const it = solution.iterateDelta(solution, 7, 0);
      const delta = it.getSolutionSet().map((s): Pair => [s[0], s[1] + 1]);
      assert.deepEqual(await it.closeWith(delta, it.getWorkset()).collect(), [[1, 7]]);
    });

    test('two joins with the solution set in one superstep (MultipleSolutionSetJoins)', async () => {
      const env = envAt(p);
      const solution = env.generateSequence(1, 6).map((n): Pair => [n, 0]);
      const it = solution.iterateDelta(solution, 3, 0);
      const a = it
        .getWorkset()
        .join(it.getSolutionSet())
        .where(0)
        .equalTo(0)
        .using((_w, s): Pair => [s[0], s[1] + 1])
        .filter((t) => t[0] % 2 === 0);
      const b = it
        .getWorkset()
        .join(it.getSolutionSet())
        .where(0)
        .equalTo(0)
        .using((_w, s): Pair => [s[0], s[1] + 2])
        .filter((t) => t[0] % 2 === 1);
      const delta = a.union(b);
      const result = await it.closeWith(delta, delta).collect();
      assertSameMultiset(result, [
        [1, 6],
        [2, 3],
        [3, 6],
        [4, 3],
        [5, 6],
        [6, 3],
      ]);
    });

    test('a reduce function in the step', async () => {
      const env = envAt(p);
      const solution = env.fromElements<Pair>([1, 1], [2, 2]);
      const it = solution.iterateDelta(env.fromElements<Pair>([1, 5], [1, 6], [2, 1]), 2, 0);
      const delta = it
        .getWorkset()
        .groupBy(0)
        .reduce(
          new (class extends ReduceFunction<Pair> {
            reduce(x: Pair, y: Pair): Pair {
              return [x[0], x[1] + y[1]];
            }
          })(),
        );
      assertSameMultiset(await it.closeWith(delta, delta).collect(), [
        [1, 11],
        [2, 1],
      ]);
    });
  });
}

describe('iteration plan errors', () => {
  test('maxIterations must be a positive integer', () => {
    const env = envAt(1);
    assert.throws(() => env.fromElements(1).iterate(0), PlanError);
    assert.throws(() => env.fromElements(1).iterateDelta(env.fromElements(1), 1.5, (x) => x), PlanError);
  });

  test('a delta iteration needs a key', () => {
    const env = envAt(1);
    assert.throws(() => env.fromElements(1).iterateDelta(env.fromElements(1), 3), /needs a key/);
  });

  test('closeWith twice', () => {
    const env = envAt(1);
    const it = env.fromElements(1).iterate(2);
    it.closeWith(it.map((x) => x));
    assert.throws(() => it.closeWith(it), /already closed/);
  });

  test("a step's data set read outside the step", async () => {
    const env = envAt(1);
    const it = env.fromElements(1).iterate(2);
    const step = it.map((x) => x + 1).name('inner');
    const result = it.closeWith(step);
    await assert.rejects(step.union(result).collect(), (e: Error) => e instanceof PlanError && /reads the step of/.test(e.message));
  });

  test('an iteration that is never closed', async () => {
    const env = envAt(1);
    const it = env.fromElements(1).iterate(2);
    await assert.rejects(it.map((x) => x).collect(), /never closed/);
  });

  test('closing with a data set that does not come from the step', async () => {
    const env = envAt(1);
    const it = env.fromElements(1).iterate(2);
    await assert.rejects(it.closeWith(env.fromElements(5)).collect(), /not computed from the iteration's partial solution/);
  });

  test('an iteration inside a step', async () => {
    const env = envAt(1);
    const outer = env.fromElements(1).iterate(2);
    const inner = outer.map((x) => x).iterate(2);
    await assert.rejects(outer.closeWith(inner.closeWith(inner)).collect(), /inside an iteration's step are not supported/);
  });

  test('the plan shows the iteration', () => {
    const env = envAt(2);
    const it = env.fromElements(1).iterate(7);
    it.closeWith(
      it.map((x) => x),
      it.filter(() => false),
    ).output();
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { kind: string; strategy: string }[]; edges: { source: string; target: string; input: number }[] };
    const kinds = plan.nodes.map((n) => `${n.kind}/${n.strategy}`);
    for (const k of ['PartialSolution/MAP', 'BulkIteration/MAP', 'BulkIteration/TERMINATION_CRITERION']) assert.ok(kinds.includes(k), k);
    // The partial solution's input 1 is fed back by the map.
    const ps = plan.nodes.findIndex((n) => n.kind === 'PartialSolution');
    assert.ok(plan.edges.some((e) => e.target === String(ps) && e.input === 1));
  });

  test('the text plan shows which tasks run every superstep and what is fed back', () => {
    const r = runScript(
      tempDir(),
      'plan',
      ['getEnvironment'],
      "const env = getEnvironment();\nenv.setParallelism(2);\nconst it = env.fromElements(1).iterate(7);\nit.closeWith(it.map((x) => x).name('step map')).output();\nawait env.execute();",
      { TSFLINK_PLAN_FORMAT: 'text' },
    );
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout;
    assert.match(text, /Task \d+ "step map" p=2\n {2}step of "Bulk iteration at [^"]+": runs every superstep \(at most 7\)/);
    assert.match(text, /<- Task \d+ via FORWARD \(fed back by the previous superstep\)/);
  });
});

describe('iterations on worker threads', () => {
  test('bulk and delta iterations in a script at parallelism 2 give the in-process answers', () => {
    const dir = tempDir();
    const r = runScript(
      dir,
      'iterations',
      ['getEnvironment', 'MapFunction'],
      `
const env = getEnvironment();
env.setParallelism(2);
class PlusSuperstep extends MapFunction {
  map(x) { return x + this.context.getSuperstepNumber(); }
}
const show = (rows) => console.log(JSON.stringify(rows.sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
const it = env.generateSequence(1, 6).iterate(4);
show(await it.closeWith(it.map(new PlusSuperstep())).collect());
const it2 = env.generateSequence(1, 5).iterate(100);
const n2 = it2.map((x) => x * 2);
show(await it2.closeWith(n2, n2.filter((x) => x < 1000)).collect());
const successor = env.generateSequence(0, 20).map((n) => [n, n + 1]);
const it3 = env.fromElements(0, 5, 10).iterate(4);
show(await it3.closeWith(it3.join(successor).where((x) => x).equalTo(0).using((_x, s) => s[1])).collect());
const vertices = env.generateSequence(1, 10).map((v) => [v, v]);
const edges = env.fromElements([1, 2], [2, 3], [4, 5], [5, 6], [6, 7], [8, 9]).flatMap((e, out) => { out.collect([e[0], e[1]]); out.collect([e[1], e[0]]); });
const d = vertices.iterateDelta(vertices, 100, 0);
const candidates = d.getWorkset().join(edges).where(0).equalTo(0).using((v, e) => [e[1], v[1]]).groupBy(0).min(1);
const delta = candidates.join(d.getSolutionSet()).where(0).equalTo(0).flatMap(([c, s], out) => { if (c[1] < s[1]) out.collect(c); });
show(await d.closeWith(delta, delta).collect());
import workerThreads from 'node:worker_threads';
const it4 = env.generateSequence(1, 8).iterate(2);
show(await it4.closeWith(it4.map(() => workerThreads.threadId)).distinct().collect());
`,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = lines(r.stdout).map((l) => JSON.parse(l) as unknown[]);
    assertSameMultiset(out[0]!, [11, 12, 13, 14, 15, 16]);
    assertSameMultiset(out[1]!, [1024, 2048, 3072, 4096, 5120]);
    assertSameMultiset(out[2]!, [4, 9, 14]);
    assertSameMultiset(out[3]!, COMPONENTS);
    assert.ok(out[4]!.length > 0 && out[4]!.every((t) => t !== 0), `the step ran on worker threads, not the main thread: ${JSON.stringify(out[4])}`);
  });
});
