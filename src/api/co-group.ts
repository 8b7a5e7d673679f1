/** The coGroup builder: `a.coGroup(b).where(k).equalTo(k2).using(f)`. */
import type { NodeParams } from '../plan/nodes.ts';
import { DataSet } from './internal.ts';
import type { AnnotateTheCollector, CoGroupFn } from './functions.ts';
import { type KeyArgs, checkKeyWidths, toKeySpec } from './keys.ts';

export class CoGroupWhere<L, R> {
  private readonly left: DataSet<L>;
  private readonly right: DataSet<R>;

  /** @internal */
  constructor(left: DataSet<L>, right: DataSet<R>) {
    left.env.checkSameEnvironment([right], 'coGroup');
    this.left = left;
    this.right = right;
  }

  where(...keys: KeyArgs<L>): { equalTo(...keys: KeyArgs<R>): { using<O = AnnotateTheCollector>(f: CoGroupFn<L, R, O>): DataSet<O> } } {
    const env = this.left.env;
    const leftKeys = toKeySpec(keys, env.objects, 'coGroup().where');
    return {
      equalTo: (...rightArgs: KeyArgs<R>) => {
        const rightKeys = toKeySpec(rightArgs, env.objects, 'coGroup().equalTo');
        checkKeyWidths(leftKeys, rightKeys, 'coGroup().equalTo');
        return {
          /** `f(leftValues, rightValues, out)` once per key present on either side. */
          using: <O>(f: CoGroupFn<L, R, O>): DataSet<O> => {
            const params: NodeParams = { kind: 'CoGroup', leftKeys, rightKeys, fn: env.registerFunction(f, 'coGroup().using', 'coGroup', 'CoGroupFunction') };
            return new DataSet<O>(env, env.addNode(params, [this.left.id, this.right.id]));
          },
        };
      },
    };
  }
}
