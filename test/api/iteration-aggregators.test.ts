/**
 * Iteration aggregators and convergence criteria (Flink's IterativeDataSet/DeltaIteration
 * registerAggregator and registerAggregationConvergenceCriterion), ported from Flink's
 * AggregatorsITCase and AggregatorConvergenceITCase, at p=1 (in-process) and p=4 (worker threads).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  type Aggregator,
  type Collector,
  type ConvergenceCriterion,
  DoubleSumAggregator,
  DoubleZeroConvergence,
  FlatMapFunction,
  LongCounter,
  LongSumAggregator,
  LongZeroConvergence,
  MapFunction,
  PlanError,
} from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt, tempDir } from '../helpers.ts';

type Pair = [number, number];

const MAX_ITERATIONS = 20;
const NEGATIVE_ELEMENTS_AGGR = 'count.negative.elements';
/** Flink's CollectionDataSets.getIntegerDataSet. */
const INTEGERS = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5];

class NegativeElementsConvergenceCriterion implements ConvergenceCriterion<number> {
  isConverged(_iteration: number, value: number): boolean {
    return value > 3;
  }
}

class NegativeElementsConvergenceCriterionWithParam implements ConvergenceCriterion<number> {
  private readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  isConverged(_iteration: number, value: number): boolean {
    return value > this.value;
  }
}

/** A LongSumAggregator with a parameter the step's functions read (a user's aggregator class). */
class LongSumAggregatorWithParameter extends LongSumAggregator {
  private readonly value: number;
  constructor(value: number) {
    super();
    this.value = value;
  }
  getValue(): number {
    return this.value;
  }
}

class SubtractOneMap extends MapFunction<number, number> {
  private aggr!: Aggregator<number>;
  override open(): void {
    this.aggr = this.context.getIterationAggregator(NEGATIVE_ELEMENTS_AGGR);
  }
  map(value: number): number {
    const newValue = value - 1;
    if (newValue < 0) this.aggr.aggregate(1);
    return newValue;
  }
}

class SubtractOneMapWithParam extends MapFunction<number, number> {
  private aggr!: LongSumAggregatorWithParameter;
  override open(): void {
    this.aggr = this.context.getIterationAggregator<LongSumAggregatorWithParameter>(NEGATIVE_ELEMENTS_AGGR);
  }
  map(value: number): number {
    const newValue = value - 1;
    if (newValue < this.aggr.getValue()) this.aggr.aggregate(1);
    return newValue;
  }
}

/** Counts the elements equal to the superstep; checks the previous superstep's count (superstep - 1). */
class AggregateMapDelta extends MapFunction<Pair, Pair> {
  private aggr!: Aggregator<number>;
  private superstep = 0;
  override open(): void {
    this.aggr = this.context.getIterationAggregator(NEGATIVE_ELEMENTS_AGGR);
    this.superstep = this.context.getSuperstepNumber();
    const previous = this.context.getPreviousIterationAggregate<number>(NEGATIVE_ELEMENTS_AGGR);
    if (this.superstep === 1) assert.equal(previous, null);
    else assert.equal(previous, this.superstep - 1);
  }
  map(value: Pair): Pair {
    if (value[1] === this.superstep) this.aggr.aggregate(1);
    return value;
  }
}

class UpdateFilter extends FlatMapFunction<[Pair, Pair], Pair> {
  flatMap([next]: [Pair, Pair], out: Collector<Pair>): void {
    if (next[1] > this.context.getSuperstepNumber()) out.collect(next);
  }
}

// AggregatorConvergenceITCase: connected components with a parameterizable convergence.
const VERTICES: Pair[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => [v, v]);
const EDGES: Pair[] = [
  [1, 2],
  [1, 3],
  [2, 3],
  [2, 4],
  [2, 1],
  [3, 1],
  [3, 2],
  [4, 2],
  [4, 6],
  [5, 6],
  [6, 4],
  [6, 5],
  [7, 8],
  [7, 9],
  [8, 7],
  [8, 9],
  [9, 7],
  [9, 8],
];
const UPDATED_ELEMENTS = 'updated.elements.aggr';

class UpdatedElementsConvergenceCriterion implements ConvergenceCriterion<number> {
  private readonly threshold: number;
  constructor(threshold: number) {
    this.threshold = threshold;
  }
  isConverged(_iteration: number, value: number): boolean {
    return value < this.threshold;
  }
}

class MinimumIdFilter extends FlatMapFunction<[Pair, Pair], Pair> {
  private readonly aggName: string;
  private aggr!: Aggregator<number>;
  constructor(aggName: string) {
    super();
    this.aggName = aggName;
  }
  override open(): void {
    this.aggr = this.context.getIterationAggregator(this.aggName);
  }
  flatMap([candidate, current]: [Pair, Pair], out: Collector<Pair>): void {
    if (candidate[1] < current[1]) {
      out.collect(candidate);
      this.aggr.aggregate(1);
    } else out.collect(current);
  }
}

class ComponentAggregator extends LongSumAggregator {
  readonly componentId: number;
  constructor(componentId: number) {
    super();
    this.componentId = componentId;
  }
}

/** Counts the vertices of one component; subtask 0 records the previous superstep's count in an accumulator. */
class MinimumIdFilterCounting extends FlatMapFunction<[Pair, Pair], Pair> {
  private aggr!: ComponentAggregator;
  override open(): void {
    const superstep = this.context.getSuperstepNumber();
    this.aggr = this.context.getIterationAggregator<ComponentAggregator>('elements.in.component.aggregator');
    if (superstep > 1 && this.context.getIndexOfThisSubtask() === 0) {
      const seen = new LongCounter();
      seen.add(this.context.getPreviousIterationAggregate<number>('elements.in.component.aggregator')!);
      this.context.addAccumulator(`previous-${superstep}`, seen);
    }
  }
  flatMap([candidate, current]: [Pair, Pair], out: Collector<Pair>): void {
    const kept = candidate[1] < current[1] ? candidate : current;
    out.collect(kept);
    if (kept[1] === this.aggr.componentId) this.aggr.aggregate(1);
  }
}

/** The smallest and largest value seen: an aggregate that is an array, merged on the coordinator. */
class RangeAggregator implements Aggregator<[number, number] | null> {
  private range: [number, number] | null = null;
  aggregate(value: number | [number, number] | null): void {
    if (value === null) return;
    const [lo, hi] = typeof value === 'number' ? [value, value] : value;
    this.range = this.range === null ? [lo, hi] : [Math.min(this.range[0], lo), Math.max(this.range[1], hi)];
  }
  getAggregate(): [number, number] | null {
    return this.range;
  }
  reset(): void {
    this.range = null;
  }
}

class RangeConverged implements ConvergenceCriterion<[number, number] | null> {
  isConverged(_iteration: number, value: [number, number] | null): boolean {
    return value !== null && value[1] - value[0] < 10;
  }
}

for (const p of PARALLELISMS) {
  describe(`iteration aggregators at p=${p} (AggregatorsITCase)`, () => {
    // Superstep 4 leaves 6 elements negative (> 3): its result is the iteration's.
    for (const [what, aggr, criterion, step] of [
      ['an aggregator and a convergence criterion', () => new LongSumAggregator(), () => new NegativeElementsConvergenceCriterion(), () => new SubtractOneMap()],
      ['a user-defined aggregator with a parameter', () => new LongSumAggregatorWithParameter(0), () => new NegativeElementsConvergenceCriterion(), () => new SubtractOneMapWithParam()],
      ['a convergence criterion with a parameter', () => new LongSumAggregator(), () => new NegativeElementsConvergenceCriterionWithParam(3), () => new SubtractOneMap()],
    ] as const) {
      test(`${what} for iterate: the converged superstep is the last`, async () => {
        const env = envAt(p);
        const iteration = env.fromCollection(INTEGERS).iterate(MAX_ITERATIONS);
        const a = aggr();
        iteration.registerAggregator(NEGATIVE_ELEMENTS_AGGR, a);
        iteration.registerAggregationConvergenceCriterion(NEGATIVE_ELEMENTS_AGGR, a, criterion());
        const result = await iteration.closeWith(iteration.map(step())).collect();
        assertSameMultiset(result, [-3, -2, -2, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
      });
    }

    for (const [what, aggr] of [
      ['an aggregator', new LongSumAggregator()],
      ['a user-defined aggregator with a parameter', new LongSumAggregatorWithParameter(4)],
    ] as const) {
      test(`${what} for iterateDelta: each superstep sees the previous superstep's value (null in the first)`, async () => {
        const env = envAt(p);
        const initial = env.fromCollection(INTEGERS.map((v, i): Pair => [i, v]));
        const iteration = initial.iterateDelta(initial, MAX_ITERATIONS, 0);
        iteration.registerAggregator(NEGATIVE_ELEMENTS_AGGR, aggr);
        const updated = iteration.getWorkset().map(new AggregateMapDelta());
        const newElements = updated.join(iteration.getSolutionSet()).where(0).equalTo(0).flatMap(new UpdateFilter());
        const result = await iteration
          .closeWith(newElements, newElements)
          .map((t) => t[1])
          .collect();
        assertSameMultiset(result, INTEGERS);
      });
    }
  });

  describe(`convergence criteria at p=${p} (AggregatorConvergenceITCase)`, () => {
    const COMPONENTS_AT_THRESHOLD: Pair[] = [
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 2],
      [6, 1],
      [7, 7],
      [8, 7],
      [9, 7],
    ];

    test('connected components (bulk) stop once fewer than 3 vertices changed', async () => {
      const env = envAt(p);
      const edges = env.fromCollection(EDGES);
      const iteration = env.fromCollection(VERTICES).iterate(10);
      iteration.registerAggregationConvergenceCriterion(UPDATED_ELEMENTS, new LongSumAggregator(), new UpdatedElementsConvergenceCriterion(3));
      const candidates = iteration
        .join(edges)
        .where(0)
        .equalTo(0)
        .using((v, e): Pair => [e[1], v[1]])
        .groupBy(0)
        .min(1);
      const updated = candidates.join(iteration).where(0).equalTo(0).flatMap(new MinimumIdFilter(UPDATED_ELEMENTS));
      assertSameMultiset(await iteration.closeWith(updated).collect(), COMPONENTS_AT_THRESHOLD);
    });

    test('connected components (delta) stop once fewer than 3 vertices changed', async () => {
      const env = envAt(p);
      const edges = env.fromCollection(EDGES);
      const vertices = env.fromCollection(VERTICES);
      const iteration = vertices.iterateDelta(vertices, 10, 0);
      iteration.registerAggregationConvergenceCriterion(UPDATED_ELEMENTS, new LongSumAggregator(), new UpdatedElementsConvergenceCriterion(3));
      const candidates = iteration
        .getWorkset()
        .join(edges)
        .where(0)
        .equalTo(0)
        .using((v, e): Pair => [e[1], v[1]])
        .groupBy(0)
        .min(1);
      const updated = candidates.join(iteration.getSolutionSet()).where(0).equalTo(0).flatMap(new MinimumIdFilter(UPDATED_ELEMENTS));
      assertSameMultiset(await iteration.closeWith(updated, updated).collect(), COMPONENTS_AT_THRESHOLD);
    });

    test("a parameterizable aggregator: the previous supersteps' values, the last superstep's unseen", async () => {
      const env = envAt(p);
      const out = join(tempDir(), 'components');
      const edges = env.fromCollection(EDGES);
      const iteration = env.fromCollection(VERTICES).iterate(5);
      iteration.registerAggregator('elements.in.component.aggregator', new ComponentAggregator(1));
      const candidates = iteration
        .join(edges)
        .where(0)
        .equalTo(0)
        .using((v, e): Pair => [e[1], v[1]])
        .groupBy(0)
        .min(1);
      const updated = candidates.join(iteration).where(0).equalTo(0).flatMap(new MinimumIdFilterCounting());
      iteration.closeWith(updated).writeCsv(out);
      const { accumulators } = await env.execute();
      assert.deepEqual(accumulators, { 'previous-2': 3, 'previous-3': 4, 'previous-4': 5, 'previous-5': 6 });
    });

    for (const [zero, aggregator, criterion, step] of [
      ['LongZeroConvergence', () => new LongSumAggregator(), () => new LongZeroConvergence(), 1],
      ['DoubleZeroConvergence', () => new DoubleSumAggregator(), () => new DoubleZeroConvergence(), 0.25],
    ] as const) {
      test(`${zero} ends the iteration after the first superstep that changed nothing, before maxIterations`, async () => {
        const env = envAt(p);
        const iteration = env.fromElements<Pair>([3, 0], [7, 0], [12, 0]).iterate(100);
        iteration.registerAggregationConvergenceCriterion('changed', aggregator(), criterion());
        const next = iteration.map(
          new (class extends MapFunction<Pair, Pair> {
            map([x, supersteps]: Pair): Pair {
              if (x > 0) this.context.getIterationAggregator<Aggregator<number>>('changed').aggregate(step);
              return [Math.max(0, x - 1), supersteps + 1];
            }
          })(),
        );
        // Superstep 12 brings the last element to 0; superstep 13 changes nothing: converged.
        assertSameMultiset(await iteration.closeWith(next).collect(), [
          [0, 13],
          [0, 13],
          [0, 13],
        ]);
      });
    }

    test('maxIterations and a termination criterion still end an iteration with a convergence criterion', async () => {
      for (const [max, expected] of [
        [2, [2, 2, 2]],
        [100, [4, 4, 4]],
      ] as const) {
        const env = envAt(p);
        const iteration = env.fromElements(0, 0, 0).iterate(max);
        // never converges (the sum is never negative)
        iteration.registerAggregationConvergenceCriterion('sum', new LongSumAggregator(), { isConverged: (_i: number, v: number) => v < 0 });
        const next = iteration.map(
          new (class extends MapFunction<number, number> {
            map(x: number): number {
              this.context.getIterationAggregator('sum').aggregate(x);
              return x + 1;
            }
          })(),
        );
        assertSameMultiset(
          await iteration
            .closeWith(
              next,
              next.filter((x) => x < 4),
            )
            .collect(),
          expected,
        );
      }
    });

    test('a user-defined aggregate that is an array crosses threads; the criterion gets the superstep number', async () => {
      const env = envAt(p);
      const iteration = env.fromCollection([0, 40, 100, 7]).iterate(50);
      iteration.registerAggregationConvergenceCriterion('range', new RangeAggregator(), new RangeConverged());
      const next = iteration.map(
        new (class extends MapFunction<number, number> {
          map(x: number): number {
            const y = x + Math.sign(50 - x) * 5;
            this.context.getIterationAggregator('range').aggregate(y);
            return y;
          }
        })(),
      );
      // Each element moves 5 towards 50 (7 ends swinging 47, 52, 47…): within 10 of each other after superstep 10.
      assertSameMultiset(await iteration.closeWith(next).collect(), [50, 50, 50, 47]);
      const iteration2 = env.fromElements(1).iterate(10);
      iteration2.registerAggregationConvergenceCriterion('n', new LongSumAggregator(), { isConverged: (superstep: number) => superstep === 3 });
      assertSameMultiset(await iteration2.closeWith(iteration2.map((x) => x * 2)).collect(), [8]);
    });

    test('an unknown aggregator name is an error naming the operator', async () => {
      const env = envAt(p);
      const iteration = env.fromElements(1, 2).iterate(3);
      iteration.registerAggregator('known', new LongSumAggregator());
      const next = iteration
        .map(
          new (class extends MapFunction<number, number> {
            map(x: number): number {
              this.context.getIterationAggregator('unknown').aggregate(1);
              return x;
            }
          })(),
        )
        .name('Counting step');
      await assert.rejects(iteration.closeWith(next).collect(), /Counting step[\s\S]*getIterationAggregator\('unknown'\)[\s\S]*no aggregator named 'unknown'[\s\S]*'known'/);
    });
  });
}

describe('registering aggregators', () => {
  test('the same name twice is an error; the same instance with a criterion is not (Flink)', () => {
    const env = envAt(1);
    const iteration = env.fromElements(1).iterate(3);
    const a = new LongSumAggregator();
    iteration.registerAggregator('a', a);
    assert.throws(
      () => iteration.registerAggregator('a', new LongSumAggregator()),
      (e: unknown) => e instanceof PlanError && /registerAggregator.*already registered under the name 'a'/.test(e.message),
    );
    iteration.registerAggregationConvergenceCriterion('a', a, new LongZeroConvergence());
    assert.throws(() => iteration.registerAggregationConvergenceCriterion('a', new LongSumAggregator(), new LongZeroConvergence()), /already registered under the name 'a'/);
    const delta = env.fromElements([1, 1] as Pair).iterateDelta(env.fromElements([1, 1] as Pair), 3, 0);
    delta.registerAggregator('d', new DoubleSumAggregator());
    assert.throws(() => delta.registerAggregator('d', new DoubleSumAggregator()), PlanError);
    assert.deepEqual(
      iteration
        .getAggregators()
        .getAllRegisteredAggregators()
        .map(([n]) => n),
      ['a'],
    );
    assert.equal(iteration.getAggregators().getConvergenceCriterionAggregatorName(), 'a');
  });

  test('after closeWith, or something that is not an aggregator, is an error', () => {
    const env = envAt(1);
    const iteration = env.fromElements(1).iterate(3);
    assert.throws(() => iteration.registerAggregator('x', {} as Aggregator<number>), /aggregate\(value\), getAggregate\(\) and reset\(\)/);
    iteration.closeWith(iteration.map((x) => x));
    assert.throws(() => iteration.registerAggregator('y', new LongSumAggregator()), /before closeWith/);
  });

  test('outside an iteration getIterationAggregator is an error naming the operator', async () => {
    const env = envAt(1);
    const f = new (class extends MapFunction<number, number> {
      map(x: number): number {
        this.context.getIterationAggregator('a');
        return x;
      }
    })();
    await assert.rejects(env.fromElements(1).map(f).name('plain map').collect(), /plain map[\s\S]*not run inside an iteration/);
  });
});
