/**
 * Bulk and delta iterations: `iterate(n)` and `iterateDelta(workset, n, keys)` open a step function
 * whose data sets are rebuilt every superstep; `closeWith` ends it and returns the result.
 *
 * A bulk iteration feeds its partial solution (first the initial data set, then what the
 * previous superstep closed with) to the step, up to `maxIterations` times or until the
 * termination criterion is empty. A delta iteration keeps a solution set keyed by `keys`:
 * each superstep reads the workset and the solution set, and its delta replaces the solution
 * set's elements with the same key; it ends when the new workset is empty (or after
 * `maxIterations` supersteps) and returns the solution set.
 *
 * Both can carry aggregators (`registerAggregator`, aggregators.ts) and a convergence
 * criterion over one of them, which ends the iteration after the superstep it judges converged.
 */
import type { KeySpec } from '../plan/nodes.ts';
import { AggregatorRegistry } from './aggregator-registry.ts';
import { checkParallelism, planError } from './checks.ts';
import { DataSet } from './internal.ts';
import type { ExecutionEnvironment } from './environment.ts';
import { addAggregatorMethods, type RegistersAggregators } from './registers-aggregators.ts';

/** @internal */
export function checkMaxIterations(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw planError(what, `maxIterations must be a positive integer, got ${n}`);
  return n;
}

/** With registerAggregator, registerAggregationConvergenceCriterion and getAggregators (registers-aggregators.ts). */
// biome-ignore lint/correctness/noUnusedVariables: merges with the class, whose type parameters it must repeat
export interface IterativeDataSet<T> extends RegistersAggregators {}

/** The partial solution of a bulk iteration: build the step on it, then `closeWith` the next partial solution. */
export class IterativeDataSet<T> extends DataSet<T> {
  private readonly maxIterations: number;
  /** @internal */
  readonly aggregators = new AggregatorRegistry();
  private closed = false;

  /** @internal use `DataSet.iterate` */
  constructor(env: ExecutionEnvironment, id: number, maxIterations: number) {
    super(env, id);
    this.maxIterations = maxIterations;
  }

  getMaxIterations(): number {
    return this.maxIterations;
  }

  /**
   * @internal The partial solution is the iteration's own node: the step reads it and closeWith
   * names it, so naming or configuring the iteration changes it in place (as DeltaIteration's
   * name() and parallelism() do) rather than making a copy the step would not read.
   */
  protected override refined(patch: Parameters<ExecutionEnvironment['copyNode']>[1]): this {
    this.env.updateNode(this.id, patch);
    return this;
  }

  /**
   * Ends the step: `next` becomes the partial solution of the following superstep, and the
   * iteration stops after `maxIterations` supersteps, or earlier after a superstep in which
   * `terminationCriterion` (when given) is empty or the convergence criterion holds. Returns
   * the last partial solution.
   */
  closeWith<C = unknown>(next: DataSet<T>, terminationCriterion?: DataSet<C>): DataSet<T> {
    if (this.closed) throw planError('closeWith', 'this iteration is already closed');
    const more: DataSet<unknown>[] = terminationCriterion === undefined ? [] : [terminationCriterion as DataSet<unknown>];
    this.env.checkSameEnvironment([next, ...more], 'closeWith');
    this.closed = true;
    const params = { kind: 'BulkIteration', partialSolution: this.id, maxIterations: this.maxIterations, hasTermination: more.length > 0, ...this.aggregators.toPlan(this.env.objects) } as const;
    return this.env.dataSet<T>(this.env.addNode(params, [next.id, ...more.map((d) => d.id)]));
  }
}

/** With registerAggregator, registerAggregationConvergenceCriterion (it also ends when the workset is empty) and getAggregators. */
// biome-ignore lint/correctness/noUnusedVariables: merges with the class, whose type parameters it must repeat
export interface DeltaIteration<S, W> extends RegistersAggregators {}

/** A delta iteration over a solution set of `S` keyed by the iteration's keys and a workset of `W`. */
export class DeltaIteration<S, W> {
  private readonly env: ExecutionEnvironment;
  private readonly initialSolutionSet: DataSet<S>;
  private readonly initialWorkset: DataSet<W>;
  private readonly solutionSetId: number;
  private readonly worksetId: number;
  private readonly maxIterations: number;
  private readonly keys: KeySpec;
  /** @internal */
  readonly aggregators = new AggregatorRegistry();
  private closed = false;

  /** @internal use `DataSet.iterateDelta` */
  constructor(solutionSet: DataSet<S>, workset: DataSet<W>, maxIterations: number, keys: KeySpec) {
    this.env = solutionSet.env;
    this.initialSolutionSet = solutionSet;
    this.initialWorkset = workset;
    this.maxIterations = maxIterations;
    this.keys = keys;
    this.solutionSetId = this.env.addNode({ kind: 'SolutionSet', keys }, [solutionSet.id]);
    this.worksetId = this.env.addNode({ kind: 'Workset' }, [workset.id]);
  }

  /** The solution set as of the start of the current superstep. */
  getSolutionSet(): DataSet<S> {
    return this.env.dataSet<S>(this.solutionSetId);
  }

  /** The workset of the current superstep. */
  getWorkset(): DataSet<W> {
    return this.env.dataSet<W>(this.worksetId);
  }

  getInitialSolutionSet(): DataSet<S> {
    return this.initialSolutionSet;
  }

  getInitialWorkset(): DataSet<W> {
    return this.initialWorkset;
  }

  getMaxIterations(): number {
    return this.maxIterations;
  }

  /** Names the iteration (shown in plans, progress and errors). */
  name(name: string): this {
    this.env.updateNode(this.solutionSetId, { name: `${name} (solution set)` });
    this.env.updateNode(this.worksetId, { name: `${name} (workset)` });
    return this;
  }

  /** The parallelism the iteration runs with (its solution set is partitioned this many ways). */
  parallelism(parallelism: number): this {
    checkParallelism(parallelism);
    this.env.updateNode(this.solutionSetId, { parallelism });
    this.env.updateNode(this.worksetId, { parallelism });
    return this;
  }

  /** Same as `parallelism(n)`. */
  setParallelism(parallelism: number): this {
    return this.parallelism(parallelism);
  }

  /**
   * Ends the step: each element of `solutionSetDelta` replaces the solution set's element with
   * the same key (or is added), and `newWorkset` is the next superstep's workset. The iteration
   * stops when the new workset is empty, the convergence criterion holds or after
   * `maxIterations` supersteps, and returns the solution set.
   */
  closeWith(solutionSetDelta: DataSet<S>, newWorkset: DataSet<W>): DataSet<S> {
    if (this.closed) throw planError('closeWith', 'this iteration is already closed');
    this.env.checkSameEnvironment([solutionSetDelta, newWorkset], 'closeWith');
    this.closed = true;
    const params = {
      kind: 'DeltaIteration',
      solutionSet: this.solutionSetId,
      workset: this.worksetId,
      maxIterations: this.maxIterations,
      keys: this.keys,
      ...this.aggregators.toPlan(this.env.objects),
    } as const;
    return this.env.dataSet<S>(this.env.addNode(params, [solutionSetDelta.id, newWorkset.id]));
  }
}

addAggregatorMethods(IterativeDataSet);
addAggregatorMethods(DeltaIteration);
