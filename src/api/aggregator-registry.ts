/**
 * The aggregators registered on one iteration, and its convergence criterion (Flink's
 * AggregatorRegistry): a name holds one aggregator; Flink allows one criterion per iteration.
 */
import type { AggregatorRef } from '../plan/nodes.ts';
import type { Aggregator, ConvergenceCriterion } from './aggregators.ts';
import { planError } from './checks.ts';
import type { UserObjects } from './user-objects.ts';

const CRITERION = 'registerAggregationConvergenceCriterion';

export class AggregatorRegistry {
  private readonly registry = new Map<string, Aggregator<unknown>>();
  private criterion: { name: string; criterion: ConvergenceCriterion<unknown> } | null = null;
  private closed = false;
  /** @internal */
  register(name: string, aggregator: Aggregator<unknown>): void {
    this.checkOpen('registerAggregator');
    checkName(name, 'registerAggregator');
    if (!isAggregator(aggregator)) throw planError('registerAggregator', `registerAggregator('${name}', …): the aggregator must have aggregate(value), getAggregate() and reset()`);
    if (this.registry.has(name)) throw planError('registerAggregator', `an aggregator is already registered under the name '${name}'`);
    this.registry.set(name, aggregator);
  }

  /** @internal */
  registerConvergence(name: string, aggregator: Aggregator<unknown>, criterion: ConvergenceCriterion<unknown>): void {
    this.checkOpen(CRITERION);
    checkName(name, CRITERION);
    if (!isAggregator(aggregator)) throw planError(CRITERION, `registerAggregationConvergenceCriterion('${name}', …): the aggregator must have aggregate(value), getAggregate() and reset()`);
    if (typeof criterion?.isConverged !== 'function') throw planError(CRITERION, `registerAggregationConvergenceCriterion('${name}', …): the criterion must have isConverged(iteration, value)`);
    const previous = this.registry.get(name);
    // Flink: the same aggregator may be registered first and then given a criterion.
    if (previous !== undefined && previous !== aggregator) throw planError(CRITERION, `an aggregator is already registered under the name '${name}'`);
    this.registry.set(name, aggregator);
    this.criterion = { name, criterion };
  }

  /** Every registered aggregator with its name. */
  getAllRegisteredAggregators(): [string, Aggregator<unknown>][] {
    return [...this.registry];
  }

  getConvergenceCriterion(): ConvergenceCriterion<unknown> | null {
    return this.criterion?.criterion ?? null;
  }

  getConvergenceCriterionAggregatorName(): string | null {
    return this.criterion?.name ?? null;
  }

  /** @internal the plan's view, when the iteration closes: the objects as user-object ids. */
  toPlan(objects: UserObjects): { aggregators: AggregatorRef[]; convergence: AggregatorRef | null } {
    this.closed = true;
    return {
      aggregators: [...this.registry].map(([name, a]) => ({ name, fn: objects.add(a) })),
      convergence: this.criterion === null ? null : { name: this.criterion.name, fn: objects.add(this.criterion.criterion) },
    };
  }

  private checkOpen(what: string): void {
    if (this.closed) throw planError(what, 'register aggregators before closeWith: this iteration is already closed');
  }
}

function checkName(name: string, what: string): void {
  if (typeof name !== 'string' || name === '') throw planError(what, `an aggregator's name must be a non-empty string, got ${String(name)}`);
}

function isAggregator(a: unknown): boolean {
  const o = a as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && ['aggregate', 'getAggregate', 'reset'].every((m) => typeof o[m] === 'function');
}
