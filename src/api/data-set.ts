/**
 * `DataSet<T>`: a handle on one node of the environment's logical plan. Every method records
 * what the user asked for as a new frozen plan node and returns a new handle; nothing runs
 * until `execute()`, `collect()` or `count()`.
 */
import { PlanError } from '../errors/index.ts';
import { csvDialectProblem } from '../io/csv-dialect.ts';
import { checkParallelism, describeArgument, planError } from './checks.ts';
import { type AggregationKind, FIELD_TYPES, type FieldType, type JoinSizeHint, type KeySpec, type NodeParams, type SortKey, type WriteModeName } from '../plan/nodes.ts';
import { type Aggregation, JoinHint, type Order, WriteMode } from './constants.ts';
import type { DataSink } from './internal.ts';
import type { ExecutionEnvironment } from './environment.ts';
import { type AsyncOptions, toAsyncSpec } from './async-options.ts';
import type { AnnotateTheCollector, AsyncFlatMapFn, AsyncMapFn, FilterFn, FlatMapFn, GroupReduceFn, MapFn, MapPartitionFn, OutputFormat, ReduceFn, Tuple } from './functions.ts';
import { hasCombine } from './functions.ts';
import { type FieldKey, type KeyArgs, type KeySelectorArg, type PickFields, toKeySpec } from './keys.ts';
import { CoGroupWhere } from './internal.ts';
import { CrossOperator } from './internal.ts';
import { JoinWhere, OuterJoinWhere } from './internal.ts';
import { UnsortedGrouping } from './internal.ts';
import { checkMaxIterations, DeltaIteration, IterativeDataSet } from './internal.ts';
import { checkSelectFields, selectBy } from './select-by.ts';
import { toText } from '../io/text-form.ts';
import { KeepHeaviestFunction, SampleFunction, WeighPartitionFunction } from './sample.ts';
import { RANGES, RangeBoundariesFunction, type RangeKey, RangeKeyFunction, RangeTagFunction, rangeToPartition, UntagFunction } from './range-partition.ts';

/** A field position usable for aggregation, projection and sorting of a tuple type. */
export type PositionOf<T> = T extends readonly unknown[] ? (number extends T['length'] ? number : FieldKey<T> & number) : number;

/** The positions of a tuple's numeric fields (what `sum` adds up); any number for untyped data. */
export type NumericPositionOf<T> = T extends readonly unknown[]
  ? number extends T['length']
    ? number
    : { [K in keyof T]: K extends `${infer N extends number}` ? (T[K] extends number | bigint | null ? N : never) : never }[number]
  : number;

export interface WriteCsvOptions {
  fieldDelimiter?: string;
  lineDelimiter?: string;
  writeMode?: WriteMode;
}

export class DataSet<T> {
  /** @internal */ readonly env: ExecutionEnvironment;
  /** @internal the id of the plan node this handle stands for */ readonly id: number;

  constructor(env: ExecutionEnvironment, id: number) {
    this.env = env;
    this.id = id;
  }

  /** @internal adds a node reading this data set (and `more` inputs) and returns a handle of the result type. */
  protected derive<O>(params: NodeParams, more: readonly DataSet<unknown>[] = []): DataSet<O> {
    return new DataSet<O>(this.env, this.env.addNode(params, [this.id, ...more.map((d) => d.id)]));
  }

  /**
   * @internal a handle of this one's class over a new node: this one's with `patch` applied.
   * Handles never change: `ds.name('x')` is a new data set, and `ds` stays what it was.
   */
  protected refined(patch: Parameters<ExecutionEnvironment['copyNode']>[1]): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    return Object.assign(copy, this, { id: this.env.copyNode(this.id, patch) });
  }

  /** @internal checks a user function (`method` is what a rich function must have) and registers it. */
  protected fn(f: unknown, what: string, method: string, richClass: string): string {
    return this.env.registerFunction(f, what, method, richClass);
  }

  /** @internal */ protected keys(args: readonly unknown[], what: string): KeySpec {
    return toKeySpec(args, this.env.objects, what);
  }

  // ---- operator settings -------------------------------------------------------------

  /** Names this operator (shown in plans, progress and errors). */
  name(name: string): this {
    return this.refined({ name });
  }

  /** Sets this operator's parallelism. */
  setParallelism(parallelism: number): this {
    return this.refined({ parallelism: checkParallelism(parallelism) });
  }

  /**
   * Runs this operator in the client process (the one that called `execute()`), not on worker
   * threads: its functions are not shipped, so they may capture what cannot travel (a socket, a
   * database client). Its subtasks run one after another there. The Flink target cannot do this.
   */
  /**
   * Parameters for this operator's functions, read with `this.context.getParameters()` (in
   * `open()` too), as Flink's `withParameters(Configuration)`: a plain object of values, copied
   * now; it travels to the workers with the functions.
   */
  withParameters(parameters: Readonly<Record<string, unknown>>): this {
    if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters) || ![Object.prototype, null].includes(Object.getPrototypeOf(parameters))) {
      throw planError('withParameters', `expected a plain object of parameters, got ${describeArgument(parameters)}`);
    }
    return this.refined({ parameters: this.env.objects.add(Object.freeze(structuredClone(parameters))) });
  }

  runInClient(): this {
    return this.refined({ runInClient: true });
  }

  /** Makes all of `dataSet` visible to every parallel instance as `ctx.getBroadcastVariable(name)`. */
  withBroadcastSet<B>(dataSet: DataSet<B>, name: string): this;
  withBroadcastSet<B>(name: string, dataSet: DataSet<B>): this;
  withBroadcastSet(a: string | { env: ExecutionEnvironment; id: number }, b: string | { env: ExecutionEnvironment; id: number }): this {
    const [name, ds] = typeof a === 'string' ? [a, b as { env: ExecutionEnvironment; id: number }] : [b as string, a];
    this.env.checkSameEnvironment([ds], 'withBroadcastSet');
    return this.refined({ broadcastInputs: this.env.withBroadcastInput(this.id, name, ds.id) });
  }

  // ---- element-wise -------------------------------------------------------------------

  /** A tuple literal returned infers a tuple type (`map(([a, b]) => [b, a])` is `DataSet<[B, A]>`); anything else its own type. */
  map<O extends Tuple>(f: MapFn<T, O>): DataSet<O>;
  map<O>(f: MapFn<T, O>): DataSet<O>;
  map<O>(f: MapFn<T, O>): DataSet<O> {
    return this.derive({ kind: 'Map', fn: this.fn(f, 'map', 'map', 'MapFunction') });
  }

  flatMap<O = AnnotateTheCollector>(f: FlatMapFn<T, O>): DataSet<O> {
    return this.derive({ kind: 'FlatMap', fn: this.fn(f, 'flatMap', 'flatMap', 'FlatMapFunction') });
  }

  /**
   * A declared-async map (Flink's Async I/O): `f` returns a Promise of the element (or the element);
   * each parallel instance keeps at most `capacity` invocations in flight and emits the results in
   * input order (`ordered: false`: as they complete). A rejection or timeout fails the task unless
   * `retry` retries it. See docs/async-operators.md.
   */
  mapAsync<O extends Tuple>(f: AsyncMapFn<T, O>, options?: AsyncOptions): DataSet<O>;
  mapAsync<O>(f: AsyncMapFn<T, O>, options?: AsyncOptions): DataSet<Awaited<O>>;
  mapAsync<O>(f: AsyncMapFn<T, O>, options?: AsyncOptions): DataSet<Awaited<O>> {
    const fn = this.fn(f, 'mapAsync', 'asyncMap', 'AsyncMapFunction');
    return this.derive({ kind: 'MapAsync', fn, async: toAsyncSpec('mapAsync', options, this.env.objects) });
  }

  /** A declared-async flatMap: `f` returns a Promise of an iterable of elements; otherwise as `mapAsync`. */
  flatMapAsync<O>(f: AsyncFlatMapFn<T, O>, options?: AsyncOptions): DataSet<O> {
    const fn = this.fn(f, 'flatMapAsync', 'asyncFlatMap', 'AsyncFlatMapFunction');
    return this.derive({ kind: 'FlatMapAsync', fn, async: toAsyncSpec('flatMapAsync', options, this.env.objects) });
  }

  mapPartition<O = AnnotateTheCollector>(f: MapPartitionFn<T, O>): DataSet<O> {
    return this.derive({ kind: 'MapPartition', fn: this.fn(f, 'mapPartition', 'mapPartition', 'MapPartitionFunction') });
  }

  filter(f: FilterFn<T>): DataSet<T> {
    return this.derive({ kind: 'Filter', fn: this.fn(f, 'filter', 'filter', 'FilterFunction') });
  }

  /** A tuple of the chosen fields, in the given order. */
  project<const I extends readonly PositionOf<T>[]>(...fields: I): DataSet<PickFields<T, I>> {
    if (fields.length === 0) throw planError('project', 'at least one field is required');
    for (const f of fields) if (!Number.isInteger(f) || (f as number) < 0) throw planError('project', `${String(f)} is not a field position`);
    return this.derive({ kind: 'Project', fields: [...(fields as readonly number[])] });
  }

  // ---- whole-set reductions -------------------------------------------------------------

  reduce(f: ReduceFn<T>): DataSet<T> {
    return this.derive({ kind: 'Reduce', fn: this.fn(f, 'reduce', 'reduce', 'ReduceFunction'), keys: null });
  }

  // A combinable reduceGroup feeds its own output back in as input (the combiner's partial
  // results): its output type must be its input type, checked at compile time.
  reduceGroup(f: GroupReduceFn<T, T>, options: { combinable: true }): DataSet<T>;
  reduceGroup<O = AnnotateTheCollector>(f: GroupReduceFn<T, O>, options?: { combinable?: false }): DataSet<O>;
  reduceGroup(f: GroupReduceFn<T, T>, options: { combinable?: boolean }): DataSet<T>;
  reduceGroup<O>(f: GroupReduceFn<T, O>, options: { combinable?: boolean } = {}): DataSet<O> {
    return this.derive({ kind: 'GroupReduce', fn: this.fn(f, 'reduceGroup', 'reduce', 'GroupReduceFunction'), keys: null, sortKeys: [], combinable: options.combinable === true || hasCombine(f) });
  }

  /**
   * `f(values, out)` once per parallel instance, on the elements of its partition, with no shuffle
   * (Flink's combineGroup: a partial, local reduceGroup; its output may be of any type).
   */
  combineGroup<O = AnnotateTheCollector>(f: GroupReduceFn<T, O>): DataSet<O> {
    return this.derive({ kind: 'GroupCombine', fn: this.fn(f, 'combineGroup', 'reduce', 'GroupReduceFunction'), keys: null, sortKeys: [] });
  }

  aggregate(agg: Aggregation, field: PositionOf<T>): AggregateOperator<T> {
    return AggregateOperator.create(this, null, agg, field as number);
  }
  sum(field: NumericPositionOf<T>): AggregateOperator<T> {
    return this.aggregate('SUM', field);
  }
  min(field: PositionOf<T>): AggregateOperator<T> {
    return this.aggregate('MIN', field);
  }
  max(field: PositionOf<T>): AggregateOperator<T> {
    return this.aggregate('MAX', field);
  }
  /** The mean of a numeric field, in place of that field. */
  avg(field: NumericPositionOf<T>): AggregateOperator<T> {
    return this.aggregate('AVG', field);
  }

  /** The tuple with the smallest value in `fields` (compared in that order; ties: the earlier-seen), as Flink's minBy. */
  minBy(...fields: PositionOf<T>[]): DataSet<T> {
    return this.reduce(selectBy<T>(checkSelectFields(fields, 'minBy'), false, 'minBy'));
  }

  /** The tuple with the largest value in `fields` (compared in that order; ties: the earlier-seen), as Flink's maxBy. */
  maxBy(...fields: PositionOf<T>[]): DataSet<T> {
    return this.reduce(selectBy<T>(checkSelectFields(fields, 'maxBy'), true, 'maxBy'));
  }

  /** Distinct elements: whole elements, or one element per distinct key. */
  distinct(...keys: KeyArgs<T> | []): DataSet<T> {
    const spec: KeySpec = keys.length === 0 ? { kind: 'whole' } : this.keys(keys, 'distinct');
    return this.derive({ kind: 'Distinct', keys: spec });
  }

  /** Any n elements. */
  first(n: number): DataSet<T> {
    checkCount(n, 'first');
    return this.derive({ kind: 'First', n, keys: null, sortKeys: [] });
  }

  groupBy(selector: KeySelectorArg<T>): UnsortedGrouping<T>;
  groupBy(...fields: FieldKey<T>[]): UnsortedGrouping<T>;
  groupBy(...keys: unknown[]): UnsortedGrouping<T> {
    return new UnsortedGrouping<T>(this, this.keys(keys, 'groupBy'));
  }

  // ---- binary operators ------------------------------------------------------------------

  /** An inner join; `hint` (JoinHint) says how to run it, else the optimizer chooses. */
  join<R>(other: DataSet<R>, hint: JoinHint = JoinHint.OPTIMIZER_CHOOSES): JoinWhere<T, R> {
    const sizes: Record<JoinHint, JoinSizeHint> = {
      OPTIMIZER_CHOOSES: 'NONE',
      BROADCAST_HASH_FIRST: 'HUGE',
      BROADCAST_HASH_SECOND: 'TINY',
      REPARTITION_HASH_FIRST: 'REPARTITION_BUILD_FIRST',
      REPARTITION_HASH_SECOND: 'REPARTITION_BUILD_SECOND',
      REPARTITION_SORT_MERGE: 'REPARTITION_BUILD_SECOND',
    };
    if (!Object.hasOwn(sizes, hint)) throw planError('join', `unknown join hint ${describeArgument(hint)}; use JoinHint.${Object.keys(sizes).join(', JoinHint.')}`);
    return new JoinWhere<T, R>(this, other, 'INNER', sizes[hint]);
  }
  joinWithTiny<R>(other: DataSet<R>): JoinWhere<T, R> {
    return new JoinWhere<T, R>(this, other, 'INNER', 'TINY');
  }
  joinWithHuge<R>(other: DataSet<R>): JoinWhere<T, R> {
    return new JoinWhere<T, R>(this, other, 'INNER', 'HUGE');
  }
  leftOuterJoin<R>(other: DataSet<R>): OuterJoinWhere<T, R, T, R | null> {
    return new OuterJoinWhere(this, other, 'LEFT_OUTER');
  }
  rightOuterJoin<R>(other: DataSet<R>): OuterJoinWhere<T, R, T | null, R> {
    return new OuterJoinWhere(this, other, 'RIGHT_OUTER');
  }
  fullOuterJoin<R>(other: DataSet<R>): OuterJoinWhere<T, R, T | null, R | null> {
    return new OuterJoinWhere(this, other, 'FULL_OUTER');
  }

  coGroup<R>(other: DataSet<R>): CoGroupWhere<T, R> {
    return new CoGroupWhere<T, R>(this, other);
  }

  cross<R>(other: DataSet<R>): CrossOperator<T, R, [T, R]> {
    return CrossOperator.create(this, other, 'NONE');
  }
  crossWithTiny<R>(other: DataSet<R>): CrossOperator<T, R, [T, R]> {
    return CrossOperator.create(this, other, 'TINY');
  }
  crossWithHuge<R>(other: DataSet<R>): CrossOperator<T, R, [T, R]> {
    return CrossOperator.create(this, other, 'HUGE');
  }

  /** Bag union: every element of both sets, duplicates kept. */
  union(other: DataSet<T>): DataSet<T> {
    this.env.checkSameEnvironment([other], 'union');
    return this.derive({ kind: 'Union' }, [other as DataSet<unknown>]);
  }

  // ---- partitioning and order -----------------------------------------------------------------

  partitionByHash(...keys: KeyArgs<T>): DataSet<T> {
    return this.derive({ kind: 'PartitionByHash', keys: this.keys(keys, 'partitionByHash') });
  }

  /**
   * Each element to the partition `partitioner(key, numPartitions)` names (0-based), by one key
   * field or a key selector, as Flink's partitionCustom. The partitioner is a function or an
   * object with a `partition(key, numPartitions)` method; it travels to the producers.
   */
  partitionCustom<K = unknown>(partitioner: ((key: K, numPartitions: number) => number) | { partition(key: K, numPartitions: number): number }, key: FieldKey<T> | KeySelectorArg<T>): DataSet<T> {
    const fn = typeof partitioner === 'function' || typeof (partitioner as { partition?: unknown })?.partition === 'function' ? this.env.objects.add(partitioner) : null;
    if (fn === null) throw planError('partitionCustom', `expected a partitioner function (key, numPartitions) => index or an object with a partition method, got ${describeArgument(partitioner)}`);
    const keys = this.keys([key], 'partitionCustom');
    if (keys.kind === 'fields' && keys.fields.length !== 1) throw planError('partitionCustom', 'partitions on one key field or a key selector');
    return this.derive({ kind: 'PartitionCustom', keys, fn });
  }

  /**
   * Range-partitions by a key (fields or a selector), as Flink's partitionByRange: lower keys in
   * lower partitions, about equally many elements in each (from a sample of the keys taken first).
   */
  partitionByRange(...keys: KeyArgs<T>): DataSet<T> {
    const spec = this.keys(keys, 'partitionByRange');
    let key: RangeKey;
    if (spec.kind === 'fields') {
      const fields = spec.fields;
      if (fields.length === 1) {
        const f = fields[0]!;
        key = typeof f === 'number' ? (v) => (v as unknown[])[f] : (v) => (v as Record<string, unknown>)[f];
      } else key = (v) => fields.map((f) => (typeof f === 'number' ? (v as unknown[])[f] : (v as Record<string, unknown>)[f]));
    } else if (spec.kind === 'selector') {
      const selector = this.env.objects.get(spec.fn) as ((v: unknown) => unknown) | { getKey(v: unknown): unknown };
      key = typeof selector === 'function' ? selector : (v) => selector.getKey(v);
    } else key = (v) => v;
    if (spec.kind === 'fields' && spec.fields.some((f) => typeof f === 'string' && f.includes('.'))) throw planError('partitionByRange', 'partitions on top-level fields or a key selector');
    const boundaries = this.map(new RangeKeyFunction<T>(key))
      .name('partitionByRange: keys')
      .sampleWithSize(false, 20 * RANGES, 0x5eed)
      .reduceGroup(new RangeBoundariesFunction())
      .name('partitionByRange: boundaries');
    return this.map(new RangeTagFunction<T>(key))
      .withBroadcastSet(boundaries, 'tsflink.rangeBoundaries')
      .name('partitionByRange: ranges')
      .partitionCustom(rangeToPartition, 0)
      .map(new UntagFunction<T>())
      .name('partitionByRange');
  }

  /** Round-robin redistribution. */
  rebalance(): DataSet<T> {
    return this.derive({ kind: 'Rebalance' });
  }

  /** Sorts each partition (stable); chain `sortPartition` again for secondary keys. */
  sortPartition(key: FieldKey<T> | KeySelectorArg<T>, order: Order): SortPartitionOperator<T> {
    const sortKeys: SortKey[] = [{ key: this.keys([key], 'sortPartition'), order: checkOrder(order, 'sortPartition') }];
    const ds = this.derive<T>({ kind: 'SortPartition', sortKeys });
    return new SortPartitionOperator<T>(this.env, ds.id);
  }

  zipWithIndex(): DataSet<[number, T]> {
    return this.derive({ kind: 'ZipWithIndex' });
  }

  /** A random sample: each element kept with probability `fraction` (with replacement: repeated a Poisson(`fraction`) number of times), as Flink's DataSetUtils.sample. */
  sample(withReplacement: boolean, fraction: number, seed: number = randomSeed()): DataSet<T> {
    if (typeof withReplacement !== 'boolean') throw planError('sample', `withReplacement must be a boolean, got ${describeArgument(withReplacement)}`);
    if (typeof fraction !== 'number' || !(fraction >= 0) || (!withReplacement && fraction > 1) || !Number.isFinite(fraction)) {
      throw planError('sample', `fraction must be ${withReplacement ? 'a finite number ≥ 0' : 'between 0 and 1'}, got ${describeArgument(fraction)}`);
    }
    return this.mapPartition(new SampleFunction<T>(withReplacement, fraction, checkSeed(seed, 'sample')));
  }

  /** A random sample of exactly `size` elements (all of them, if fewer, without replacement), as Flink's DataSetUtils.sampleWithSize. */
  sampleWithSize(withReplacement: boolean, size: number, seed: number = randomSeed()): DataSet<T> {
    if (typeof withReplacement !== 'boolean') throw planError('sampleWithSize', `withReplacement must be a boolean, got ${describeArgument(withReplacement)}`);
    if (!Number.isSafeInteger(size) || size < 0) throw planError('sampleWithSize', `size must be a non-negative integer, got ${describeArgument(size)}`);
    const s = checkSeed(seed, 'sampleWithSize');
    return this.mapPartition(new WeighPartitionFunction<T>(withReplacement, size, s)).reduceGroup(new KeepHeaviestFunction<T>(withReplacement, size));
  }

  /** `[id, element]` with ids unique across the parallel instances, without counting first (dense only at parallelism 1), as Flink's zipWithUniqueId. */
  zipWithUniqueId(): DataSet<[number, T]> {
    return this.derive({ kind: 'ZipWithUniqueId' });
  }

  countElementsPerPartition(): DataSet<[number, number]> {
    return this.derive({ kind: 'CountElementsPerPartition' });
  }

  // ---- iterations ------------------------------------------------------------------------------

  /** Starts a bulk iteration on this data set: build the step on the result, then `closeWith`. */
  iterate(maxIterations: number): IterativeDataSet<T> {
    checkMaxIterations(maxIterations, 'iterate');
    return new IterativeDataSet<T>(this.env, this.env.addNode({ kind: 'PartialSolution' }, [this.id]), maxIterations);
  }

  /** Starts a delta iteration with this data set as the initial solution set, keyed by `keys`. */
  iterateDelta<W>(workset: DataSet<W>, maxIterations: number, ...keys: KeyArgs<T>): DeltaIteration<T, W> {
    checkMaxIterations(maxIterations, 'iterateDelta');
    this.env.checkSameEnvironment([workset], 'iterateDelta');
    if (keys.length === 0) throw planError('iterateDelta', 'the solution set needs a key');
    return new DeltaIteration<T, W>(this, workset, maxIterations, this.keys(keys, 'iterateDelta'));
  }

  // ---- sinks and actions ------------------------------------------------------------------------

  /** Prints the text form of each element on the client's stdout (stderr with `toError`); with an OutputFormat, writes through it. */
  output(options?: { toError?: boolean }): DataSink;
  output(format: OutputFormat<T>): DataSink;
  output(arg: { toError?: boolean } | OutputFormat<T> = {}): DataSink {
    if (typeof (arg as OutputFormat<T>).writeRecord === 'function') return this.env.addSink({ kind: 'FormatSink', fn: this.env.objects.add(arg) }, this.id);
    if (arg === null || typeof arg !== 'object') throw planError('output', `expected { toError? } or an OutputFormat (an object with writeRecord), got ${describeArgument(arg)}`);
    return this.env.addSink({ kind: 'PrintSink', toError: (arg as { toError?: boolean }).toError ?? false }, this.id);
  }

  /**
   * Each element as one line of JSON (JSON Lines): Dates as ISO text, a bigint as its digits in
   * a string, Sets and typed arrays as arrays, Maps with string keys as objects; an element with
   * no JSON form (a function, a Map with other keys, a cycle) fails the job naming the sink.
   */
  writeJson(path: string, writeMode: WriteMode = WriteMode.NO_OVERWRITE): DataSink {
    return this.env.addSink({ kind: 'TextSink', path: checkPath(path, 'writeJson'), writeMode: checkWriteMode(writeMode, 'writeJson'), format: 'json' }, this.id);
  }

  /**
   * Each element (an object) as a row of a Parquet file, its `schema`'s fields (name → Types.*)
   * as the columns, all nullable: one file at p=1, a directory of files 1…p at p > 1. LONG and
   * BIGINT write INT64, DATE and TIMESTAMP Parquet dates and timestamps (milliseconds, UTC),
   * DECIMAL its text. A field of another type fails the job naming the sink and the field.
   */
  writeParquet(path: string, schema: Readonly<Record<string, FieldType>>, writeMode: WriteMode = WriteMode.NO_OVERWRITE): DataSink {
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema) || Object.keys(schema).length === 0)
      throw planError('writeParquet', 'schema must be a non-empty object of field names to Types');
    for (const [field, t] of Object.entries(schema)) {
      if (!FIELD_TYPES.includes(t)) throw planError('writeParquet', `unknown field type ${String(t)} for field '${field}'`);
    }
    return this.env.addSink({ kind: 'ParquetSink', path: checkPath(path, 'writeParquet'), writeMode: checkWriteMode(writeMode, 'writeParquet'), schema: { ...schema } }, this.id);
  }

  writeText(path: string, writeMode: WriteMode = WriteMode.NO_OVERWRITE): DataSink {
    return this.env.addSink({ kind: 'TextSink', path: checkPath(path, 'writeText'), writeMode: checkWriteMode(writeMode, 'writeText') }, this.id);
  }

  writeCsv(path: string, options: WriteCsvOptions = {}): DataSink {
    // The quote writeCsv uses is readCsv's default; a dialect readCsv refuses is refused here too.
    const problem = csvDialectProblem(options.fieldDelimiter ?? ',', options.lineDelimiter ?? '\n', '"');
    if (problem !== null) throw planError('writeCsv', problem);
    return this.env.addSink(
      {
        kind: 'CsvSink',
        path: checkPath(path, 'writeCsv'),
        writeMode: checkWriteMode(options.writeMode ?? WriteMode.NO_OVERWRITE, 'writeCsv'),
        fieldDelimiter: options.fieldDelimiter ?? ',',
        lineDelimiter: options.lineDelimiter ?? '\n',
      },
      this.id,
    );
  }

  /** Runs the plan (with any pending sinks) and returns the elements of this data set. */
  collect(): Promise<T[]> {
    return this.env.collectDataSet(this.id) as Promise<T[]>;
  }

  /** Runs the plan (with any pending sinks) and returns the number of elements. */
  count(): Promise<number> {
    return this.env.countDataSet(this.id);
  }

  /**
   * Runs the plan now (with any pending sinks), as Flink's `print()` does, and prints the text
   * form of each element on stdout, one per line. `output()` is the lazy sink that prints when
   * the job runs.
   */
  async print(): Promise<void> {
    printLines(await this.collect(), (text) => process.stdout.write(text));
  }

  /** `print()` on stderr, as Flink's `printToErr()`. */
  async printToErr(): Promise<void> {
    printLines(await this.collect(), (text) => process.stderr.write(text));
  }
}

function printLines(values: readonly unknown[], write: (text: string) => void): void {
  if (values.length > 0) write(`${values.map((v) => (typeof v === 'string' ? v : toText(v))).join('\n')}\n`);
}

/** The result of `sortPartition`: `sortPartition` again adds a secondary key (a new operator sorting by both). */
export class SortPartitionOperator<T> extends DataSet<T> {
  override sortPartition(key: FieldKey<T> | KeySelectorArg<T>, order: Order): SortPartitionOperator<T> {
    const node = this.env.getNode(this.id);
    if (node.params.kind !== 'SortPartition') throw new PlanError('sortPartition: not a sort-partition operator');
    const sortKeys = [...node.params.sortKeys, { key: this.keys([key], 'sortPartition'), order: checkOrder(order, 'sortPartition') }];
    return this.refined({ params: { kind: 'SortPartition', sortKeys } });
  }
}

/** The result of `aggregate`: `andAgg` (and `andSum`/`andMin`/`andMax`) is a new operator with one aggregation more. */
export class AggregateOperator<T> extends DataSet<T> {
  /** @internal */
  static create<T>(input: DataSet<T>, keys: KeySpec | null, agg: AggregationKind, field: number): AggregateOperator<T> {
    checkAggregation(agg, field);
    const id = input.env.addNode({ kind: 'Aggregate', aggregations: [{ agg, field }], keys }, [input.id]);
    return new AggregateOperator<T>(input.env, id);
  }

  andAgg(agg: Aggregation, field: PositionOf<T>): AggregateOperator<T> {
    checkAggregation(agg, field as number);
    const node = this.env.getNode(this.id);
    if (node.params.kind !== 'Aggregate') throw new PlanError('andAgg: not an aggregation');
    const aggregations = [...node.params.aggregations, { agg, field: field as number }];
    return this.refined({ params: { ...node.params, aggregations } });
  }
  andSum(field: NumericPositionOf<T>): AggregateOperator<T> {
    return this.andAgg('SUM', field);
  }
  andMin(field: PositionOf<T>): AggregateOperator<T> {
    return this.andAgg('MIN', field);
  }
  andMax(field: PositionOf<T>): AggregateOperator<T> {
    return this.andAgg('MAX', field);
  }
  andAvg(field: NumericPositionOf<T>): AggregateOperator<T> {
    return this.andAgg('AVG', field);
  }
  /** The number of elements (of the group), in place of a numeric field. */
  andCount(field: NumericPositionOf<T>): AggregateOperator<T> {
    return this.andAgg('COUNT', field);
  }
}

function checkAggregation(agg: string, field: number): void {
  if (agg !== 'SUM' && agg !== 'MIN' && agg !== 'MAX' && agg !== 'COUNT' && agg !== 'AVG') {
    throw planError('aggregate', `unknown aggregation ${String(agg)}; use Aggregation.Sum, Min, Max, Count or Avg`);
  }
  if (!Number.isInteger(field) || field < 0) throw planError('aggregate', `field ${field} is not a tuple position`);
}

/** @internal */
export function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw planError(what, `n must be a positive integer, got ${n}`);
}

/** @internal */
export function checkOrder(order: string, what: string): Order {
  if (order !== 'ASCENDING' && order !== 'DESCENDING') throw planError(what, `unknown sort order ${String(order)}; use Order.ASCENDING or Order.DESCENDING`);
  return order;
}

function checkPath(path: string, what: string): string {
  if (typeof path !== 'string' || path === '') throw planError(what, `a sink needs a non-empty path, got ${describeArgument(path)}`);
  return path;
}

function checkWriteMode(mode: string, what: string): WriteModeName {
  if (mode !== 'NO_OVERWRITE' && mode !== 'OVERWRITE') throw planError(what, `unknown write mode ${String(mode)}; use WriteMode.NO_OVERWRITE or WriteMode.OVERWRITE`);
  return mode;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

function checkSeed(seed: number, what: string): number {
  if (!Number.isSafeInteger(seed)) throw planError(what, `seed must be an integer, got ${describeArgument(seed)}`);
  return seed;
}
