/**
 * The aggregator methods both iterations have (Flink's IterativeDataSet and DeltaIteration
 * each carry them): written once here and given to both classes (iteration.ts).
 */
import type { Aggregator, ConvergenceCriterion } from './aggregators.ts';
import type { AggregatorRegistry } from './aggregator-registry.ts';

export abstract class RegistersAggregators {
  /** @internal */
  abstract readonly aggregators: AggregatorRegistry;

  /**
   * Registers an aggregator under `name`: in each superstep every parallel instance of the step
   * adds to its own copy (`this.context.getIterationAggregator(name)`), and the next superstep
   * sees the merged value (`getPreviousIterationAggregate(name)`). Before `closeWith`.
   */
  registerAggregator<V>(name: string, aggregator: Aggregator<V>): this {
    this.aggregators.register(name, aggregator as Aggregator<unknown>);
    return this;
  }

  /**
   * Registers an aggregator (as `registerAggregator`; the same instance may already be
   * registered under `name`) and the iteration's convergence criterion over it: after each
   * superstep `criterion.isConverged(superstep, merged value)`; when true, that superstep's
   * result is the iteration's. One criterion per iteration (a later one replaces it, as in Flink).
   */
  registerAggregationConvergenceCriterion<V>(name: string, aggregator: Aggregator<V>, criterion: ConvergenceCriterion<V>): this {
    this.aggregators.registerConvergence(name, aggregator as Aggregator<unknown>, criterion as ConvergenceCriterion<unknown>);
    return this;
  }

  getAggregators(): AggregatorRegistry {
    return this.aggregators;
  }
}

/** Gives a class the methods of RegistersAggregators (declare `interface C extends RegistersAggregators {}` beside it). */
export function addAggregatorMethods(target: abstract new (...args: never[]) => { readonly aggregators: AggregatorRegistry }): void {
  for (const name of ['registerAggregator', 'registerAggregationConvergenceCriterion', 'getAggregators'] as const) {
    Object.defineProperty(target.prototype, name, Object.getOwnPropertyDescriptor(RegistersAggregators.prototype, name)!);
  }
}
