/**
 * The standard data sets of Flink's DataSet integration tests (`CollectionDataSets.java` in
 * flink-tests), as TypeScript tuples and plain objects. INT and LONG are both JS numbers.
 */
import type { DataSet, ExecutionEnvironment, RuntimeContext } from '../../src/index.ts';

export type Tuple3 = [number, number, string];
export type Tuple5 = [number, number, number, string, number];

/** Flink's `CustomType` (a POJO with an int, a long and a string). */
export interface CustomType {
  myInt: number;
  myLong: number;
  myString: string;
}

/** Flink's `POJO`: nested tuple with a custom type inside, and a nested object. */
export interface Pojo {
  number: number;
  str: string;
  nestedTupleWithCustom: [number, CustomType];
  nestedPojo: { longNumber: number };
}

export const TUPLE3: readonly Tuple3[] = [
  [1, 1, 'Hi'],
  [2, 2, 'Hello'],
  [3, 2, 'Hello world'],
  [4, 3, 'Hello world, how are you?'],
  [5, 3, 'I am fine.'],
  [6, 3, 'Luke Skywalker'],
  [7, 4, 'Comment#1'],
  [8, 4, 'Comment#2'],
  [9, 4, 'Comment#3'],
  [10, 4, 'Comment#4'],
  [11, 5, 'Comment#5'],
  [12, 5, 'Comment#6'],
  [13, 5, 'Comment#7'],
  [14, 5, 'Comment#8'],
  [15, 5, 'Comment#9'],
  [16, 6, 'Comment#10'],
  [17, 6, 'Comment#11'],
  [18, 6, 'Comment#12'],
  [19, 6, 'Comment#13'],
  [20, 6, 'Comment#14'],
  [21, 6, 'Comment#15'],
];

export const SMALL_TUPLE3: readonly Tuple3[] = TUPLE3.slice(0, 3);

export const TUPLE5: readonly Tuple5[] = [
  [1, 1, 0, 'Hallo', 1],
  [2, 2, 1, 'Hallo Welt', 2],
  [2, 3, 2, 'Hallo Welt wie', 1],
  [3, 4, 3, 'Hallo Welt wie gehts?', 2],
  [3, 5, 4, 'ABC', 2],
  [3, 6, 5, 'BCD', 3],
  [4, 7, 6, 'CDE', 2],
  [4, 8, 7, 'DEF', 1],
  [4, 9, 8, 'EFG', 1],
  [4, 10, 9, 'FGH', 2],
  [5, 11, 10, 'GHI', 1],
  [5, 12, 11, 'HIJ', 3],
  [5, 13, 12, 'IJK', 3],
  [5, 14, 13, 'JKL', 2],
  [5, 15, 14, 'KLM', 2],
];

export const SMALL_TUPLE5: readonly Tuple5[] = TUPLE5.slice(0, 3);

export const STRINGS: readonly string[] = ['Hi', 'Hello', 'Hello world', 'Hello world, how are you?', 'I am fine.', 'Luke Skywalker', 'Random comment', 'LOL'];

/** 1, 2×2, 3×3, 4×4, 5×5: sums to 55, the broadcast value of Flink's `*WithBroadcastSet` tests. */
export const INTEGERS: readonly number[] = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5];

/** The sum of a broadcast set of numbers (55 for `INTEGERS`), as Flink's `*WithBroadcastSet` functions compute it in open(). */
export function broadcastSum(ctx: RuntimeContext, name = 'ints'): number {
  return ctx.getBroadcastVariable<number>(name).reduce((a, b) => a + b, 0);
}

/** `[field 1, sum of field 0]` per distinct field 1 of `TUPLE3`: Flink's grouped-sum expectation. */
export const TUPLE3_SUM_BY_KEY: readonly [number, number][] = [
  [1, 1],
  [2, 5],
  [3, 15],
  [4, 34],
  [5, 65],
  [6, 111],
];

export const CUSTOM_TYPES: readonly CustomType[] = TUPLE3.map(([i, l, s]) => ({
  myInt: l,
  myLong: i - 1,
  myString: s,
}));

export const SMALL_CUSTOM_TYPES: readonly CustomType[] = CUSTOM_TYPES.slice(0, 3);

function pojo(number: number, str: string, f0: number, myInt: number, myLong: number, myString: string, longNumber: number): Pojo {
  return { number, str, nestedTupleWithCustom: [f0, { myInt, myLong, myString }], nestedPojo: { longNumber } };
}

export const SMALL_POJOS: readonly Pojo[] = [pojo(1, 'First', 10, 100, 1000, 'One', 10000), pojo(2, 'Second', 20, 200, 2000, 'Two', 20000), pojo(3, 'Third', 30, 300, 3000, 'Three', 30000)];

export const DUPLICATE_POJOS: readonly Pojo[] = [
  ...Array.from({ length: 5 }, () => pojo(1, 'First', 10, 100, 1000, 'One', 10000)),
  pojo(2, 'Second', 20, 200, 2000, 'Two', 20000),
  pojo(3, 'Third', 30, 300, 3000, 'Three', 30000),
  pojo(3, 'Third', 30, 300, 3000, 'Three', 30000),
];

export type Tuple7 = [number, string, number, number, number, string, number];

/** The tuples matching `SMALL_POJOS` field by field. */
export const SMALL_TUPLE7: readonly Tuple7[] = [
  [1, 'First', 10, 100, 1000, 'One', 10000],
  [2, 'Second', 20, 200, 2000, 'Two', 20000],
  [3, 'Third', 30, 300, 3000, 'Three', 30000],
];

export type NestedTuple = [[number, number], string];

export const SMALL_NESTED_TUPLES: readonly NestedTuple[] = [
  [[1, 1], 'one'],
  [[2, 2], 'two'],
  [[3, 3], 'three'],
];

export const GROUP_SORTED_NESTED_TUPLES: readonly NestedTuple[] = [
  [[1, 3], 'a'],
  [[1, 2], 'a'],
  [[2, 1], 'a'],
  [[2, 2], 'b'],
  [[3, 3], 'c'],
  [[3, 6], 'c'],
  [[4, 9], 'c'],
];

/** Fresh copies, so no test can change another's data. */
function copies<T>(data: readonly T[]): T[] {
  return structuredClone([...data]);
}

export const get3TupleDataSet = (env: ExecutionEnvironment): DataSet<Tuple3> => env.fromCollection(copies(TUPLE3));
export const getSmall3TupleDataSet = (env: ExecutionEnvironment): DataSet<Tuple3> => env.fromCollection(copies(SMALL_TUPLE3));
export const get5TupleDataSet = (env: ExecutionEnvironment): DataSet<Tuple5> => env.fromCollection(copies(TUPLE5));
export const getSmall5TupleDataSet = (env: ExecutionEnvironment): DataSet<Tuple5> => env.fromCollection(copies(SMALL_TUPLE5));
export const getStringDataSet = (env: ExecutionEnvironment): DataSet<string> => env.fromCollection(copies(STRINGS));
export const getIntegerDataSet = (env: ExecutionEnvironment): DataSet<number> => env.fromCollection(copies(INTEGERS));
export const getCustomTypeDataSet = (env: ExecutionEnvironment): DataSet<CustomType> => env.fromCollection(copies(CUSTOM_TYPES));
export const getSmallCustomTypeDataSet = (env: ExecutionEnvironment): DataSet<CustomType> => env.fromCollection(copies(SMALL_CUSTOM_TYPES));
export const getSmallPojoDataSet = (env: ExecutionEnvironment): DataSet<Pojo> => env.fromCollection(copies(SMALL_POJOS));
export const getDuplicatePojoDataSet = (env: ExecutionEnvironment): DataSet<Pojo> => env.fromCollection(copies(DUPLICATE_POJOS));
export const getSmallTuple7DataSet = (env: ExecutionEnvironment): DataSet<Tuple7> => env.fromCollection(copies(SMALL_TUPLE7));
export const getSmallNestedTupleDataSet = (env: ExecutionEnvironment): DataSet<NestedTuple> => env.fromCollection(copies(SMALL_NESTED_TUPLES));
export const getGroupSortedNestedTupleDataSet = (env: ExecutionEnvironment): DataSet<NestedTuple> => env.fromCollection(copies(GROUP_SORTED_NESTED_TUPLES));

/**
 * A data set spread over all parallel instances: a collection is read by one instance, so
 * `rebalance()` deals its elements out (Flink's tests use an identity map at parallelism p).
 */
export function parallelize<T>(ds: DataSet<T>): DataSet<T> {
  return ds.rebalance();
}
