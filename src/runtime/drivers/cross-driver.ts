/** Cross: the broadcast input is held whole; every record of the other input pairs with each of it. */
import type { NodeParams } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import type { InputChannel } from '../input-channel.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { type PairFunction, pairEmitter, pairFunction } from './projection.ts';

type CrossParams = Extract<NodeParams, { kind: 'Cross' }>;

/** Binds the cross function (so it can be opened) and returns the loop that runs it. */
export function prepareCross(setup: OperatorSetup, params: CrossParams): (inputs: readonly InputChannel[], out: Output) => void {
  const f = pairFunction(setup, params.fn, params.projection, 'cross');
  return (inputs, out) => runCross(setup, params, f, inputs, out);
}

function runCross(setup: OperatorSetup, _params: CrossParams, f: PairFunction, inputs: readonly InputChannel[], out: Output): void {
  const broadcastFirst = setup.op.strategy === 'NESTED_LOOP_BROADCAST_FIRST';
  const held = (broadcastFirst ? inputs[0]! : inputs[1]!).toArray();
  const streamed = broadcastFirst ? inputs[1]! : inputs[0]!;
  const emit = pairEmitter(f, out, setup.name);
  streamed.forEach((s) => {
    for (let i = 0; i < held.length; i++) {
      const h = setup.copy(held[i]);
      const x = i === held.length - 1 ? s : setup.copy(s);
      if (broadcastFirst) emit(h, x);
      else emit(x, h);
    }
  });
  out.close();
}
