/**
 * The driver of a join or cross whose pairs were formed below tsflink (the Flink runner's native
 * join and cross: strategy PAIRED): input 0 holds `[left, right]` pairs, null on an outer join's
 * missing side; the function runs on each.
 */
import type { ProjectionField } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import type { InputChannel } from '../input-channel.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { pairEmitter, pairFunction } from './projection.ts';

export function preparePairedInput(
  setup: OperatorSetup,
  fn: string | null,
  projection: readonly ProjectionField[] | null,
  what: 'join' | 'cross',
): (inputs: readonly InputChannel[], out: Output) => void {
  const f = pairFunction(setup, fn, projection, what);
  return (inputs, out) => {
    const call = pairEmitter(f, out, setup.name);
    inputs[0]!.forEach((pair) => {
      const [l, r] = pair as [unknown, unknown];
      call(l, r);
    });
    out.close();
  };
}
