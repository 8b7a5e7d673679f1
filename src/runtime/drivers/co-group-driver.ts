/** CoGroup: both inputs grouped by key; the user's function runs once per key present on either side. */
import type { NodeParams } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { UserCollector } from '../collector.ts';
import { emitReturned } from '../emit.ts';
import type { InputChannel } from '../input-channel.ts';
import { groupKey } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { wrapUserError } from '../udf.ts';

type CoGroupParams = Extract<NodeParams, { kind: 'CoGroup' }>;
type CoGroupFn = (left: unknown[], right: unknown[], out: UserCollector) => unknown;

/** Binds the coGroup function (so it can be opened) and returns the loop that runs it. */
export function prepareCoGroup(setup: OperatorSetup, params: CoGroupParams): (inputs: readonly InputChannel[], out: Output) => void {
  const f = setup.fn<CoGroupFn>(params.fn, 'coGroup');
  return (inputs, out) => runCoGroup(setup, params, f, inputs, out);
}

function runCoGroup(setup: OperatorSetup, params: CoGroupParams, f: CoGroupFn, inputs: readonly InputChannel[], out: Output): void {
  const types = setup.resources.types;
  const groups = new Map<unknown, [unknown[], unknown[]]>();
  const add = (side: 0 | 1, key: (r: unknown) => unknown) => (r: unknown) => {
    const gk = groupKey(key(r), types);
    let g = groups.get(gk);
    if (g === undefined) groups.set(gk, (g = [[], []]));
    g[side].push(r);
  };
  inputs[0]!.forEach(add(0, setup.keyExtractor(params.leftKeys)));
  inputs[1]!.forEach(add(1, setup.keyExtractor(params.rightKeys)));
  const collector = new UserCollector(out);
  for (const [left, right] of groups.values()) {
    try {
      emitReturned(f(left, right, collector), out, setup.name);
    } catch (e) {
      throw wrapUserError(setup.name, left[0] ?? right[0], e);
    }
  }
  out.close();
}
