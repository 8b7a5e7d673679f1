/**
 * The physical plan: what the optimizer chose and what a runtime (embedded engine or Flink
 * runner) executes. Plain frozen data; `getExecutionPlan()` is its JSON form (`plan-json.ts`).
 */
import type { AggregatorRef, KeySpec, PlanNode } from '../plan/nodes.ts';

/** How records travel from a producer task to a consumer task. */
export type ShipStrategy =
  | 'FORWARD' // subtask i → subtask i (same parallelism)
  | 'HASH' // by key hash
  | 'BROADCAST' // every record to every consumer subtask
  | 'REBALANCE' // round-robin
  | 'CUSTOM'; // where the user's partitioner says, by key (partitionCustom)

/** The local algorithm an operator runs with. */
export type LocalStrategy =
  | 'SOURCE'
  | 'SINK'
  | 'MAP' // one record in, pushed on (map, filter, flatMap, project, union, partition)
  | 'ASYNC' // a declared-async map/flatMap: the task's driver, awaiting its function with bounded concurrency
  | 'MAP_PARTITION'
  | 'SORT_PARTITION'
  | 'HASH_GROUP' // group by hashing the key, groups kept in arrival order
  | 'SORTED_GROUP' // hash group, then each group sorted (sortGroup)
  | 'ALL_GROUP' // the whole input as one group
  | 'COMBINE' // pre-aggregation in the producer, before the shuffle
  | 'KEY_EXTRACT' // record → [key, record]: a key-selector reduction's key, computed once before its combiner (Flink's KeyExtractingMapper)
  | 'KEY_REMOVE' // [key, value] → value: after a key-selector reduce (Flink's KeyRemovingMapper)
  | 'HASH_JOIN_BUILD_FIRST'
  | 'HASH_JOIN_BUILD_SECOND'
  | 'HASH_OUTER_JOIN'
  | 'HASH_COGROUP'
  | 'NESTED_LOOP_BROADCAST_FIRST'
  | 'NESTED_LOOP_BROADCAST_SECOND'
  | 'COUNT_PER_PARTITION'
  | 'ZIP_WITH_INDEX'
  | 'ZIP_WITH_UNIQUE_ID' // [id, record], ids unique across subtasks without a count first (Flink's zipWithUniqueId)
  | 'FEEDBACK' // passes a step's result on to be fed back (when the step closes with its own input)
  | 'SOLUTION_SET_UPDATE' // a delta iteration's solution set (input 0) with the delta (input 1) applied by key
  | 'TERMINATION_CRITERION'; // never runs: the iteration checks whether the exchange into it is empty
// (A runner that runs a task's first operator itself runs it with a strategy of its own: runtime/strategies.ts RunnerStrategy.)

/** One operator inside a task: the logical node and how it runs. */
export interface PhysicalOperator {
  readonly node: PlanNode;
  readonly strategy: LocalStrategy;
  /** For COMBINE: the keys it groups on (null: all records). */
  readonly combineKeys?: KeySpec | null;
  /**
   * A key-selector reduction carries its key with the records through combiner and shuffle, as
   * Flink does (its PlanUnwrappingReduceOperator): a KEY_EXTRACT makes `[key, record]` pairs, and
   * its COMBINE and reducer (HASH_GROUP, SORTED_GROUP; on Flink the PREGROUPED head) run `onPairs`: grouped on field
   * 0, the user's function (and sortGroup) applied to the records, and a combiner's results paired
   * with their group's key again. So a combined value keeps its group's key. A reduce's final
   * pairs then go through a KEY_REMOVE; a group reduce's function emits plain records.
   */
  readonly onPairs?: true;
}

/** An operator's name in task names and plans: its node's, or what it does for its node (`Combine (Count)`). */
export function operatorName(op: PhysicalOperator): string {
  switch (op.strategy) {
    case 'COMBINE':
      return `Combine (${op.node.name})`;
    case 'KEY_EXTRACT':
      return `Key Extractor (${op.node.name})`;
    case 'KEY_REMOVE':
      return `Key Remover (${op.node.name})`;
    default:
      return op.node.name;
  }
}

export interface TaskInput {
  readonly fromTask: number;
  readonly ship: ShipStrategy;
  /** For HASH and CUSTOM: the key the records are partitioned on. */
  readonly keys?: KeySpec;
  /** For CUSTOM: the user-object id of the partitioner, `(key, numPartitions) => index` or a `Partitioner`. */
  readonly fn?: string;
}

export interface TaskBroadcastInput {
  readonly name: string;
  readonly fromTask: number;
}

/**
 * A task: a driver (operators[0]) and the operators chained behind it, run as one loop by
 * every one of its `parallelism` subtasks. Its output goes to every task that names it as input.
 */
export interface Task {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly operators: readonly PhysicalOperator[];
  readonly inputs: readonly TaskInput[];
  readonly broadcastInputs: readonly TaskBroadcastInput[];
  /** The runs of operators the engine runs as one generated function (compiled-pipelines.ts); absent: none. */
  readonly compiled?: readonly CompiledRun[];
}

/** Operators `first` to `last` (indexes into the task's operators, both included), compiled together. */
export interface CompiledRun {
  readonly first: number;
  readonly last: number;
}

/**
 * An iteration: its step's tasks run once per superstep. A head (bulk: the partial solution;
 * delta: the solution set, then the workset) reads the initial data on input 0 in the first
 * superstep and, on input 1, what the previous superstep fed back. After the last superstep the
 * result task reads the iteration's result.
 */
export interface IterationSpec {
  readonly kind: 'BULK' | 'DELTA';
  readonly name: string;
  readonly maxIterations: number;
  /** The step's tasks in the order they run; the heads are among them. */
  readonly tasks: readonly number[];
  readonly heads: readonly number[];
  readonly result: number;
  /**
   * Bulk iterations with a termination criterion: a TERMINATION_CRITERION task, never run,
   * whose input 0 is the criterion; the iteration stops after a superstep that left it empty.
   * A delta iteration stops after a superstep whose new workset (input 1 of heads[1]) is empty.
   */
  readonly terminationTask: number | null;
  /** `registerAggregator`: merged after every superstep (runtime/iteration-aggregates.ts). */
  readonly aggregators: readonly AggregatorRef[];
  /** The convergence criterion over one of them: the iteration also stops after a superstep it judges converged. */
  readonly convergence: AggregatorRef | null;
}

export interface PhysicalPlan {
  readonly jobName: string;
  readonly defaultParallelism: number;
  /**
   * In topological order (every task comes after the tasks it reads, but for an iteration
   * head's input 1, fed back by its own step); an iteration's step tasks are contiguous.
   */
  readonly tasks: readonly Task[];
  readonly iterations: readonly IterationSpec[];
  /** `registerCachedFile`: name → absolute path (from the logical plan). */
  readonly cachedFiles?: Readonly<Record<string, string>>;
}
