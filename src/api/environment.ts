/**
 * The execution environment: creates sources, holds the logical plan that data sets add to,
 * and runs the sinks defined since the last run.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { basename } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { loadConfig, type TsflinkConfig } from '../config/config.ts';
import { PlanError } from '../errors/index.ts';
import { csvDialectProblem } from '../io/csv-dialect.ts';
import { isRemotePath } from '../io/fs/file-system.ts';
import { resolvePath } from '../io/input-files.ts';
import { formatPlan, PLAN_FORMATS, type PlanFormat } from '../optimizer/explain.ts';
import { formatPlanHtml } from '../optimizer/explain-html.ts';
import { toPlanJson } from '../optimizer/plan-json.ts';
import { optimize } from '../optimizer/optimizer.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import { type BroadcastInput, createNode, type CsvSourceOptions, FIELD_TYPES, type FieldType, type LogicalPlan, type NodeParams, type PlanNode } from '../plan/nodes.ts';
import type { JobOutcome } from '../job/contract.ts';
import { submitJob } from '../job/submit.ts';
import type { ClassType, CustomDeserializer, CustomSerializer } from '../serde/type-registry.ts';
import { TypeRegistry } from '../serde/type-registry.ts';
import { userCallSite } from './call-site.ts';
import { checkFunction, checkParallelism, describeArgument, planError } from './checks.ts';
import type { FieldValue } from './constants.ts';
import type { InputFormat, Tuple } from './functions.ts';
import { DataSet } from './internal.ts';
import { DataSink } from './internal.ts';
import { checkPathConflicts } from './path-conflicts.ts';
import { keepPlannedJob } from './planned-jobs.ts';
import { UserObjects } from './user-objects.ts';
import { JobMonitor, type JobFigures } from '../metrics/job-figures.ts';

export interface ReadCsvOptions {
  fieldDelimiter?: string;
  lineDelimiter?: string;
  /** `null` turns quoting off. */
  quoteCharacter?: string | null;
  ignoreFirstLine?: boolean;
  /** Lines starting with this prefix are skipped. */
  ignoreComments?: string;
  /** A mask over the file's columns; `types` lists only the included ones. */
  includedFields?: readonly boolean[];
  /** Skip (and count, as accumulator `invalidLines`) rows that do not parse, instead of failing. */
  ignoreInvalidLines?: boolean;
}

/** `readCsv` options with `pojoFields`: rows read into objects, as Flink's `pojoType(Class, fields…)`. */
export interface ReadCsvObjectOptions<N extends readonly string[]> extends ReadCsvOptions {
  /** The key of each field, one per type, in order. */
  pojoFields: N;
}

export interface ExecuteOptions {
  /** `false`: run on the Flink cluster of the configuration. */
  local?: boolean;
  jobName?: string;
  /** Show the job's progress on stderr while it runs (as `tsflink run` does by default). */
  progress?: boolean;
}

export interface JobExecutionResult {
  jobName: string;
  netRuntimeMs: number;
  accumulators: Record<string, unknown>;
  /** Per task and subtask: records and bytes in and out, time, spilled bytes; retries and failures. */
  figures: JobFigures;
}

export interface ReadJsonOptions {
  readonly ignoreInvalidLines?: boolean;
}

/** The object `readJson` yields for a schema: each named field as its type's value, or null when missing. */
export type JsonObject<S extends Readonly<Record<string, FieldType>>> = { -readonly [K in keyof S]: FieldValue<S[K]> | null };

/** The tuple type `readCsv` yields for a list of field types. */
export type CsvTuple<F extends readonly FieldType[]> = { -readonly [K in keyof F]: FieldValue<F[K]> };

/** The object a CSV row reads into with `pojoFields`: each name keyed to its type's value. */
export type CsvObject<F extends readonly FieldType[], N extends readonly string[]> = {
  -readonly [I in keyof N & `${number}` as N[I] & string]: I extends keyof F ? FieldValue<F[I] & FieldType> : never;
};

const KIND_LABELS: Partial<Record<NodeParams['kind'], string>> = {
  CollectionSource: 'DataSource (fromElements)',
  SequenceSource: 'DataSource (generateSequence)',
  TextSource: 'DataSource (readText)',
  FormatSource: 'DataSource (createInput)',
  CsvSource: 'DataSource (readCsv)',
  ParquetSource: 'DataSource (readParquet)',
  TextSink: 'DataSink (writeText)',
  CsvSink: 'DataSink (writeCsv)',
  ParquetSink: 'DataSink (writeParquet)',
  PrintSink: 'DataSink (output)',
  FormatSink: 'DataSink (output format)',
  CollectSink: 'DataSink (collect)',
  PartialSolution: 'Partial solution (iterate)',
  BulkIteration: 'Bulk iteration',
  Workset: 'Workset (iterateDelta)',
  SolutionSet: 'Solution set (iterateDelta)',
  DeltaIteration: 'Delta iteration',
};

export class ExecutionEnvironment {
  /** @internal */ readonly objects = new UserObjects();
  /** @internal */ readonly types = new TypeRegistry();
  private readonly nodes: PlanNode[] = [];
  private pendingSinks: number[] = [];
  private readonly config: TsflinkConfig;
  private parallelism: number;
  private retries = 0;
  private objectReuse = false;
  private jobCount = 0;
  private readonly cachedFiles: Record<string, string> = {};
  private readonly scriptName: string;

  /** @internal use `getEnvironment()` */
  constructor(config: TsflinkConfig = loadConfig()) {
    this.config = config;
    this.parallelism = config.parallelismDefault ?? os.availableParallelism();
    this.scriptName = process.argv[1] ? basename(process.argv[1]) : 'tsflink';
  }

  // ---- sources --------------------------------------------------------------------------

  /** One element per line of a file, or of every file of a directory (in name order). */
  readText(path: string): DataSet<string> {
    checkSourcePath(path, 'readText');
    return this.source({ kind: 'TextSource', path });
  }

  /** Tuples of the given field types from a CSV file (or a directory of them); objects with `pojoFields`. */
  // (The implementation returns DataSet<any>: one node yields tuples, or objects with pojoFields.)
  readCsv<const F extends readonly FieldType[], const N extends readonly string[]>(path: string, types: F, options: ReadCsvObjectOptions<N>): DataSet<CsvObject<F, N>>;
  readCsv<const F extends readonly FieldType[]>(path: string, types: F, options?: ReadCsvOptions): DataSet<CsvTuple<F>>;
  // biome-ignore lint/suspicious/noExplicitAny: the implementation of the overloads above, which give the types
  readCsv<const F extends readonly FieldType[]>(path: string, types: F, options: ReadCsvOptions & { pojoFields?: readonly string[] } = {}): DataSet<any> {
    checkSourcePath(path, 'readCsv');
    if (!Array.isArray(types) || types.length === 0) throw planError('readCsv', 'types must be a non-empty list of Types');
    for (const t of types) {
      if (!FIELD_TYPES.includes(t)) throw planError('readCsv', `unknown field type ${String(t)}; use Types.${FIELD_TYPES.slice(0, -1).join(', ')} or ${FIELD_TYPES.at(-1)}`);
    }
    const included = options.includedFields ?? null;
    if (included && included.filter(Boolean).length !== types.length) {
      throw planError('readCsv', `includedFields selects ${included.filter(Boolean).length} columns but ${types.length} types are given`);
    }
    const csv: CsvSourceOptions = {
      fieldDelimiter: options.fieldDelimiter ?? ',',
      lineDelimiter: options.lineDelimiter ?? '\n',
      quoteCharacter: options.quoteCharacter === undefined ? '"' : options.quoteCharacter,
      ignoreFirstLine: options.ignoreFirstLine ?? false,
      ignoreComments: options.ignoreComments ?? null,
      includedFields: included ? [...included] : null,
      ignoreInvalidLines: options.ignoreInvalidLines ?? false,
      ...(options.pojoFields === undefined ? {} : { pojoFields: checkPojoFields(options.pojoFields, types.length) }),
    };
    const problem = csvDialectProblem(csv.fieldDelimiter, csv.lineDelimiter, csv.quoteCharacter);
    if (problem !== null) throw planError('readCsv', problem);
    return this.source({ kind: 'CsvSource', path, types: [...types], options: csv });
  }

  /**
   * The values of a JSON Lines file (one JSON value per line; blank lines skipped), or of every
   * file of a directory. With a `schema` (field → Types.*), each line must be an object whose
   * named fields are converted and checked (a missing field or null is null; DATE and TIMESTAMP
   * read ISO text, BIGINT an integer or its digits as a string); a bad line fails the job naming
   * the file, line and field, unless `ignoreInvalidLines` counts it in `invalidLines`.
   */
  readJson<const S extends Readonly<Record<string, FieldType>>>(path: string, options: ReadJsonOptions & { readonly schema: S }): DataSet<JsonObject<S>>;
  readJson<T = unknown>(path: string, options?: ReadJsonOptions): DataSet<T>;
  // biome-ignore lint/suspicious/noExplicitAny: the implementation of the overloads above, which give the types
  readJson(path: string, options: ReadJsonOptions & { readonly schema?: Readonly<Record<string, FieldType>> } = {}): DataSet<any> {
    checkSourcePath(path, 'readJson');
    const json: { schema?: Record<string, FieldType>; ignoreInvalidLines?: boolean } = {};
    if (options.schema !== undefined) {
      if (options.schema === null || typeof options.schema !== 'object' || Array.isArray(options.schema)) throw planError('readJson', 'schema must be an object of field names to Types');
      for (const [field, t] of Object.entries(options.schema)) {
        if (!FIELD_TYPES.includes(t)) throw planError('readJson', `unknown field type ${String(t)} for field '${field}'; use Types.${FIELD_TYPES.slice(0, -1).join(', ')} or ${FIELD_TYPES.at(-1)}`);
      }
      json.schema = { ...options.schema };
    }
    if (options.ignoreInvalidLines !== undefined) {
      if (typeof options.ignoreInvalidLines !== 'boolean') throw planError('readJson', 'ignoreInvalidLines must be a boolean');
      json.ignoreInvalidLines = options.ignoreInvalidLines;
    }
    return this.source({ kind: 'TextSource', path, json });
  }

  /**
   * The rows of a Parquet file (or of every file of a directory, or a glob) as objects of their
   * columns, `columns` only when given (the others are not read). Row groups are shared among the
   * parallel instances. INT64 reads as a number (beyond ±(2^53−1) an error), DATE and TIMESTAMP as
   * Dates, lists as arrays, structs as objects, binary columns as bytes.
   */
  readParquet<T = Record<string, unknown>>(path: string, options: { readonly columns?: readonly string[] } = {}): DataSet<T> {
    checkSourcePath(path, 'readParquet');
    const columns = options.columns ?? null;
    if (columns !== null && (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== 'string' || c === ''))) {
      throw planError('readParquet', 'columns must be a non-empty list of column names');
    }
    return this.source({ kind: 'ParquetSource', path, columns: columns === null ? null : [...columns] });
  }

  fromElements<T extends Tuple>(...elements: T[]): DataSet<T>;
  fromElements<T>(...elements: T[]): DataSet<T>;
  fromElements<T>(...elements: T[]): DataSet<T> {
    return this.source({ kind: 'CollectionSource', data: this.objects.add(elements), count: elements.length });
  }

  fromCollection<T>(collection: Iterable<T>): DataSet<T> {
    if (collection == null || typeof (collection as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw planError('fromCollection', `expected an iterable, got ${describeArgument(collection)}`);
    }
    const elements = [...collection];
    return this.source({ kind: 'CollectionSource', data: this.objects.add(elements), count: elements.length });
  }

  /** The numbers from..to, both inclusive, split across the parallel instances. */
  generateSequence(from: number, to: number): DataSet<number> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw planError('generateSequence', `bounds must be safe integers, got ${from} and ${to}`);
    return this.source({ kind: 'SequenceSource', from, to });
  }

  /** The elements an InputFormat of your own reads (Flink's createInput). */
  createInput<T>(format: InputFormat<T>): DataSet<T> {
    if (format === null || typeof format !== 'object' || typeof format.createInputSplits !== 'function' || typeof format.readSplit !== 'function') {
      throw planError('createInput', `expected an InputFormat (an object with createInputSplits(n) and readSplit(split, out)), got ${describeArgument(format)}`);
    }
    return this.source({ kind: 'FormatSource', fn: this.objects.add(format) });
  }

  private source<T>(params: NodeParams): DataSet<T> {
    return new DataSet<T>(this, this.addNode(params, []));
  }

  // ---- settings ---------------------------------------------------------------------------

  /**
   * Makes a file available to every operator's rich functions under `name`, as Flink's
   * registerCachedFile: `this.context.getDistributedCache().getFile(name)` is its absolute path.
   * The file must exist now; embedded and on a Flink MiniCluster the tasks read it where it is,
   * on a remote cluster it must be reachable from the TaskManagers (as input paths are).
   */
  registerCachedFile(filePath: string, name: string): void {
    if (typeof name !== 'string' || name === '') throw planError('registerCachedFile', `the name must be a non-empty string, got ${describeArgument(name)}`);
    if (Object.hasOwn(this.cachedFiles, name)) throw planError('registerCachedFile', `a file is already registered under the name '${name}' (${this.cachedFiles[name]})`);
    if (typeof filePath !== 'string' || filePath === '') throw planError('registerCachedFile', `the path must be a non-empty string, got ${describeArgument(filePath)}`);
    const absolute = resolvePath(filePath);
    if (isRemotePath(absolute)) throw planError('registerCachedFile', `'${filePath}' is not a local file: tsflink ships local files (copy it here first)`);
    if (!existsSync(absolute)) throw planError('registerCachedFile', `'${filePath}' does not exist (looked for ${absolute})`);
    this.cachedFiles[name] = absolute;
  }

  registerCustomType<C>(cls: ClassType<C>, serializer: CustomSerializer<C>, deserializer: CustomDeserializer<C>): void {
    if (typeof cls !== 'function') throw planError('registerCustomType', `expected a class, got ${describeArgument(cls)}`);
    if (typeof serializer?.serialize !== 'function') throw planError('registerCustomType', 'the serializer needs a serialize(value) method');
    if (typeof deserializer?.deserialize !== 'function') throw planError('registerCustomType', 'the deserializer needs a deserialize(bytes) method');
    this.types.register(cls, serializer, deserializer);
  }

  setParallelism(parallelism: number): void {
    this.parallelism = checkParallelism(parallelism);
  }

  getParallelism(): number {
    return this.parallelism;
  }

  setNumberOfExecutionRetries(retries: number): void {
    if (!Number.isInteger(retries) || retries < 0) throw planError('setNumberOfExecutionRetries', `${retries} is not a non-negative integer`);
    this.retries = retries;
  }

  getNumberOfExecutionRetries(): number {
    return this.retries;
  }

  /** Promise not to mutate elements after emitting them, so the engine may skip defensive copies. */
  enableObjectReuse(): void {
    this.objectReuse = true;
  }

  disableObjectReuse(): void {
    this.objectReuse = false;
  }

  // ---- running ------------------------------------------------------------------------------

  /** Runs every sink defined since the last run. */
  async execute(options: ExecuteOptions = {}): Promise<JobExecutionResult> {
    checkExecuteOptions(options);
    const sinks = this.takePendingSinks();
    if (sinks.length === 0) throw planError('execute', 'No data sinks have been defined since the last execution; call output(), writeText() or writeCsv() first');
    const jobName = options.jobName ?? this.defaultJobName();
    const outcome = await this.run(sinks, jobName, options.local, options.progress === true);
    return { jobName, netRuntimeMs: outcome.netRuntimeMs, accumulators: { ...outcome.accumulators }, figures: outcome.figures };
  }

  /** The optimized plan of the pending sinks as JSON; nothing runs. */
  getExecutionPlan(): string {
    if (this.pendingSinks.length === 0) throw planError('getExecutionPlan', 'No data sinks have been defined since the last execution; nothing to plan');
    const plan = this.optimizedPlan(this.pendingSinks, this.defaultJobName());
    return JSON.stringify(toPlanJson(plan));
  }

  /** @internal */
  async collectDataSet(id: number): Promise<unknown[]> {
    const results = await this.runWithResultSink(id, false);
    return (results as unknown[] | undefined) ?? [];
  }

  /** @internal */
  async countDataSet(id: number): Promise<number> {
    const results = await this.runWithResultSink(id, true);
    return (results as number | undefined) ?? 0;
  }

  private async runWithResultSink(id: number, countOnly: boolean): Promise<unknown[] | number | undefined> {
    const { resultId, sinkId } = this.addResultSink(id, countOnly);
    const sinks = [...this.takePendingSinks(), sinkId];
    const outcome = await this.run(sinks, this.defaultJobName(), undefined);
    return outcome.results.get(resultId);
  }

  private addResultSink(id: number, countOnly: boolean): { resultId: string; sinkId: number } {
    const resultId = `r${this.nodes.length}`;
    return { resultId, sinkId: this.addNode({ kind: 'CollectSink', resultId, countOnly }, [id], { parallelism: countOnly ? null : 1 }) };
  }

  /** @internal The physical plan `collect()` of data set `id` would run, with the pending sinks; nothing runs (tests, tools). */
  collectPlan(id: number): PhysicalPlan {
    return this.optimizedPlan([...this.pendingSinks, this.addResultSink(id, false).sinkId], this.defaultJobName());
  }

  /** @internal The logical plan of the pending sinks, as `execute()` would optimize it; they count as run, nothing runs (the optimizer's tests). */
  pendingLogicalPlan(jobName = this.defaultJobName()): LogicalPlan {
    return this.logicalPlan(this.takePendingSinks(), jobName);
  }

  private takePendingSinks(): number[] {
    const sinks = this.pendingSinks;
    this.pendingSinks = [];
    withSinks.delete(this); // nothing left to warn of, and nothing kept for a service's many environments
    return sinks;
  }

  private defaultJobName(): string {
    return `${this.scriptName} job ${this.jobCount + 1}`;
  }

  private optimizedPlan(sinks: readonly number[], jobName: string): PhysicalPlan {
    const plan = this.logicalPlan(sinks, jobName);
    checkPathConflicts(plan);
    return optimize(plan, { compilePipelines: this.config.compilePipelines });
  }

  private async run(sinks: readonly number[], jobName: string, local: boolean | undefined, progress = false): Promise<JobOutcome & { figures: JobFigures }> {
    this.jobCount++;
    const plan = this.optimizedPlan(sinks, jobName);
    const planFormat = process.env.TSFLINK_PLAN_FORMAT;
    if (planFormat) {
      // `tsflink plan`: print the plan instead of running it (the CLI prints all a script's plans at its end).
      if (keepPlannedJob(plan)) return { netRuntimeMs: 0, accumulators: {}, results: new Map(), figures: new JobMonitor(plan, 'local').snapshot() };
      if (planFormat === 'html') process.stdout.write(`${await formatPlanHtml(plan)}\n`);
      else if ((PLAN_FORMATS as readonly string[]).includes(planFormat)) process.stdout.write(`${formatPlan(plan, planFormat as PlanFormat)}\n`);
      else throw new PlanError(`unknown plan format '${planFormat}' (use ${PLAN_FORMATS.join(', ')}, html)`);
      return { netRuntimeMs: 0, accumulators: {}, results: new Map(), figures: new JobMonitor(plan, 'local').snapshot() };
    }
    const target = local === false ? 'flink' : local === true ? 'local' : this.config.target;
    return submitJob(
      plan,
      target,
      this.config,
      {
        userObjects: this.objects.asMap(),
        types: this.types,
        objectReuse: this.objectReuse,
        retries: this.retries,
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        memoryBytes: this.config.taskmanagerMemoryBytes,
        tmpDir: this.config.tmpDirs[0] ?? os.tmpdir(),
        taskTimeoutMs: this.config.taskTimeoutMs,
        workerHeapMb: this.config.workerHeapMb,
        cachedFiles: plan.cachedFiles ?? {},
      },
      progress,
    );
  }

  /**
   * The nodes the given sinks depend on, in a topological order (inputs first; otherwise
   * creation order). Creation order alone is not enough: a broadcast set may be created after
   * the operator that reads it.
   */
  private logicalPlan(sinks: readonly number[], jobName: string): LogicalPlan {
    const ordered: PlanNode[] = [];
    const state = new Map<number, 'visiting' | 'done'>();
    const visit = (id: number): void => {
      const s = state.get(id);
      if (s === 'done') return;
      if (s === 'visiting') throw new PlanError(`the plan has a cycle through operator ${this.nodes[id]!.name}`);
      state.set(id, 'visiting');
      const node = this.nodes[id]!;
      // An iteration's end also needs its step's inputs, which the step may not read itself.
      const p = node.params;
      const placeholders = p.kind === 'BulkIteration' ? [p.partialSolution] : p.kind === 'DeltaIteration' ? [p.solutionSet, p.workset] : [];
      for (const i of [...node.inputs, ...node.broadcastInputs.map((b) => b.input), ...placeholders].sort((a, b) => a - b)) visit(i);
      state.set(id, 'done');
      ordered.push(node);
    };
    for (const id of [...sinks].sort((a, b) => a - b)) visit(id);
    return { jobName, nodes: ordered, sinks: [...sinks], defaultParallelism: this.parallelism, cachedFiles: { ...this.cachedFiles } };
  }

  // ---- plan building (used by data sets) ----------------------------------------------------------

  /** @internal */
  addNode(params: NodeParams, inputs: readonly number[], extra: { parallelism?: number | null } = {}): number {
    const id = this.nodes.length;
    const site = userCallSite();
    const label =
      params.kind === 'TextSource' && params.json !== undefined
        ? 'DataSource (readJson)'
        : params.kind === 'TextSink' && params.format === 'json'
          ? 'DataSink (writeJson)'
          : (KIND_LABELS[params.kind] ?? params.kind);
    const node = createNode({ id, name: site ? `${label} at ${site}` : label, inputs: [...inputs], broadcastInputs: [], parallelism: extra.parallelism ?? null, params });
    this.nodes.push(node);
    return id;
  }

  /** @internal replaces a node by a copy with some fields changed (nodes themselves are frozen). */
  updateNode(id: number, patch: Partial<Pick<PlanNode, 'name' | 'parallelism' | 'runInClient' | 'parameters' | 'params' | 'broadcastInputs'>>): void {
    const node = this.getNode(id);
    this.nodes[id] = createNode({ ...node, ...patch });
  }

  /**
   * @internal a new node: a copy of node `id` with some fields changed, returning its id. What a
   * builder refines (`using`, `name`, `andAgg`, …) is a new node, so that a handle the user kept
   * on the node before still stands for what it stood for (as Flink's `with()` returns a new operator).
   */
  copyNode(id: number, patch: Partial<Pick<PlanNode, 'name' | 'parallelism' | 'runInClient' | 'parameters' | 'params' | 'broadcastInputs'>>): number {
    const copy = this.nodes.length;
    this.nodes.push(createNode({ ...this.getNode(id), ...patch, id: copy }));
    return copy;
  }

  /**
   * @internal checks a user function where the program passes it (a plain function, or an
   * object with `method`: an instance of `richClass`), so that a wrong one is a PlanError naming
   * `what` and its line, and registers it; returns its user-object id.
   */
  registerFunction(f: unknown, what: string, method: string, richClass: string): string {
    checkFunction(f, what, method, richClass);
    return this.objects.add(f);
  }

  /** @internal */
  getNode(id: number): PlanNode {
    const node = this.nodes[id];
    if (!node) throw new PlanError(`unknown operator ${id}`);
    return node;
  }

  /** @internal node `id`'s broadcast inputs with `input` as `name` (replacing one of that name). */
  withBroadcastInput(id: number, name: string, input: number): BroadcastInput[] {
    if (typeof name !== 'string' || name === '') throw planError('withBroadcastSet', `the name must be a non-empty string, got ${describeArgument(name)}`);
    return [...this.getNode(id).broadcastInputs.filter((b) => b.name !== name), { name, input }];
  }

  /** @internal */
  addSink(params: NodeParams, input: number): DataSink {
    const id = this.addNode(params, [input]);
    this.pendingSinks.push(id);
    if (params.kind !== 'CollectSink') watchForUnrunSinks(this);
    return new DataSink(this, id);
  }

  /** @internal The names of the sinks defined since the last run (for the warning at exit). */
  unrunSinkNames(): string[] {
    return this.pendingSinks
      .map((id) => this.nodes[id]!)
      .filter((n) => n.params.kind !== 'CollectSink')
      .map((n) => n.name);
  }

  /** @internal */
  dataSet<T>(id: number): DataSet<T> {
    return new DataSet<T>(this, id);
  }

  /**
   * @internal `what` (the user's call, e.g. `union`) got data sets `others`: each must be a data set
   * of this environment, since a plan holds the nodes of one environment only (as in Flink).
   */
  checkSameEnvironment(others: readonly unknown[], what: string): void {
    for (const o of others) {
      if (!(o instanceof DataSet)) throw planError(what, `expected a DataSet, got ${describeArgument(o)}`);
      if (o.env !== this) {
        throw planError(
          what,
          `the data set '${o.env.getNode(o.id).name}' belongs to another execution environment; data sets of different environments (two getEnvironment() calls) cannot be combined: build both from one environment`,
        );
      }
    }
  }
}

/** Flink's `execute("name")` is `execute({ jobName: "name" })` here: say so rather than run under a default name. */
function checkExecuteOptions(options: unknown): void {
  if (typeof options === 'string') throw planError('execute', `expected options { jobName?, local? }, got ${describeArgument(options)}; use execute({ jobName: ${JSON.stringify(options)} })`);
  if (options === null || typeof options !== 'object') throw planError('execute', `expected options { jobName?, local? }, got ${describeArgument(options)}`);
  const { jobName, local } = options as ExecuteOptions;
  if (jobName !== undefined && (typeof jobName !== 'string' || jobName === '')) throw planError('execute', `jobName must be a non-empty string, got ${describeArgument(jobName)}`);
  if (local !== undefined && typeof local !== 'boolean') throw planError('execute', `local must be true or false, got ${describeArgument(local)}`);
  const { progress } = options as ExecuteOptions;
  if (progress !== undefined && typeof progress !== 'boolean') throw planError('execute', `progress must be true or false, got ${describeArgument(progress)}`);
}

function checkSourcePath(path: string, what: string): void {
  if (typeof path !== 'string' || path === '') throw planError(what, `a non-empty path is required, got ${describeArgument(path)}`);
}

/** A new execution environment. */
export function getEnvironment(): ExecutionEnvironment {
  return new ExecutionEnvironment();
}

const withSinks = new Set<ExecutionEnvironment>();
let watching = false;

/**
 * Sinks are lazy: a script that defines them and never calls `execute()` writes nothing and
 * would exit 0 silently. When the process ends normally with sinks that never ran, that is said
 * on stderr, naming them. Not under a test runner (tests build plans they never run on purpose)
 * nor in a worker thread.
 */
function watchForUnrunSinks(env: ExecutionEnvironment): void {
  withSinks.add(env);
  if (watching || !isMainThread || process.env.NODE_TEST_CONTEXT !== undefined) return;
  watching = true;
  process.once('exit', (code) => {
    if (code !== 0) return;
    const names = [...withSinks].flatMap((e) => e.unrunSinkNames());
    if (names.length === 0) return;
    const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    process.stderr.write(
      `tsflink: warning: ${names.length === 1 ? 'a sink was' : `${names.length} sinks were`} defined but never run (${shown}): nothing was written; call \`await env.execute()\` after defining them\n`,
    );
  });
}

function checkPojoFields(fields: unknown, types: number): string[] {
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string' || f === '')) throw planError('readCsv', `pojoFields must be a list of non-empty names, got ${describeArgument(fields)}`);
  if (fields.length !== types) throw planError('readCsv', `pojoFields names ${fields.length} fields but ${types} types are given`);
  if (fields.includes('__proto__')) throw planError('readCsv', "pojoFields cannot name '__proto__'");
  const twice = fields.find((f, i) => fields.indexOf(f) !== i);
  if (twice !== undefined) throw planError('readCsv', `pojoFields names '${twice}' twice`);
  return [...(fields as string[])];
}
