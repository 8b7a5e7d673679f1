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
import { flatCopier, IntKeyTable } from '../compiled/int-key-table.ts';

type JoinParams = Extract<NodeParams, { kind: 'Join' }>;

/** Probe records looked up together by a compiled join (see probeBatch). */
const PROBE_BATCH = 128;

/**
 * Reads what pairing a held record will read — its header, its fields and the header of each
 * string field (a flat tuple's fields sit in a separate block, each string in its own) — so that
 * the probe batch's cache misses overlap instead of coming one after the other when its pairs are made.
 */
const touched = { bits: 0 };
function touch(r: unknown): void {
  if (!Array.isArray(r)) return;
  const n = r.length;
  let bits = n;
  for (let j = 0; j < n && j < 8; j++) {
    const v: unknown = r[j];
    if (typeof v === 'string') bits ^= v.length;
  }
  touched.bits ^= bits;
}

/**
 * The build side's hash table: a Map from group key to the index of the key's first record, the
 * records in one array, and each record's successor with the same key in `next` (-1 at the end).
 * Measured on a 5 M × 500 K join: a Map of `{ records: [...] }` entries cost a third more per
 * probe (two more dependent loads on a cold cache line per lookup).
 */
class BuildTable {
  private readonly index = new Map<unknown, number>();
  readonly records: unknown[] = [];
  readonly next: number[] = [];
  /** For a key's first record, its last one (where the next record of the key is linked). */
  private readonly tails: number[] = [];
  /** Which keys (by first record) found a partner; kept only for outer joins. */
  matched: Uint8Array | null = null;

  add(gk: unknown, r: unknown): void {
    const i = this.records.length;
    this.records.push(r);
    this.next.push(-1);
    const head = this.index.get(gk);
    if (head === undefined) {
      this.index.set(gk, i);
      this.tails.push(i);
    } else {
      this.next[this.tails[head]!] = i;
      this.tails[head] = i;
      this.tails.push(-1);
    }
  }

  /** The first record of a key, or -1. */
  head(gk: unknown): number {
    const i = this.index.get(gk);
    return i === undefined ? -1 : i;
  }

  /** Each key's first record, in order of arrival. */
  heads(): IterableIterator<number> {
    return this.index.values();
  }

  get size(): number {
    return this.records.length;
  }
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

  const probe = (table: BuildTable | IntKeyTable, p: unknown): void => {
    const k = probeKey(p);
    pairUp(table, p, table instanceof IntKeyTable ? (IntKeyTable.takes(k) ? table.head(k) : noMatch(k)) : table.head(groupKey(k, types)));
  };
  /**
   * A compiled join probes its integer-key table a batch at a time, as a vectorised engine does:
   * first every record's lookup (independent loads the CPU overlaps: the table is far bigger
   * than its caches), then each record's pairs, in order. A key that fails is thrown after the
   * records before it have been paired, as one record at a time would.
   */
  const batch: unknown[] = [];
  const heads = new Int32Array(PROBE_BATCH);
  const found: unknown[] = new Array<unknown>(PROBE_BATCH).fill(null);
  const probeBatch = (table: IntKeyTable): void => {
    const n = batch.length;
    const { records } = table;
    let failure: unknown = null;
    let m = 0;
    try {
      for (; m < n; m++) {
        const k = probeKey(batch[m]);
        heads[m] = IntKeyTable.takes(k) ? table.head(k) : noMatch(k);
      }
    } catch (e) {
      failure = e;
    }
    // In stages, each a loop of independent loads: the held records, then what is in them.
    for (let j = 0; j < m; j++) {
      const head = heads[j]!;
      if (head >= 0) found[j] = records[head];
    }
    for (let j = 0; j < m; j++) {
      if (heads[j]! >= 0) touch(found[j]);
    }
    for (let j = 0; j < m; j++) pairUp(table, batch[j], heads[j]!);
    batch.length = 0;
    if (failure !== null) throw failure;
  };
  // A held build record may pair with many probe records: each pair gets its own copy (a flat tuple's is one array literal, chosen once the table is built).
  let copyHeld = (r: unknown): unknown => setup.copy(r);
  const pairUp = (table: BuildTable | IntKeyTable, p: unknown, head: number): void => {
    if (head < 0) {
      if (keepProbe) call(p, null);
      return;
    }
    if (outer) (table.matched ??= new Uint8Array(table.size))[head] = 1;
    const { records, next } = table;
    for (let i = head; i >= 0; i = next[i]!) {
      const held = copyHeld(records[i]);
      const last = next[i]! < 0;
      if (buildFirst) call(held, last ? p : setup.copy(p));
      else call(last ? p : setup.copy(p), held);
    }
  };
  const emitUnmatched = (table: BuildTable | IntKeyTable): void => {
    if (!keepBuild) return;
    const { records, next, matched } = table;
    for (const head of table.heads()) {
      if (matched !== null && matched[head] === 1) continue;
      for (let i = head; i >= 0; i = next[i]!) call(null, records[i]);
    }
  };

  // Build in memory; past the memory budget, switch to a grace hash join over partition files.
  const budget = setup.memoryBudget();
  /** A probe key no integer build key equals: no match (the key made a group key first, as the Map-based table does: the same errors). */
  const noMatch = (k: unknown): number => {
    groupKey(k, types);
    return -1;
  };
  /** The records held so far in the Map-based table: a build key that is not an integer came. */
  const rebuild = (from: IntKeyTable): BuildTable => {
    const to = new BuildTable();
    for (const b of from.records) to.add(groupKey(buildKey(b), types), b);
    return to;
  };
  const spillAll = (from: BuildTable | IntKeyTable): BuildTable => {
    const files = setup.spillFiles();
    spill = { build: new PartitionSpill(types, files), probe: new PartitionSpill(types, files) };
    for (const b of from.records) spill.build.add(spillPartition(hashGroupKey(groupKey(buildKey(b), types))), b);
    return new BuildTable();
  };
  // Compiled (a join on one field position each side): the typed-array table while every build key is an integer.
  let table: BuildTable | IntKeyTable = setup.compiled ? new IntKeyTable() : new BuildTable();
  let spill: { build: PartitionSpill; probe: PartitionSpill } | null = null;
  buildInput.forEach((r) => {
    const k = buildKey(r);
    if (table instanceof IntKeyTable && !spill) {
      if (IntKeyTable.takes(k)) {
        table.add(k, r);
        if (budget.add(r)) table = spillAll(table);
        return;
      }
      table = rebuild(table);
    }
    const gk = groupKey(k, types);
    if (spill) {
      spill.build.add(spillPartition(hashGroupKey(gk)), r);
      return;
    }
    (table as BuildTable).add(gk, r); // an IntKeyTable was rebuilt, or spilled, above
    if (budget.add(r)) table = spillAll(table);
  });
  const grace = spill as { build: PartitionSpill; probe: PartitionSpill } | null;
  if (grace === null) {
    if (table instanceof IntKeyTable) {
      const t = table;
      if (t.flatLength >= 0 && !setup.resources.objectReuse) copyHeld = flatCopier(t.flatLength);
      probeInput.forEach((p) => {
        if (batch.push(p) === PROBE_BATCH) probeBatch(t);
      });
      probeBatch(t);
    } else probeInput.forEach((p) => probe(table, p));
    emitUnmatched(table);
  } else {
    try {
      probeInput.forEach((p) => grace.probe.add(spillPartition(hashGroupKey(groupKey(probeKey(p), types))), p));
      grace.build.finish();
      grace.probe.finish();
      for (let k = 0; k < PARTITIONS; k++) {
        const part = new BuildTable();
        grace.build.forEach(k, (r) => part.add(groupKey(buildKey(r), types), r));
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
