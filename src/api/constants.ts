/** Constants of the public API: field types for `readCsv`, write modes, sort orders, aggregations. */
import type { AggregationKind, FieldType, SortOrder, WriteModeName } from '../plan/nodes.ts';

/** Field types of `readCsv` (`Types.INT`, ...). INT and LONG both read into JS numbers. */
export const Types = Object.freeze({
  INT: 'INT',
  LONG: 'LONG',
  FLOAT: 'FLOAT',
  DOUBLE: 'DOUBLE',
  STRING: 'STRING',
  BOOL: 'BOOL',
} as const satisfies Record<FieldType, FieldType>);

/** The JS type a CSV field type reads into. */
export type FieldValue<F extends FieldType> = F extends 'STRING' ? string : F extends 'BOOL' ? boolean : number;

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

export const Aggregation = Object.freeze({
  Sum: 'SUM',
  Min: 'MIN',
  Max: 'MAX',
} as const satisfies Record<string, AggregationKind>);
export type Aggregation = AggregationKind;
