/**
 * A delta iteration's solution-set update: input 0 is one partition of the solution set as of
 * this superstep, input 1 the delta records with keys of that partition. Each delta record
 * replaces the element with the same key (or joins the set); the updated partition is emitted.
 * Like Flink's solution set, a partition is held in memory while it is updated.
 */
import type { KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import type { InputChannel } from '../input-channel.ts';
import { groupKey } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';

export function prepareSolutionSetUpdate(setup: OperatorSetup, keys: KeySpec): (inputs: readonly InputChannel[], out: Output) => void {
  const key = setup.keyExtractor(keys);
  const types = setup.resources.types;
  return (inputs, out) => {
    const elements = new Map<unknown, unknown>();
    const put = (r: unknown): void => {
      elements.set(groupKey(key(r), types), r);
    };
    inputs[0]!.forEach(put);
    inputs[1]!.forEach(put);
    for (const r of elements.values()) out.collect(r);
    out.close();
  };
}
