/** The context a parallel instance of an operator sees (`this.context`, `open(ctx)`). */
import { TaskError } from '../errors/index.ts';
import type { RuntimeAggregator, SubtaskAggregators } from './iteration-aggregates.ts';

/** The accumulator shape the runtime relies on (the API's `Accumulator`). */
export interface RuntimeAccumulator {
  add(value: unknown): void;
  getLocalValue(): unknown;
  resetLocal(): void;
  merge(other: RuntimeAccumulator): void;
  clone(): RuntimeAccumulator;
}

const NO_PARAMETERS: Readonly<Record<string, unknown>> = Object.freeze({});

export class SubtaskContext {
  private readonly taskName: string;
  private readonly subtask: number;
  private readonly parallelism: number;
  private readonly broadcast: ReadonlyMap<string, unknown[]>;
  /** Shared by all operators of all subtasks of the job: name → one accumulator per instance. */
  private readonly accumulators: Map<string, RuntimeAccumulator[]>;
  private readonly own = new Map<string, RuntimeAccumulator>();
  /** 1, 2, … inside an iteration's step; 0 elsewhere. */
  private readonly superstep: number;
  private readonly parameters: Readonly<Record<string, unknown>>;
  private readonly cachedFiles: Readonly<Record<string, string>>;
  /** The iteration's aggregators, for a step's subtask of an iteration that registered some. */
  private readonly aggregators: SubtaskAggregators | null;

  constructor(
    taskName: string,
    subtask: number,
    parallelism: number,
    broadcast: ReadonlyMap<string, unknown[]>,
    accumulators: Map<string, RuntimeAccumulator[]>,
    superstep = 0,
    parameters: Readonly<Record<string, unknown>> = NO_PARAMETERS,
    cachedFiles: Readonly<Record<string, string>> = {},
    aggregators: SubtaskAggregators | null = null,
  ) {
    this.aggregators = aggregators;
    this.superstep = superstep;
    this.parameters = parameters;
    this.cachedFiles = cachedFiles;
    this.taskName = taskName;
    this.subtask = subtask;
    this.parallelism = parallelism;
    this.broadcast = broadcast;
    this.accumulators = accumulators;
  }

  /**
   * The context one operator of the task sees: named after the operator (so are its errors),
   * with its own accumulators. Only the task's head reads the task's broadcast sets: an operator
   * with broadcast sets always heads its task, so a chained one has none.
   */
  forOperator(operator: string, readsBroadcastSets: boolean, parameters: Readonly<Record<string, unknown>> = NO_PARAMETERS): SubtaskContext {
    return new SubtaskContext(
      operator,
      this.subtask,
      this.parallelism,
      readsBroadcastSets ? this.broadcast : new Map(),
      this.accumulators,
      this.superstep,
      parameters,
      this.cachedFiles,
      this.aggregators,
    );
  }

  /** The files of `env.registerCachedFile`: `getFile(name)` is the file's absolute path, readable where the task runs. */
  getDistributedCache(): { getFile(name: string): string } {
    return {
      getFile: (name: string): string => {
        const file = Object.hasOwn(this.cachedFiles, name) ? this.cachedFiles[name] : undefined;
        if (file === undefined) {
          const known =
            Object.keys(this.cachedFiles)
              .map((n) => `'${n}'`)
              .join(', ') || 'none';
          throw new TaskError(this.taskName, `getDistributedCache().getFile('${name}'): no file was registered under that name with env.registerCachedFile(path, name) (registered: ${known})`);
        }
        return file;
      },
    };
  }

  getParameters(): Readonly<Record<string, unknown>> {
    return this.parameters;
  }

  getBroadcastVariable(name: string): unknown[] {
    const v = this.broadcast.get(name);
    if (!v) {
      const registered = [...this.broadcast.keys()].map((n) => `'${n}'`).join(', ') || 'none';
      throw new TaskError(
        this.taskName,
        `getBroadcastVariable('${name}'): no broadcast set named '${name}' was registered on this operator with withBroadcastSet(name, dataSet) (registered: ${registered})`,
      );
    }
    return v;
  }

  getIndexOfThisSubtask(): number {
    return this.subtask;
  }

  getNumberOfParallelSubtasks(): number {
    return this.parallelism;
  }

  getSuperstepNumber(): number {
    if (this.superstep === 0) throw new TaskError(this.taskName, 'getSuperstepNumber: this operator does not run inside an iteration');
    return this.superstep;
  }

  /** This superstep's aggregator registered on the iteration under `name`, this parallel instance's own. */
  getIterationAggregator(name: string): RuntimeAggregator {
    const a = this.iterationAggregators('getIterationAggregator', name).aggregator(name);
    if (a === undefined) throw this.unknownAggregator('getIterationAggregator', name);
    return a;
  }

  /** The value aggregated under `name` by all parallel instances in the previous superstep; null in the first. */
  getPreviousIterationAggregate(name: string): unknown {
    const v = this.iterationAggregators('getPreviousIterationAggregate', name).previousAggregate(name);
    if (v === undefined) throw this.unknownAggregator('getPreviousIterationAggregate', name);
    return v;
  }

  private iterationAggregators(method: string, name: string): SubtaskAggregators {
    if (this.superstep === 0) throw new TaskError(this.taskName, `${method}('${name}'): this operator does not run inside an iteration`);
    if (this.aggregators === null) throw this.unknownAggregator(method, name);
    return this.aggregators;
  }

  private unknownAggregator(method: string, name: string): TaskError {
    const known = (this.aggregators?.names() ?? []).map((n) => `'${n}'`).join(', ') || 'none';
    return new TaskError(this.taskName, `${method}('${name}'): the iteration has no aggregator named '${name}' (register it with registerAggregator(name, aggregator); registered: ${known})`);
  }

  getTaskName(): string {
    return this.taskName;
  }

  addAccumulator(name: string, accumulator: RuntimeAccumulator): void {
    if (this.own.has(name)) throw new TaskError(this.taskName, `an accumulator named '${name}' was already added by this instance`);
    if (typeof accumulator?.merge !== 'function' || typeof accumulator.getLocalValue !== 'function') {
      throw new TaskError(this.taskName, `accumulator '${name}' does not implement the Accumulator interface`);
    }
    this.own.set(name, accumulator);
    let list = this.accumulators.get(name);
    if (!list) this.accumulators.set(name, (list = []));
    list.push(accumulator);
  }

  getAccumulator(name: string): RuntimeAccumulator | undefined {
    return this.own.get(name);
  }
}

/** The merged value of every instance's accumulator, by name. */
export function mergeAccumulators(accumulators: ReadonlyMap<string, RuntimeAccumulator[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, list] of accumulators) {
    const merged = list[0]!.clone();
    for (let i = 1; i < list.length; i++) merged.merge(list[i]!);
    out[name] = merged.getLocalValue();
  }
  return out;
}

/** A counter the engine itself keeps as an accumulator (e.g. `invalidLines`). */
const MERGE_KIND = Symbol.for('tsflink.accumulatorKind');

export class CountAccumulator implements RuntimeAccumulator {
  readonly [MERGE_KIND] = 'sum';
  private value = 0;
  add(value: unknown): void {
    this.value += value as number;
  }
  getLocalValue(): number {
    return this.value;
  }
  resetLocal(): void {
    this.value = 0;
  }
  merge(other: RuntimeAccumulator): void {
    this.value += other.getLocalValue() as number;
  }
  clone(): CountAccumulator {
    const c = new CountAccumulator();
    c.value = this.value;
    return c;
  }
}
