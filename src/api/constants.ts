/** Constants of the public API: field types for `readCsv`, write modes, sort orders, aggregations. */
import type { AggregationKind, FieldType, SortOrder, WriteModeName } from '../plan/nodes.ts';

/**
 * Field types of `readCsv` (`Types.INT`, ...). INT and LONG read into JS numbers (LONG up to
 * ±(2^53−1)); BIGINT into a `bigint` (Java's long range, as Flink's BIGINT); DECIMAL into a string
 * holding the number exactly as written (JS has no decimal type; Flink's BigDecimal); DATE
 * (`2026-12-04`) and TIMESTAMP (`2026-12-04 13:05:09.250`, or ISO 8601 with `T` and `Z`, or a
 * date alone) into a `Date`, read as UTC. writeCsv writes a Date so that both read it back.
 */
export const Types = Object.freeze({
  INT: 'INT',
  LONG: 'LONG',
  FLOAT: 'FLOAT',
  DOUBLE: 'DOUBLE',
  STRING: 'STRING',
  BOOL: 'BOOL',
  BIGINT: 'BIGINT',
  DECIMAL: 'DECIMAL',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
} as const satisfies Record<FieldType, FieldType>);

/** The JS type a CSV field type reads into. */
export type FieldValue<F extends FieldType> = F extends 'STRING' | 'DECIMAL' ? string : F extends 'BOOL' ? boolean : F extends 'BIGINT' ? bigint : F extends 'DATE' | 'TIMESTAMP' ? Date : number;

/**
 * How a join runs (Flink's JoinHint), the second argument of `join`: broadcast one side and
 * build a hash table of it, or repartition both by key and build of one; the optimizer chooses
 * when none is given. tsflink joins by hashing: REPARTITION_SORT_MERGE repartitions both sides
 * and builds of the second, on both targets.
 */
export const JoinHint = Object.freeze({
  OPTIMIZER_CHOOSES: 'OPTIMIZER_CHOOSES',
  BROADCAST_HASH_FIRST: 'BROADCAST_HASH_FIRST',
  BROADCAST_HASH_SECOND: 'BROADCAST_HASH_SECOND',
  REPARTITION_HASH_FIRST: 'REPARTITION_HASH_FIRST',
  REPARTITION_HASH_SECOND: 'REPARTITION_HASH_SECOND',
  REPARTITION_SORT_MERGE: 'REPARTITION_SORT_MERGE',
} as const);
export type JoinHint = (typeof JoinHint)[keyof typeof JoinHint];

export const WriteMode = Object.freeze({
  NO_OVERWRITE: 'NO_OVERWRITE',
  OVERWRITE: 'OVERWRITE',
} as const satisfies Record<WriteModeName, WriteModeName>);
export type WriteMode = WriteModeName;

export const Order = Object.freeze({
  ASCENDING: 'ASCENDING',
  DESCENDING: 'DESCENDING',
} as const satisfies Record<SortOrder, SortOrder>);
export type Order = SortOrder;

/**
 * `Aggregation.Sum` … `Avg` are the names the old Python API used; `SUM` … `AVG`, cased as
 * `Order.ASCENDING` and Flink's `Aggregations.SUM`, are the same values.
 */
export const Aggregation = Object.freeze({
  SUM: 'SUM',
  MIN: 'MIN',
  MAX: 'MAX',
  COUNT: 'COUNT',
  AVG: 'AVG',
  Sum: 'SUM',
  Min: 'MIN',
  Max: 'MAX',
  /** The group's number of elements, in place of the field. */
  Count: 'COUNT',
  /** The mean of the field's numbers. */
  Avg: 'AVG',
} as const satisfies Record<string, AggregationKind>);
export type Aggregation = AggregationKind;
