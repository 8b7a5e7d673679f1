/**
 * Iteration aggregators at run time (Flink's RuntimeAggregatorRegistry and the iteration's
 * synchronisation task): every subtask of a step gets, per superstep, its own reset copies of
 * the registered aggregators and the previous superstep's merged values; after the superstep
 * the coordinator merges what the subtasks aggregated — a reset copy of the registered
 * aggregator is given each subtask's `getAggregate()` through `aggregate(value)`, Flink's merge —
 * and asks the convergence criterion. Only values cross threads and processes (as binary
 * records): the aggregators themselves are the registered instances each side already has, so a
 * user's Aggregator class needs no `registerCustomType`.
 */
import { TaskError } from '../errors/index.ts';
import type { IterationSpec, PhysicalPlan } from '../optimizer/physical-plan.ts';
import { RecordReader } from '../serde/record-reader.ts';
import { RecordWriter } from '../serde/record-writer.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';
import { cloneFunctionInstance } from './clone-function.ts';
import { stepsOf } from './schedule.ts';

/** The aggregator shape the runtime relies on (the API's `Aggregator`). */
export interface RuntimeAggregator {
  aggregate(value: unknown): void;
  getAggregate(): unknown;
  reset(): void;
}

interface RuntimeConvergence {
  isConverged(iteration: number, value: unknown): boolean;
}

/** Name → merged value of a superstep. */
export type AggregateValues = ReadonlyMap<string, unknown>;

/** A reset copy of a registered aggregator: its own state, the prototype kept. */
function freshCopy(registered: RuntimeAggregator): RuntimeAggregator {
  const copy = cloneFunctionInstance(registered);
  copy.reset();
  return copy;
}

/** What one subtask of a step sees: this superstep's aggregators and the previous superstep's values. */
export class SubtaskAggregators {
  private readonly registered: ReadonlyMap<string, RuntimeAggregator>;
  private readonly previous: AggregateValues | null;
  private readonly own = new Map<string, RuntimeAggregator>();

  constructor(registered: ReadonlyMap<string, RuntimeAggregator>, previous: AggregateValues | null) {
    this.registered = registered;
    this.previous = previous;
  }

  /** This subtask's aggregator (shared by the operators of its task); undefined for an unknown name. */
  aggregator(name: string): RuntimeAggregator | undefined {
    let a = this.own.get(name);
    if (a === undefined) {
      const registered = this.registered.get(name);
      if (registered === undefined) return undefined;
      this.own.set(name, (a = freshCopy(registered)));
    }
    return a;
  }

  /** The merged value of the previous superstep: null in the first (Flink's), undefined for an unknown name. */
  previousAggregate(name: string): unknown {
    if (!this.registered.has(name)) return undefined;
    return this.previous === null ? null : this.previous.get(name);
  }

  names(): string[] {
    return [...this.registered.keys()];
  }

  /** What this subtask aggregated, for the merge: the aggregators it used. */
  values(): [string, unknown][] {
    return [...this.own].map(([name, a]) => [name, a.getAggregate()]);
  }
}

/** One iteration's aggregators on the side that merges them (the coordinator; a Flink worker for the JVM). */
export class IterationAggregates {
  private readonly spec: IterationSpec;
  readonly registered: ReadonlyMap<string, RuntimeAggregator>;
  private readonly criterion: RuntimeConvergence | null;
  private merging = new Map<string, RuntimeAggregator>();
  private previous: AggregateValues | null = null;

  constructor(spec: IterationSpec, userObjects: ReadonlyMap<string, unknown>) {
    this.spec = spec;
    this.registered = new Map(spec.aggregators.map((a) => [a.name, userObjects.get(a.fn) as RuntimeAggregator]));
    this.criterion = spec.convergence === null ? null : (userObjects.get(spec.convergence.fn) as RuntimeConvergence);
  }

  /** A subtask's view of the superstep about to run. */
  forSubtask(): SubtaskAggregators {
    return new SubtaskAggregators(this.registered, this.previous);
  }

  /** The previous superstep's merged values (null before the first has ended). */
  previousValues(): AggregateValues | null {
    return this.previous;
  }

  /** Adds one subtask's aggregates. */
  add(values: Iterable<readonly [string, unknown]>): void {
    for (const [name, value] of values) {
      let merged = this.merging.get(name);
      if (merged === undefined) {
        const registered = this.registered.get(name);
        if (registered === undefined) continue; // (not this iteration's)
        this.merging.set(name, (merged = freshCopy(registered)));
      }
      this.call(`aggregator '${name}'`, () => merged.aggregate(value));
    }
  }

  /** The merged value of every registered aggregator over what was added; starts over. */
  merge(): AggregateValues {
    const values = new Map<string, unknown>();
    for (const [name, registered] of this.registered) {
      const merged = this.merging.get(name) ?? freshCopy(registered);
      values.set(
        name,
        this.call(`aggregator '${name}'`, () => merged.getAggregate()),
      );
    }
    this.merging = new Map();
    return values;
  }

  /** Ends a superstep: its merged values become the previous ones; true when the criterion judges it converged. */
  endSuperstep(superstep: number): boolean {
    const values = this.merge();
    this.previous = values;
    if (this.criterion === null) return false;
    const { name } = this.spec.convergence!;
    return this.call(`the convergence criterion of aggregator '${name}'`, () => this.criterion!.isConverged(superstep, values.get(name)) === true);
  }

  private call<R>(what: string, f: () => R): R {
    try {
      return f();
    } catch (e) {
      throw new TaskError(this.spec.name, `${what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

/** Every iteration's aggregators of a job (executors keep one per attempt). */
export class JobAggregates {
  private readonly byIteration = new Map<IterationSpec, IterationAggregates>();
  private readonly stepOf: ReadonlyMap<number, IterationSpec>;

  constructor(plan: PhysicalPlan, userObjects: ReadonlyMap<string, unknown>) {
    this.stepOf = stepsOf(plan);
    for (const it of plan.iterations) if (it.aggregators.length > 0) this.byIteration.set(it, new IterationAggregates(it, userObjects));
  }

  /** The aggregators of the iteration whose step `task` belongs to, if it has any. */
  ofTask(task: number): IterationAggregates | null {
    const it = this.stepOf.get(task);
    return it === undefined ? null : (this.byIteration.get(it) ?? null);
  }

  /** See IterationAggregates.endSuperstep; false for an iteration without aggregators. */
  endSuperstep(it: IterationSpec, superstep: number): boolean {
    return this.byIteration.get(it)?.endSuperstep(superstep) ?? false;
  }
}

/** In a worker: the aggregators of the iteration whose step `task` belongs to (null when it has none). */
export function aggregatorsOfStep(plan: PhysicalPlan, task: number, userObjects: ReadonlyMap<string, unknown>): IterationAggregates | null {
  const it = stepsOf(plan).get(task);
  return it === undefined || it.aggregators.length === 0 ? null : new IterationAggregates(it, userObjects);
}

/** Name–value pairs as a record batch (they cross threads and processes as records do). */
export function encodeAggregates(values: Iterable<readonly [string, unknown]>, types: TypeRegistry, operator: string): Uint8Array {
  const writer = new RecordWriter(types);
  for (const [name, value] of values) {
    try {
      writer.write([name, value]);
    } catch (e) {
      throw new TaskError(operator, `the aggregate of aggregator '${name}' cannot leave its worker: ${(e as Error).message}`, { cause: e });
    }
  }
  return writer.finish();
}

export function decodeAggregates(bytes: Uint8Array, types: TypeRegistry): [string, unknown][] {
  return new RecordReader(types).readAll(bytes) as [string, unknown][];
}
