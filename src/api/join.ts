/**
 * Join builders: `a.join(b).where(k).equalTo(k2)` is a `DataSet<[L, R]>` that `.using(f)` or
 * `.projectFirst/.projectSecond` refine; outer joins need `.using(f)` before they are a data set.
 */
import { PlanError } from '../errors/index.ts';
import { planError } from './checks.ts';
import type { JoinSizeHint, JoinType, KeySpec, NodeParams, ProjectionField } from '../plan/nodes.ts';
import { DataSet } from './internal.ts';
import type { JoinFn, Tuple } from './functions.ts';
import { type FieldKey, type KeyArgs, type PickFields, checkKeyWidths, toKeySpec } from './keys.ts';

/** Positions of a tuple type usable in a projection. */
export type Positions<T> = T extends readonly unknown[] ? (number extends T['length'] ? number : FieldKey<T> & number) : never;

/** The method the user called: `join`, `joinWithTiny`, `leftOuterJoin`, … (for error messages). */
function joinCall(joinType: JoinType, hint: JoinSizeHint): string {
  if (joinType === 'LEFT_OUTER') return 'leftOuterJoin';
  if (joinType === 'RIGHT_OUTER') return 'rightOuterJoin';
  if (joinType === 'FULL_OUTER') return 'fullOuterJoin';
  return hint === 'TINY' ? 'joinWithTiny' : hint === 'HUGE' ? 'joinWithHuge' : 'join';
}

export class JoinWhere<L, R> {
  private readonly left: DataSet<L>;
  private readonly right: DataSet<R>;
  private readonly joinType: JoinType;
  private readonly hint: JoinSizeHint;

  /** @internal */
  constructor(left: DataSet<L>, right: DataSet<R>, joinType: JoinType, hint: JoinSizeHint) {
    left.env.checkSameEnvironment([right], joinCall(joinType, hint));
    this.left = left;
    this.right = right;
    this.joinType = joinType;
    this.hint = hint;
  }

  where(...keys: KeyArgs<L>): { equalTo(...keys: KeyArgs<R>): JoinOperator<L, R, [L, R]> } {
    const call = joinCall(this.joinType, this.hint);
    const leftKeys = toKeySpec(keys, this.left.env.objects, `${call}().where`);
    return {
      equalTo: (...rightArgs: KeyArgs<R>): JoinOperator<L, R, [L, R]> => {
        const rightKeys = toKeySpec(rightArgs, this.left.env.objects, `${call}().equalTo`);
        checkKeyWidths(leftKeys, rightKeys, `${call}().equalTo`);
        const params: NodeParams = { kind: 'Join', joinType: this.joinType, leftKeys, rightKeys, fn: null, projection: null, hint: this.hint };
        const id = this.left.env.addNode(params, [this.left.id, this.right.id]);
        return new JoinOperator<L, R, [L, R]>(this.left.env, id);
      },
    };
  }
}

/** An inner join: by default the pairs `[left, right]`. */
/** `P` is the tuple built so far by projections (empty until the first one). */
export class JoinOperator<L, R, T, P extends readonly unknown[] = []> extends DataSet<T> {
  private params(): Extract<NodeParams, { kind: 'Join' }> {
    const p = this.env.getNode(this.id).params;
    if (p.kind !== 'Join') throw new PlanError('not a join');
    return p;
  }

  /** Maps every matching pair to one value. */
  using<O extends Tuple>(f: JoinFn<L, R, O>): DataSet<O>;
  using<O>(f: JoinFn<L, R, O>): DataSet<O>;
  using<O>(f: JoinFn<L, R, O>): DataSet<O> {
    const p = this.params();
    if (p.projection) throw planError('join().using', 'using() cannot follow projectFirst/projectSecond');
    return new DataSet<O>(this.env, this.env.copyNode(this.id, { params: { ...p, fn: this.env.registerFunction(f, 'join().using', 'join', 'JoinFunction') } }));
  }

  /** Adds fields of the left element to the result tuple (the whole element when none are given). */
  projectFirst(): JoinOperator<L, R, [...P, L], [...P, L]>;
  projectFirst<const I extends readonly Positions<L>[]>(...fields: I): JoinOperator<L, R, [...P, ...PickFields<L, I>], [...P, ...PickFields<L, I>]>;
  projectFirst(...fields: number[]): unknown {
    return this.addProjection(0, fields);
  }

  /** Adds fields of the right element to the result tuple (the whole element when none are given). */
  projectSecond(): JoinOperator<L, R, [...P, R], [...P, R]>;
  projectSecond<const I extends readonly Positions<R>[]>(...fields: I): JoinOperator<L, R, [...P, ...PickFields<R, I>], [...P, ...PickFields<R, I>]>;
  projectSecond(...fields: number[]): unknown {
    return this.addProjection(1, fields);
  }

  private addProjection(side: 0 | 1, fields: number[]): unknown {
    const p = this.params();
    const added: ProjectionField[] = fields.length === 0 ? [{ side, field: null }] : fields.map((field) => ({ side, field }));
    return new JoinOperator(this.env, this.env.copyNode(this.id, { params: { ...p, projection: [...(p.projection ?? []), ...added] } }));
  }
}

export class OuterJoinWhere<L, R, LO, RO> {
  private readonly left: DataSet<L>;
  private readonly right: DataSet<R>;
  private readonly joinType: JoinType;

  /** @internal */
  constructor(left: DataSet<L>, right: DataSet<R>, joinType: JoinType) {
    left.env.checkSameEnvironment([right], joinCall(joinType, 'NONE'));
    this.left = left;
    this.right = right;
    this.joinType = joinType;
  }

  where(...keys: KeyArgs<L>): { equalTo(...keys: KeyArgs<R>): OuterJoinOperator<LO, RO> } {
    const call = joinCall(this.joinType, 'NONE');
    const leftKeys = toKeySpec(keys, this.left.env.objects, `${call}().where`);
    return {
      equalTo: (...rightArgs: KeyArgs<R>): OuterJoinOperator<LO, RO> => {
        const rightKeys = toKeySpec(rightArgs, this.left.env.objects, `${call}().equalTo`);
        checkKeyWidths(leftKeys, rightKeys, `${call}().equalTo`);
        return new OuterJoinOperator<LO, RO>(this.left, this.right, this.joinType, leftKeys, rightKeys);
      },
    };
  }
}

/** An outer join waiting for its function: a missing side is passed as `null`. */
export class OuterJoinOperator<LO, RO> {
  private readonly left: { readonly env: DataSet<unknown>['env']; readonly id: number };
  private readonly right: { readonly id: number };
  private readonly joinType: JoinType;
  private readonly leftKeys: KeySpec;
  private readonly rightKeys: KeySpec;

  /** @internal */
  constructor(left: { readonly env: DataSet<unknown>['env']; readonly id: number }, right: { readonly id: number }, joinType: JoinType, leftKeys: KeySpec, rightKeys: KeySpec) {
    this.left = left;
    this.right = right;
    this.joinType = joinType;
    this.leftKeys = leftKeys;
    this.rightKeys = rightKeys;
  }

  using<O extends Tuple>(f: JoinFn<LO, RO, O>): DataSet<O>;
  using<O>(f: JoinFn<LO, RO, O>): DataSet<O>;
  using<O>(f: JoinFn<LO, RO, O>): DataSet<O> {
    const env = this.left.env;
    const params: NodeParams = {
      kind: 'Join',
      joinType: this.joinType,
      leftKeys: this.leftKeys,
      rightKeys: this.rightKeys,
      fn: env.registerFunction(f, `${joinCall(this.joinType, 'NONE')}().using`, 'join', 'JoinFunction'),
      projection: null,
      hint: 'NONE',
    };
    return new DataSet<O>(env, env.addNode(params, [this.left.id, this.right.id]));
  }
}
