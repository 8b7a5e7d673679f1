/**
 * The driver of a join or cross whose pairs were formed below tsflink (the Flink runner's native
 * join and cross: strategy PAIRED): input 0 holds `[left, right]` pairs, null on an outer join's
 * missing side; the function runs on each.
 */
import type { ProjectionField } from '../../plan/nodes.ts';
import type { Output } from '../../runtime/collector.ts';
import { pairEmitter, pairFunction } from '../../runtime/drivers/projection.ts';
import type { InputChannel } from '../../runtime/input-channel.ts';
import type { OperatorSetup } from '../../runtime/operator-setup.ts';

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
