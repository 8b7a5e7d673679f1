/**
 * The logical plan: one frozen, JSON-serialisable node per operator the program asked for.
 * User code (functions, collection data) never sits in a node; a node names it by a
 * user-object id (`u<n>`) that the environment's `UserObjects` table resolves.
 */

/** A key: field positions and/or names (dotted paths), a key-selector function, or the whole element. */
export type KeySpec = { readonly kind: 'fields'; readonly fields: readonly (number | string)[] } | { readonly kind: 'selector'; readonly fn: string } | { readonly kind: 'whole' };

export type SortOrder = 'ASCENDING' | 'DESCENDING';
export interface SortKey {
  readonly key: KeySpec;
  readonly order: SortOrder;
}

export type FieldType = 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BOOL' | 'BIGINT' | 'DECIMAL' | 'DATE' | 'TIMESTAMP';

export const FIELD_TYPES: readonly FieldType[] = ['INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BOOL', 'BIGINT', 'DECIMAL', 'DATE', 'TIMESTAMP'];
export type WriteModeName = 'NO_OVERWRITE' | 'OVERWRITE';
/** COUNT replaces the field with the group's size, AVG with the mean of its numbers. */
export type AggregationKind = 'SUM' | 'MIN' | 'MAX' | 'COUNT' | 'AVG';
export type JoinType = 'INNER' | 'LEFT_OUTER' | 'RIGHT_OUTER' | 'FULL_OUTER';
export type SizeHint = 'NONE' | 'TINY' | 'HUGE';
/** A join's size hint, or (JoinHint) both sides repartitioned with the given build side. */
export type JoinSizeHint = SizeHint | 'REPARTITION_BUILD_FIRST' | 'REPARTITION_BUILD_SECOND';

/** readJson's options: the fields to check and convert (others are kept as parsed), and whether bad lines are skipped and counted. */
export interface JsonSourceOptions {
  readonly schema?: Readonly<Record<string, FieldType>>;
  readonly ignoreInvalidLines?: boolean;
}

export interface CsvSourceOptions {
  readonly fieldDelimiter: string;
  readonly lineDelimiter: string;
  readonly quoteCharacter: string | null;
  readonly ignoreFirstLine: boolean;
  readonly ignoreComments: string | null;
  readonly includedFields: readonly boolean[] | null;
  readonly ignoreInvalidLines: boolean;
  /** Rows as objects with these keys, one per type, in order (Flink's pojoType); absent: tuples. */
  readonly pojoFields?: readonly string[];
}

/** Which side and field a join/cross projection takes, in call order. */
export interface ProjectionField {
  readonly side: 0 | 1;
  readonly field: number | null; // null: the whole element of that side
}

/**
 * How a declared-async operator (mapAsync, flatMapAsync) calls its function (docs/async-operators.md):
 * at most `capacity` invocations per subtask in flight (ordered: not yet emitted), results in
 * input order or as they complete, each attempt given `timeoutMs`, a failed one retried as `retry` says.
 */
export interface AsyncSpec {
  readonly capacity: number;
  readonly ordered: boolean;
  readonly timeoutMs: number | null;
  readonly retry: AsyncRetrySpec | null;
}

/** Retries of one element: after the n-th failed attempt (n = 1…maxRetries) wait delayMs × multiplier^(n-1), at most maxDelayMs (null: no cap). */
export interface AsyncRetrySpec {
  readonly maxRetries: number;
  readonly delayMs: number;
  readonly multiplier: number;
  readonly maxDelayMs: number | null;
  /** `retryIf`: the user-object id of `(error) => boolean`; only errors it accepts are retried (null: all). Named `fn` so that it ships. */
  readonly fn: string | null;
}

export interface AggregationSpec {
  readonly agg: AggregationKind;
  readonly field: number;
}

/** Parameters by operator kind. */
export type NodeParams =
  | { readonly kind: 'CollectionSource'; readonly data: string; readonly count: number }
  | { readonly kind: 'SequenceSource'; readonly from: number; readonly to: number }
  /** readText, or readJson (`json`: lines of JSON, checked against a schema if given). */
  | { readonly kind: 'TextSource'; readonly path: string; readonly json?: JsonSourceOptions }
  /** readParquet: rows as objects of the columns given (all when null), row groups shared among the instances. */
  | { readonly kind: 'ParquetSource'; readonly path: string; readonly columns: readonly string[] | null }
  // createInput: a user's InputFormat (its id), asked for splits by every instance
  | { readonly kind: 'FormatSource'; readonly fn: string }
  | { readonly kind: 'CsvSource'; readonly path: string; readonly types: readonly FieldType[]; readonly options: CsvSourceOptions }
  | { readonly kind: 'Map'; readonly fn: string }
  | { readonly kind: 'FlatMap'; readonly fn: string }
  | { readonly kind: 'Filter'; readonly fn: string }
  | { readonly kind: 'MapAsync'; readonly fn: string; readonly async: AsyncSpec }
  | { readonly kind: 'FlatMapAsync'; readonly fn: string; readonly async: AsyncSpec }
  | { readonly kind: 'MapPartition'; readonly fn: string }
  | { readonly kind: 'Project'; readonly fields: readonly number[] }
  | { readonly kind: 'Reduce'; readonly fn: string; readonly keys: KeySpec | null }
  | {
      readonly kind: 'GroupReduce';
      readonly fn: string;
      readonly keys: KeySpec | null;
      readonly sortKeys: readonly SortKey[];
      readonly combinable: boolean;
    }
  // combineGroup: the function on the groups of each partition, no shuffle (Flink's GroupCombineFunction)
  | { readonly kind: 'GroupCombine'; readonly fn: string; readonly keys: KeySpec | null; readonly sortKeys: readonly SortKey[] }
  | { readonly kind: 'Aggregate'; readonly aggregations: readonly AggregationSpec[]; readonly keys: KeySpec | null }
  | { readonly kind: 'Distinct'; readonly keys: KeySpec }
  | { readonly kind: 'First'; readonly n: number; readonly keys: KeySpec | null; readonly sortKeys: readonly SortKey[] }
  | {
      readonly kind: 'Join';
      readonly joinType: JoinType;
      readonly leftKeys: KeySpec;
      readonly rightKeys: KeySpec;
      readonly fn: string | null;
      readonly projection: readonly ProjectionField[] | null;
      readonly hint: JoinSizeHint;
    }
  | { readonly kind: 'CoGroup'; readonly leftKeys: KeySpec; readonly rightKeys: KeySpec; readonly fn: string }
  | { readonly kind: 'Cross'; readonly fn: string | null; readonly projection: readonly ProjectionField[] | null; readonly hint: SizeHint }
  | { readonly kind: 'Union' }
  | { readonly kind: 'PartitionByHash'; readonly keys: KeySpec }
  | { readonly kind: 'PartitionCustom'; readonly keys: KeySpec; readonly fn: string }
  | { readonly kind: 'Rebalance' }
  | { readonly kind: 'SortPartition'; readonly sortKeys: readonly SortKey[] }
  | { readonly kind: 'ZipWithIndex' }
  | { readonly kind: 'ZipWithUniqueId' }
  | { readonly kind: 'CountElementsPerPartition' }
  // Iterations. A step's inputs are placeholders fed by the iteration (the initial data set is
  // their input); the iteration's end node reads what the step closes with.
  | { readonly kind: 'PartialSolution' }
  | {
      readonly kind: 'BulkIteration';
      readonly partialSolution: number;
      readonly maxIterations: number;
      readonly hasTermination: boolean;
      readonly aggregators: readonly AggregatorRef[];
      readonly convergence: AggregatorRef | null;
    }
  | { readonly kind: 'Workset' }
  | { readonly kind: 'SolutionSet'; readonly keys: KeySpec }
  | {
      readonly kind: 'DeltaIteration';
      readonly solutionSet: number;
      readonly workset: number;
      readonly maxIterations: number;
      readonly keys: KeySpec;
      readonly aggregators: readonly AggregatorRef[];
      readonly convergence: AggregatorRef | null;
    }
  /** writeText, or writeJson (`format: 'json'`: each element as a line of JSON). */
  | { readonly kind: 'TextSink'; readonly path: string; readonly writeMode: WriteModeName; readonly format?: 'json' }
  /** writeParquet: each element an object, its schema's fields written as columns (one file per instance). */
  | { readonly kind: 'ParquetSink'; readonly path: string; readonly writeMode: WriteModeName; readonly schema: Readonly<Record<string, FieldType>> }
  | {
      readonly kind: 'CsvSink';
      readonly path: string;
      readonly writeMode: WriteModeName;
      readonly fieldDelimiter: string;
      readonly lineDelimiter: string;
    }
  | { readonly kind: 'PrintSink'; readonly toError: boolean }
  // output(format): a user's OutputFormat (its id), opened by every instance
  | { readonly kind: 'FormatSink'; readonly fn: string }
  | { readonly kind: 'CollectSink'; readonly resultId: string; readonly countOnly: boolean };

export type NodeKind = NodeParams['kind'];

/**
 * An iteration's aggregator (`fn`: the registered instance's user-object id) or its
 * convergence criterion (`fn`: the criterion's id; `name`: the aggregator it judges).
 */
export interface AggregatorRef {
  readonly name: string;
  readonly fn: string;
}

export interface BroadcastInput {
  readonly name: string;
  readonly input: number;
}

/** One operator of the logical plan. */
export interface PlanNode {
  readonly id: number;
  /** The name the user gave with `name()`, or the kind and the script position that created it. */
  readonly name: string;
  readonly inputs: readonly number[];
  readonly broadcastInputs: readonly BroadcastInput[];
  /** `setParallelism(n)`; null takes the environment's parallelism when the job runs. */
  readonly parallelism: number | null;
  /** `runInClient()`: its subtasks run in the client process, with the functions as they are there (never shipped). */
  readonly runInClient?: boolean;
  /** `withParameters(obj)`: the user-object id of what `getParameters()` gives the operator's functions. */
  readonly parameters?: string;
  readonly params: NodeParams;
}

/** The nodes an iteration feeds each superstep. */
export const ITERATION_INPUT_KINDS: ReadonlySet<NodeKind> = new Set(['PartialSolution', 'Workset', 'SolutionSet']);

/** The sinks that write files at a path (staged and committed by the job). */
export function isFileSink(p: NodeParams): p is Extract<NodeParams, { kind: 'TextSink' | 'CsvSink' | 'ParquetSink' }> {
  return p.kind === 'TextSink' || p.kind === 'CsvSink' || p.kind === 'ParquetSink';
}

/** Freezes a node deeply enough that nothing of it can change after creation. */
export function createNode(node: PlanNode): PlanNode {
  return deepFreeze(node);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A job: the nodes reachable from its sinks, in creation (= topological) order. */
export interface LogicalPlan {
  readonly jobName: string;
  readonly nodes: readonly PlanNode[];
  readonly sinks: readonly number[];
  readonly defaultParallelism: number;
  /** `registerCachedFile`: name → absolute path, what `getDistributedCache().getFile(name)` gives. */
  readonly cachedFiles?: Readonly<Record<string, string>>;
}
