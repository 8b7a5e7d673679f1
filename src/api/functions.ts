/**
 * User functions: every transformation takes a plain function or an instance of one of these
 * rich base classes, which add `open(ctx)`, `close()` and `this.context`.
 */
import type { Accumulator } from './accumulators.ts';
import type { Aggregator } from './aggregators.ts';

/**
 * The element type of a function that emits through its collector and says nothing of what it
 * emits (`flatMap((v, out) => out.collect(v.a))`: TypeScript infers nothing from a call inside the
 * body). Emitting anything into it is a compile error that says what to do: annotate
 * `out: Collector<T>` (or give the type argument, or return an iterable).
 */
export interface AnnotateTheCollector {
  readonly 'annotate the collector: out: Collector<T>': unique symbol;
}

/** Where a function emits its results. */
export interface Collector<T> {
  collect(value: T): void;
}

/** What a running parallel instance of a function can see of its task. */
export interface RuntimeContext {
  /** The whole broadcast data set registered under `name` with `withBroadcastSet`. */
  getBroadcastVariable<X = unknown>(name: string): X[];
  getIndexOfThisSubtask(): number;
  /** The files of `env.registerCachedFile(path, name)`: `getFile(name)` gives the file's absolute path. */
  getDistributedCache(): { getFile(name: string): string };
  /** What `withParameters(obj)` gave the operator (an empty object when nothing). */
  getParameters(): Readonly<Record<string, unknown>>;
  getNumberOfParallelSubtasks(): number;
  /** The operator's name, as shown in plans and errors. */
  getTaskName(): string;
  addAccumulator<V>(name: string, accumulator: Accumulator<V>): void;
  getAccumulator<V>(name: string): Accumulator<V> | undefined;
  /** The current superstep (1, 2, …) of the iteration this function runs in; an error outside iterations. */
  getSuperstepNumber(): number;
  /** This superstep's aggregator registered on the iteration as `name` (this parallel instance's copy); an error for an unknown name. */
  getIterationAggregator<A extends Aggregator<unknown> = Aggregator<unknown>>(name: string): A;
  /** What all parallel instances aggregated as `name` in the previous superstep, merged; null in superstep 1 (as in Flink). */
  getPreviousIterationAggregate<V = unknown>(name: string): V | null;
}

/** Marks classes whose instances travel to workers wherever they are held (serde/closures/pack.ts). */
export const TRAVELS: unique symbol = Symbol.for('tsflink.travels') as typeof TRAVELS;

/** Base of every rich function: `open` is called once per parallel instance before its first record, `close` after its last. */
export abstract class RichFunction {
  /** Instances travel to workers wherever they are held (serde/closures). */
  static readonly [TRAVELS] = true;
  /** Set by the engine before `open(ctx)`. */
  context!: RuntimeContext;
  open(_context: RuntimeContext): void {}
  close(): void {}
}

export abstract class MapFunction<I, O> extends RichFunction {
  abstract map(value: I): O;
}

export abstract class FlatMapFunction<I, O> extends RichFunction {
  abstract flatMap(value: I, out: Collector<O>): Iterable<O> | void;
}

export abstract class MapPartitionFunction<I, O> extends RichFunction {
  abstract mapPartition(values: Iterable<I>, out: Collector<O>): Iterable<O> | void;
}

/**
 * The function of `mapAsync` (Flink's AsyncFunction with one result): `asyncMap` returns a
 * Promise of the element (or the element itself). Optional `timeout(value)`: called when the last
 * attempt for `value` ran out of `timeout`; what it returns is emitted instead of failing the task.
 */
export abstract class AsyncMapFunction<I, O> extends RichFunction {
  abstract asyncMap(value: I): Promise<O> | O;
  timeout?(value: I): Promise<O> | O;
}

/** The function of `flatMapAsync`: `asyncFlatMap` returns a Promise of an iterable of elements (or of nothing). */
export abstract class AsyncFlatMapFunction<I, O> extends RichFunction {
  abstract asyncFlatMap(value: I): Promise<Iterable<O> | void> | Iterable<O> | void;
  timeout?(value: I): Promise<Iterable<O> | void> | Iterable<O> | void;
}

export abstract class FilterFunction<T> extends RichFunction {
  abstract filter(value: T): boolean;
}

export abstract class ReduceFunction<T> extends RichFunction {
  abstract reduce(a: T, b: T): T;
}

export abstract class GroupReduceFunction<I, O> extends RichFunction {
  abstract reduce(values: Iterable<I>, out: Collector<O>): Iterable<O> | void;
  /** Optional pre-aggregation before the shuffle; must emit elements of the input type. */
  combine?(values: Iterable<I>, out: Collector<I>): Iterable<I> | void;
}

export abstract class JoinFunction<L, R, O> extends RichFunction {
  abstract join(left: L, right: R): O;
}

export abstract class CoGroupFunction<L, R, O> extends RichFunction {
  abstract coGroup(left: Iterable<L>, right: Iterable<R>, out: Collector<O>): Iterable<O> | void;
}

export abstract class CrossFunction<L, R, O> extends RichFunction {
  abstract cross(left: L, right: R): O;
}

export abstract class KeySelector<T, K> {
  static readonly [TRAVELS] = true;
  abstract getKey(value: T): K;
}

/**
 * A non-empty tuple: the constraint of a first overload (map, using, fromElements) that gives an
 * array literal a tuple context, so `[b, a]` infers `[B, A]` rather than `(A | B)[]`. A value that
 * is not a tuple fails it and takes the plain overload.
 */
export type Tuple = [unknown, ...unknown[]];

/**
 * A source of your own (Flink's InputFormat), for `env.createInput(format)`: every parallel
 * instance calls `createInputSplits(parallelism)`, which must give the same list each time, and
 * reads the splits at its index, its index + parallelism, … with `readSplit(split, out)`. The
 * object travels to the workers like a function's captures.
 */
export interface InputFormat<T, S = unknown> {
  createInputSplits(minNumSplits: number): readonly S[];
  readSplit(split: S, out: Collector<T>): void;
}

/**
 * A sink of your own (Flink's OutputFormat), for `dataSet.output(format)`: each parallel instance
 * is opened with its index and the parallelism, given every record, and closed. It writes where
 * and when it likes: tsflink does not stage or commit it, so a failed job may leave what it wrote.
 * Keep its state in its own fields (a class instance): each parallel instance gets its own copy.
 */
export interface OutputFormat<T> {
  open?(taskNumber: number, numTasks: number): void;
  writeRecord(record: T): void;
  close?(): void;
}

export type MapFn<I, O> = ((value: I) => O) | MapFunction<I, O>;
export type FlatMapFn<I, O> = ((value: I, out: Collector<O>) => Iterable<O> | void) | FlatMapFunction<I, O>;
export type MapPartitionFn<I, O> = ((values: Iterable<I>, out: Collector<O>) => Iterable<O> | void) | MapPartitionFunction<I, O>;
export type FilterFn<T> = ((value: T) => boolean) | FilterFunction<T>;
export type AsyncMapFn<I, O> = ((value: I) => Promise<O> | O) | AsyncMapFunction<I, O>;
export type AsyncFlatMapFn<I, O> = ((value: I) => Promise<Iterable<O> | void> | Iterable<O> | void) | AsyncFlatMapFunction<I, O>;
export type ReduceFn<T> = ((a: T, b: T) => T) | ReduceFunction<T>;
export type GroupReduceFn<I, O> = ((values: Iterable<I>, out: Collector<O>) => Iterable<O> | void) | GroupReduceFunction<I, O>;
export type JoinFn<L, R, O> = ((left: L, right: R) => O) | JoinFunction<L, R, O>;
export type CoGroupFn<L, R, O> = ((left: Iterable<L>, right: Iterable<R>, out: Collector<O>) => Iterable<O> | void) | CoGroupFunction<L, R, O>;
export type CrossFn<L, R, O> = ((left: L, right: R) => O) | CrossFunction<L, R, O>;

/** @internal a rich group-reduce function with its own `combine` is combinable. */
export function hasCombine(f: unknown): boolean {
  return typeof f === 'object' && f !== null && typeof (f as { combine?: unknown }).combine === 'function';
}
