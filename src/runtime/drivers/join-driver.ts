/**
 * Hash joins. Inner: build a hash table on one input, probe it with the other. Outer: build on
 * the second input, remember which of its records matched, and pair the rest with null.
 */
import type { NodeParams } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import type { InputChannel } from '../input-channel.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { wrapUserError } from '../udf.ts';
import { type PairFunction, pairFunction } from './projection.ts';

type JoinParams = Extract<NodeParams, { kind: 'Join' }>;

interface BuildEntry {
  readonly records: unknown[];
  matched: boolean;
}

function buildTable(setup: OperatorSetup, input: InputChannel, key: KeyExtractor): Map<unknown, BuildEntry> {
  const table = new Map<unknown, BuildEntry>();
  const types = setup.resources.types;
  input.forEach((r) => {
    const gk = groupKey(key(r), types);
    const e = table.get(gk);
    if (e === undefined) table.set(gk, { records: [r], matched: false });
    else e.records.push(r);
  });
  return table;
}

/** Binds the join's function (so it can be opened) and returns the loop that runs it. */
export function prepareJoin(setup: OperatorSetup, params: JoinParams): (inputs: readonly InputChannel[], out: Output) => void {
  const f = pairFunction(setup, params.fn, params.projection, 'join');
  return (inputs, out) => runJoin(setup, params, f, inputs, out);
}

function runJoin(setup: OperatorSetup, params: JoinParams, f: PairFunction, inputs: readonly InputChannel[], out: Output): void {
  const leftKey = setup.keyExtractor(params.leftKeys);
  const rightKey = setup.keyExtractor(params.rightKeys);
  const types = setup.resources.types;
  const name = setup.name;
  const call = (l: unknown, r: unknown): void => {
    let v: unknown;
    try {
      v = f(l, r);
    } catch (e) {
      throw wrapUserError(name, [l, r], e);
    }
    out.collect(v);
  };
  const buildFirst = setup.op.strategy === 'HASH_JOIN_BUILD_FIRST';
  const [buildInput, probeInput] = buildFirst ? [inputs[0]!, inputs[1]!] : [inputs[1]!, inputs[0]!];
  const [buildKey, probeKey] = buildFirst ? [leftKey, rightKey] : [rightKey, leftKey];
  const table = buildTable(setup, buildInput, buildKey);
  const outer = params.joinType !== 'INNER';
  const keepProbe = params.joinType === 'LEFT_OUTER' || params.joinType === 'FULL_OUTER';

  probeInput.forEach((p) => {
    const entry = table.get(groupKey(probeKey(p), types));
    if (entry === undefined) {
      if (keepProbe) call(p, null);
      return;
    }
    if (outer) entry.matched = true;
    const rs = entry.records;
    const last = rs.length - 1;
    for (let i = 0; i <= last; i++) {
      // A held build record may pair with many probe records: each pair gets its own copy (SPEC §9.4).
      const b = rs[i];
      const held = setup.copy(b);
      if (buildFirst) call(held, i === last ? p : setup.copy(p));
      else call(i === last ? p : setup.copy(p), held);
    }
  });

  if (params.joinType === 'RIGHT_OUTER' || params.joinType === 'FULL_OUTER') {
    for (const entry of table.values()) {
      if (entry.matched) continue;
      for (const r of entry.records) call(null, r);
    }
  }
  out.close();
}

