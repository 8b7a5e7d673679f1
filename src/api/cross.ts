/** The cross builder: all pairs `[left, right]`, refined by `.using(f)` or projections. */
import { PlanError } from '../errors/index.ts';
import type { NodeParams, ProjectionField, SizeHint } from '../plan/nodes.ts';
import { planError } from './checks.ts';
import { DataSet } from './internal.ts';
import type { CrossFn, Tuple } from './functions.ts';
import type { PickFields } from './keys.ts';
import type { Positions } from './internal.ts';

/** `P` is the tuple built so far by projections (empty until the first one). */
export class CrossOperator<L, R, T, P extends readonly unknown[] = []> extends DataSet<T> {
  /** @internal */
  static create<L, R>(left: DataSet<L>, right: DataSet<R>, hint: SizeHint): CrossOperator<L, R, [L, R]> {
    left.env.checkSameEnvironment([right], hint === 'TINY' ? 'crossWithTiny' : hint === 'HUGE' ? 'crossWithHuge' : 'cross');
    const id = left.env.addNode({ kind: 'Cross', fn: null, projection: null, hint }, [left.id, right.id]);
    return new CrossOperator<L, R, [L, R]>(left.env, id);
  }

  private params(): Extract<NodeParams, { kind: 'Cross' }> {
    const p = this.env.getNode(this.id).params;
    if (p.kind !== 'Cross') throw new PlanError('not a cross');
    return p;
  }

  /** Maps every pair to one value. */
  using<O extends Tuple>(f: CrossFn<L, R, O>): DataSet<O>;
  using<O>(f: CrossFn<L, R, O>): DataSet<O>;
  using<O>(f: CrossFn<L, R, O>): DataSet<O> {
    const p = this.params();
    if (p.projection) throw planError('cross().using', 'using() cannot follow projectFirst/projectSecond');
    return new DataSet<O>(this.env, this.env.copyNode(this.id, { params: { ...p, fn: this.env.registerFunction(f, 'cross().using', 'cross', 'CrossFunction') } }));
  }

  projectFirst(): CrossOperator<L, R, [...P, L], [...P, L]>;
  projectFirst<const I extends readonly Positions<L>[]>(...fields: I): CrossOperator<L, R, [...P, ...PickFields<L, I>], [...P, ...PickFields<L, I>]>;
  projectFirst(...fields: number[]): unknown {
    return this.addProjection(0, fields);
  }

  projectSecond(): CrossOperator<L, R, [...P, R], [...P, R]>;
  projectSecond<const I extends readonly Positions<R>[]>(...fields: I): CrossOperator<L, R, [...P, ...PickFields<R, I>], [...P, ...PickFields<R, I>]>;
  projectSecond(...fields: number[]): unknown {
    return this.addProjection(1, fields);
  }

  private addProjection(side: 0 | 1, fields: number[]): unknown {
    const p = this.params();
    const added: ProjectionField[] = fields.length === 0 ? [{ side, field: null }] : fields.map((field) => ({ side, field }));
    return new CrossOperator(this.env, this.env.copyNode(this.id, { params: { ...p, projection: [...(p.projection ?? []), ...added] } }));
  }
}
