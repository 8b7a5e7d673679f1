/**
 * The API's classes refer to each other (DataSet methods return joins, joins extend DataSet).
 * Every API module imports those classes from here, so that `DataSet` is always defined
 * before the classes that extend it, whichever module is loaded first.
 */
export * from './data-set.ts';
export * from './data-sink.ts';
export * from './grouping.ts';
export * from './join.ts';
export * from './co-group.ts';
export * from './cross.ts';
export * from './iteration.ts';
