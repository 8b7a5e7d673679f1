/**
 * tsflink: Apache Flink's DataSet API for TypeScript. The public API, gathered in one place.
 */
export { getEnvironment, ExecutionEnvironment } from './api/environment.ts';
export type { ExecuteOptions, JobExecutionResult, JsonObject, ReadCsvOptions, ReadJsonOptions, CsvTuple } from './api/environment.ts';
export type { EdgeInfo, FailureInfo, JobFigures, JobState, OperatorInfo, SubtaskFigures, SubtaskState, TaskFigures } from './metrics/job-figures.ts';
export { DataSet, AggregateOperator, SortPartitionOperator } from './api/data-set.ts';
export type { WriteCsvOptions, NumericPositionOf, PositionOf } from './api/data-set.ts';
export { DataSink } from './api/data-sink.ts';
export { Grouping, UnsortedGrouping, SortedGrouping } from './api/grouping.ts';
export { JoinOperator, JoinWhere, OuterJoinWhere, OuterJoinOperator } from './api/join.ts';
export { CoGroupWhere } from './api/co-group.ts';
export { CrossOperator } from './api/cross.ts';
export { IterativeDataSet, DeltaIteration } from './api/iteration.ts';
export { Types, WriteMode, Order, Aggregation, JoinHint } from './api/constants.ts';
export type { FieldValue } from './api/constants.ts';
export {
  RichFunction,
  MapFunction,
  FlatMapFunction,
  AsyncMapFunction,
  AsyncFlatMapFunction,
  MapPartitionFunction,
  FilterFunction,
  ReduceFunction,
  GroupReduceFunction,
  JoinFunction,
  CoGroupFunction,
  CrossFunction,
  KeySelector,
} from './api/functions.ts';
export type { AnnotateTheCollector, Collector, InputFormat, OutputFormat, RuntimeContext } from './api/functions.ts';
export type { AsyncOptions, AsyncRetryOptions } from './api/async-options.ts';
export { IntCounter, LongCounter, DoubleCounter } from './api/accumulators.ts';
export type { Accumulator } from './api/accumulators.ts';
export { LongSumAggregator, DoubleSumAggregator, LongZeroConvergence, DoubleZeroConvergence } from './api/aggregators.ts';
export type { Aggregator, ConvergenceCriterion } from './api/aggregators.ts';
export { AggregatorRegistry } from './api/aggregator-registry.ts';
export type { FieldKey, KeyArgs, TupleIndices } from './api/keys.ts';
export type { CustomSerializer, CustomDeserializer } from './serde/type-registry.ts';
export { UnregisteredTypeError, UnsupportedValueError, CorruptBatchError } from './serde/serde-error.ts';
export {
  TsflinkError,
  PlanError,
  InputPathError,
  OutputExistsError,
  InputFormatError,
  UserFunctionError,
  TaskError,
  AsyncTimeoutError,
  WorkerCrashError,
  JobExecutionError,
} from './errors/index.ts';
