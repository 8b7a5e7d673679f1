/**
 * Groupings: what `groupBy` returns. They record the key; the operator applied to them
 * (reduce, reduceGroup, aggregate, first) becomes one plan node carrying that key.
 */
import { planError } from './checks.ts';
import type { KeySpec, SortKey } from '../plan/nodes.ts';
import type { Aggregation, Order } from './constants.ts';
import { AggregateOperator, type DataSet, type NumericPositionOf, type PositionOf, checkCount, checkOrder } from './internal.ts';
import type { AnnotateTheCollector, GroupReduceFn, ReduceFn } from './functions.ts';
import { hasCombine } from './functions.ts';
import { type FieldKey, type KeySelectorArg, toKeySpec } from './keys.ts';
import { checkSelectFields, selectBy } from './select-by.ts';

/** A grouped data set. */
export class Grouping<T> {
  /** @internal */ readonly input: DataSet<T>;
  /** @internal */ readonly keys: KeySpec;
  /** @internal */ readonly sortKeys: readonly SortKey[];

  /** @internal */
  constructor(input: DataSet<T>, keys: KeySpec, sortKeys: readonly SortKey[] = []) {
    this.input = input;
    this.keys = keys;
    this.sortKeys = sortKeys;
  }

  /** `f(values, out)` once per group; `values` yields the group's elements (in `sortGroup` order). */
  // A combinable reduceGroup feeds its own output back in as input (the combiner's partial
  // results): its output type must be its input type, checked at compile time.
  reduceGroup(f: GroupReduceFn<T, T>, options: { combinable: true }): DataSet<T>;
  reduceGroup<O = AnnotateTheCollector>(f: GroupReduceFn<T, O>, options?: { combinable?: false }): DataSet<O>;
  reduceGroup(f: GroupReduceFn<T, T>, options: { combinable?: boolean }): DataSet<T>;
  reduceGroup<O>(f: GroupReduceFn<T, O>, options: { combinable?: boolean } = {}): DataSet<O> {
    const env = this.input.env;
    const fn = env.registerFunction(f, 'groupBy().reduceGroup', 'reduce', 'GroupReduceFunction');
    const id = env.addNode({ kind: 'GroupReduce', fn, keys: this.keys, sortKeys: this.sortKeys, combinable: options.combinable === true || hasCombine(f) }, [this.input.id]);
    return env.dataSet<O>(id);
  }

  /**
   * `f(values, out)` on each group of each partition, with no shuffle: a partial reduceGroup that
   * may see a key's elements in several groups, one per instance holding some (Flink's
   * combineGroup, used to shrink data before a reduceGroup).
   */
  combineGroup<O = AnnotateTheCollector>(f: GroupReduceFn<T, O>): DataSet<O> {
    const env = this.input.env;
    return env.dataSet<O>(
      env.addNode({ kind: 'GroupCombine', fn: env.registerFunction(f, 'groupBy().combineGroup', 'reduce', 'GroupReduceFunction'), keys: this.keys, sortKeys: this.sortKeys }, [this.input.id]),
    );
  }

  /** The first n elements of every group (in `sortGroup` order when sorted). */
  first(n: number): DataSet<T> {
    checkCount(n, 'first');
    const env = this.input.env;
    return env.dataSet<T>(env.addNode({ kind: 'First', n, keys: this.keys, sortKeys: this.sortKeys }, [this.input.id]));
  }

  /** Sorts the elements of each group; chain for secondary keys. */
  sortGroup(key: FieldKey<T> | KeySelectorArg<T>, order: Order): SortedGrouping<T> {
    const sortKey: SortKey = { key: toKeySpec([key], this.input.env.objects, 'sortGroup'), order: checkOrder(order, 'sortGroup') };
    return new SortedGrouping<T>(this.input, this.keys, [...this.sortKeys, sortKey]);
  }
}

/** A grouping without a group order: also offers reduce and aggregations. */
export class UnsortedGrouping<T> extends Grouping<T> {
  /** One element per group: the left fold of `f` over the group (always combined before the shuffle). */
  reduce(f: ReduceFn<T>): DataSet<T> {
    const env = this.input.env;
    const id = env.addNode({ kind: 'Reduce', fn: env.registerFunction(f, 'groupBy().reduce', 'reduce', 'ReduceFunction'), keys: this.keys }, [this.input.id]);
    return env.dataSet<T>(id);
  }

  /** Per group, the tuple with the smallest value in `fields` (compared in that order), as Flink's minBy. */
  minBy(...fields: PositionOf<T>[]): DataSet<T> {
    return this.reduce(selectBy<T>(checkSelectFields(fields, 'groupBy().minBy'), false, 'minBy'));
  }

  /** Per group, the tuple with the largest value in `fields` (compared in that order), as Flink's maxBy. */
  maxBy(...fields: PositionOf<T>[]): DataSet<T> {
    return this.reduce(selectBy<T>(checkSelectFields(fields, 'groupBy().maxBy'), true, 'maxBy'));
  }

  aggregate(agg: Aggregation, field: PositionOf<T>): AggregateOperator<T> {
    if (this.keys.kind !== 'fields') throw planError('aggregate', 'needs a grouping on field positions, not a key selector');
    return AggregateOperator.create(this.input, this.keys, agg, field as number);
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
  /** Per group, the mean of a numeric field, in place of that field. */
  avg(field: NumericPositionOf<T>): AggregateOperator<T> {
    return this.aggregate('AVG', field);
  }
}

/** A grouping with a group order (`sortGroup`). */
export class SortedGrouping<T> extends Grouping<T> {}
