/**
 * Hash joins. Inner: build a hash table on one input, probe it with the other. Outer: build on
 * the second input, remember which of its records matched, and pair the rest with null. A build
 * side beyond the memory budget turns the join into a grace hash join: both inputs are written
 * to hash partitions on disk and joined one partition at a time.
 */
import type { NodeParams } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import type { InputChannel } from '../input-channel.ts';
import { groupKey, hashGroupKey } from '../keys.ts';
import { PARTITIONS, PartitionSpill, spillPartition } from '../spill/partition-spill.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { type PairFunction, pairEmitter, pairFunction } from './projection.ts';

type JoinParams = Extract<NodeParams, { kind: 'Join' }>;

interface BuildEntry {
  readonly records: unknown[];
  matched: boolean;
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
  const call = pairEmitter(f, out, setup.name);
  const buildFirst = setup.op.strategy === 'HASH_JOIN_BUILD_FIRST';
  const [buildInput, probeInput] = buildFirst ? [inputs[0]!, inputs[1]!] : [inputs[1]!, inputs[0]!];
  const [buildKey, probeKey] = buildFirst ? [leftKey, rightKey] : [rightKey, leftKey];
  const outer = params.joinType !== 'INNER';
  const keepProbe = params.joinType === 'LEFT_OUTER' || params.joinType === 'FULL_OUTER';
  const keepBuild = params.joinType === 'RIGHT_OUTER' || params.joinType === 'FULL_OUTER';

  const probe = (table: Map<unknown, BuildEntry>, p: unknown): void => {
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
      const held = setup.copy(rs[i]);
      if (buildFirst) call(held, i === last ? p : setup.copy(p));
      else call(i === last ? p : setup.copy(p), held);
    }
  };
  const emitUnmatched = (table: Map<unknown, BuildEntry>): void => {
    if (!keepBuild) return;
    for (const entry of table.values()) {
      if (entry.matched) continue;
      for (const r of entry.records) call(null, r);
    }
  };
  const insert = (table: Map<unknown, BuildEntry>, gk: unknown, r: unknown): void => {
    const e = table.get(gk);
    if (e === undefined) table.set(gk, { records: [r], matched: false });
    else e.records.push(r);
  };

  // Build in memory; past the memory budget, switch to a grace hash join over partition files.
  const budget = setup.memoryBudget();
  let table = new Map<unknown, BuildEntry>();
  let spill: { build: PartitionSpill; probe: PartitionSpill } | null = null;
  buildInput.forEach((r) => {
    const gk = groupKey(buildKey(r), types);
    if (spill) {
      spill.build.add(spillPartition(hashGroupKey(gk)), r);
      return;
    }
    insert(table, gk, r);
    if (budget.add(r)) {
      const files = setup.spillFiles();
      spill = { build: new PartitionSpill(types, files), probe: new PartitionSpill(types, files) };
      for (const [k, e] of table) for (const b of e.records) spill.build.add(spillPartition(hashGroupKey(k)), b);
      table = new Map();
    }
  });
  const grace = spill as { build: PartitionSpill; probe: PartitionSpill } | null;
  if (grace === null) {
    probeInput.forEach((p) => probe(table, p));
    emitUnmatched(table);
  } else {
    try {
      probeInput.forEach((p) => grace.probe.add(spillPartition(hashGroupKey(groupKey(probeKey(p), types))), p));
      grace.build.finish();
      grace.probe.finish();
      for (let k = 0; k < PARTITIONS; k++) {
        const part = new Map<unknown, BuildEntry>();
        grace.build.forEach(k, (r) => insert(part, groupKey(buildKey(r), types), r));
        grace.probe.forEach(k, (p) => probe(part, p));
        emitUnmatched(part);
      }
    } finally {
      grace.build.close();
      grace.probe.close();
    }
  }
  out.close();
}

