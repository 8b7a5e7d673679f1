/** Builds the tuple of a join/cross projection (`projectFirst(...)`, `projectSecond(...)`) from a pair. */
import type { ProjectionField } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { returnedPromise } from '../emit.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { wrapUserError } from '../udf.ts';

export type PairFunction = (left: unknown, right: unknown) => unknown;

export function projectionFunction(setup: OperatorSetup, projection: readonly ProjectionField[]): PairFunction {
  const n = projection.length;
  return (left, right) => {
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const p = projection[i]!;
      const side = p.side === 0 ? left : right;
      if (p.field === null) {
        out[i] = side;
        continue;
      }
      if (!Array.isArray(side)) setup.fail(`projection of field ${p.field} needs tuples on the ${p.side === 0 ? 'first' : 'second'} input`);
      if (p.field >= side.length) setup.fail(`projection field ${p.field} is out of range for a tuple of ${side.length} fields`);
      out[i] = side[p.field];
    }
    return out;
  };
}

/** The function a join or cross applies to each pair: the user's, a projection, or the pair itself. */
export function pairFunction(setup: OperatorSetup, fnId: string | null, projection: readonly ProjectionField[] | null, method: string): PairFunction {
  if (fnId !== null) return setup.fn<PairFunction>(fnId, method);
  if (projection !== null) return projectionFunction(setup, projection);
  return (l, r) => [l, r];
}

/** Calls the pair function and emits its result; a throw names the operator and the pair. */
export function pairEmitter(f: PairFunction, out: Output, operator: string): (left: unknown, right: unknown) => void {
  return (l, r) => {
    let v: unknown;
    try {
      v = f(l, r);
    } catch (e) {
      throw wrapUserError(operator, [l, r], e);
    }
    if (v instanceof Promise) throw returnedPromise(operator);
    out.collect(v);
  };
}
