/**
 * Iteration aggregators (Flink's `api.common.aggregators`): registered on an iteration, each
 * parallel instance of the step adds to its own copy in a superstep (`ctx.getIterationAggregator`),
 * the copies' aggregates are merged after the superstep, and the merged value is what the next
 * superstep sees (`ctx.getPreviousIterationAggregate`) and what a convergence criterion judges.
 */
import { TRAVELS } from './functions.ts';

/**
 * Aggregates values within a superstep. Merging follows Flink: a fresh copy of the registered
 * aggregator is `reset()` and given each parallel instance's `getAggregate()` through
 * `aggregate(value)`, so `aggregate` must accept the aggregate type too. The aggregate crosses
 * threads and processes as a value (numbers, bigints, strings, arrays, Maps, Dates… or a
 * registered custom type); the aggregator itself does not need registering.
 */
export interface Aggregator<T> {
  aggregate(value: T): void;
  getAggregate(): T;
  reset(): void;
}

/** Decides after a superstep, from the merged value of an aggregator, whether the iteration has converged (and ends). */
export interface ConvergenceCriterion<T> {
  isConverged(iteration: number, value: T): boolean;
}

abstract class NumberSumAggregator implements Aggregator<number> {
  /** Instances travel to workers wherever they are held (serde/closures). */
  static readonly [TRAVELS] = true;
  protected sum = 0;
  aggregate(value: number): void {
    this.sum += value;
  }
  getAggregate(): number {
    return this.sum;
  }
  reset(): void {
    this.sum = 0;
  }
}

/** Sums integers (Flink's LongSumAggregator). */
export class LongSumAggregator extends NumberSumAggregator {
  override aggregate(value: number): void {
    if (!Number.isSafeInteger(value)) throw new TypeError(`LongSumAggregator: ${String(value)} is not an integer within ±(2^53−1)`);
    this.sum += value;
  }
}

/** Sums numbers (Flink's DoubleSumAggregator). */
export class DoubleSumAggregator extends NumberSumAggregator {}

/** Converged once the aggregate is 0 (Flink's LongZeroConvergence). */
export class LongZeroConvergence implements ConvergenceCriterion<number> {
  static readonly [TRAVELS] = true;
  isConverged(_iteration: number, value: number): boolean {
    return value === 0;
  }
}

/** Converged once the aggregate is 0 (Flink's DoubleZeroConvergence). */
export class DoubleZeroConvergence implements ConvergenceCriterion<number> {
  static readonly [TRAVELS] = true;
  isConverged(_iteration: number, value: number): boolean {
    return value === 0;
  }
}
