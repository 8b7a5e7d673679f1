/** Everything an operator of one subtask needs to build itself; created by the task runner. */
import type { PhysicalOperator } from '../optimizer/physical-plan.ts';
import type { JobResources } from '../job/contract.ts';
import type { KeySpec, SortKey } from '../plan/nodes.ts';
import { TaskError } from '../errors/index.ts';
import { copyRecord } from './copy.ts';
import { compileKeyExtractor, type KeyExtractor } from './keys.ts';
import type { JobServices } from './job-services.ts';
import type { SubtaskContext } from './runtime-context.ts';
import { type BoundFunction, bindUserFunction } from './udf.ts';
import { compileSortComparator, type RecordComparator } from './sort.ts';
import { GroupSpiller, type GroupSpillerOptions } from './spill/group-spiller.ts';
import { MemoryBudget } from './spill/memory-budget.ts';
import { SpillFiles } from './spill/spill-runs.ts';

export class OperatorSetup {
  readonly op: PhysicalOperator;
  /** The operator's name for errors and plans. */
  readonly name: string;
  readonly subtask: number;
  readonly parallelism: number;
  readonly ctx: SubtaskContext;
  readonly resources: JobResources;
  readonly job: JobServices;
  /** Records reaching this operator may still be referenced upstream, so holding one needs a copy. */
  readonly copyOnHold: boolean;
  /** In a compiled pipeline (optimizer/compiled-pipelines.ts): runs as generated code where it can. */
  readonly compiled: boolean;
  private readonly functions: BoundFunction<unknown>[];
  private readonly cleanups: (() => void)[];

  constructor(
    op: PhysicalOperator,
    subtask: number,
    parallelism: number,
    ctx: SubtaskContext,
    resources: JobResources,
    job: JobServices,
    chained: boolean,
    functions: BoundFunction<unknown>[],
    cleanups: (() => void)[],
    compiled = false,
  ) {
    this.compiled = compiled;
    this.cleanups = cleanups;
    this.op = op;
    this.name = op.strategy === 'COMBINE' ? `Combine (${op.node.name})` : op.node.name;
    this.subtask = subtask;
    this.parallelism = parallelism;
    const parameters = op.node.parameters === undefined ? undefined : (resources.userObjects.get(op.node.parameters) as Readonly<Record<string, unknown>>);
    this.ctx = ctx.forOperator(this.name, !chained, parameters);
    this.resources = resources;
    this.job = job;
    this.copyOnHold = chained && !resources.objectReuse;
    this.functions = functions;
  }

  /** Binds a user function (opened before the first record, closed after the last). */
  fn<F>(id: string, method: string): F {
    return this.bind<F>(id, method).call;
  }

  /** Binds a user function, keeping the bound form: for a driver that also calls other methods of the same instance. */
  bind<F>(id: string, method: string): BoundFunction<F> {
    const bound = bindUserFunction<F>(this.resources.userObjects.get(id), method, this.ctx, this.name);
    this.functions.push(bound as BoundFunction<unknown>);
    return bound;
  }

  /** Binds a rich function's optional method, or returns null when it does not have it. */
  optionalMethod<F>(id: string, method: string): F | null {
    const obj = this.resources.userObjects.get(id) as Record<string, unknown> | undefined;
    if (typeof obj !== 'object' || obj === null || typeof obj[method] !== 'function') return null;
    return this.fn<F>(id, method);
  }

  /** What this operator may hold before it spills. */
  private memoryLimit(): number {
    return this.resources.operatorMemoryBytes ?? this.resources.memoryBytes / 2;
  }

  /** Spilling for an operator that holds one Map entry per group; its files go when the subtask ends. */
  groupSpiller(options?: GroupSpillerOptions): GroupSpiller {
    const spiller = new GroupSpiller(this.resources.types, this.resources.tmpDir, this.memoryLimit(), options, this.newSpillFiles());
    this.cleanups.push(() => spiller.cleanup());
    return spiller;
  }

  /** What this operator may hold before it spills. */
  memoryLimitBytes(): number {
    return this.memoryLimit();
  }

  memoryBudget(): MemoryBudget {
    return new MemoryBudget(this.memoryLimit());
  }

  /** A directory for this operator's spill files, removed when the subtask ends. */
  spillFiles(): SpillFiles {
    const files = this.newSpillFiles();
    this.cleanups.push(() => files.removeAll());
    return files;
  }

  /** Spill files whose errors name this operator and subtask. */
  private newSpillFiles(): SpillFiles {
    return new SpillFiles(this.resources.tmpDir, this.name, `'${this.name}' (subtask ${this.subtask + 1} of ${this.parallelism})`);
  }

  keyExtractor(spec: KeySpec): KeyExtractor {
    return compileKeyExtractor(spec, this.resources.userObjects, this.name);
  }

  sortComparator(keys: readonly SortKey[]): RecordComparator {
    return compileSortComparator(keys, this.resources.userObjects, this.name);
  }

  /** A copy of a record that is about to be held, when one is needed. */
  hold(record: unknown): unknown {
    return this.copyOnHold ? copyRecord(record, this.resources.types) : record;
  }

  /** A copy for handing one held record out more than once. */
  copy(record: unknown): unknown {
    return this.resources.objectReuse ? record : copyRecord(record, this.resources.types);
  }

  fail(message: string): never {
    throw new TaskError(this.name, message);
  }
}
