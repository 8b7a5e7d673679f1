/**
 * Aggregate (sum/min/max of tuple fields) per group or over everything. The result is the
 * group's first tuple with each aggregated field replaced; it is also its own combiner.
 */
import type { AggregationSpec, KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { compareValues } from '../compare.ts';
import { describeRecord } from '../describe-record.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { GroupSpiller } from '../spill/group-spiller.ts';

interface AggState {
  readonly first: unknown[];
  readonly values: unknown[];
}

export class AggregateOutput implements Output {
  private readonly aggs: readonly AggregationSpec[];
  private readonly key: KeyExtractor | null;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private readonly groups = new Map<unknown, AggState>();
  private all: AggState | null = null;
  private readonly spiller: GroupSpiller | null;

  // Per-record state, unpacked from `aggs` once (measured: the combiner's loop is WordCount's hottest code).
  private readonly fields: number[];
  private readonly kinds: number[]; // 0 sum, 1 min, 2 max
  private readonly minLength: number;
  private readonly types: OperatorSetup['resources']['types'];

  /** The key's position when the key is one field position (the common case, read inline); else -1. */
  private readonly keyPos: number;

  constructor(setup: OperatorSetup, aggs: readonly AggregationSpec[], keys: KeySpec | null, next: Output) {
    this.aggs = aggs;
    this.fields = aggs.map((a) => a.field);
    this.kinds = aggs.map((a) => (a.agg === 'SUM' ? 0 : a.agg === 'MIN' ? 1 : 2));
    const k = keys?.kind === 'fields' && keys.fields.length === 1 ? keys.fields[0] : undefined;
    this.keyPos = typeof k === 'number' ? k : -1;
    this.minLength = Math.max(...this.fields, this.keyPos) + 1;
    this.types = setup.resources.types;
    this.key = keys ? setup.keyExtractor(keys) : null;
    this.setup = setup;
    this.next = next;
    this.spiller = keys ? setup.groupSpiller() : null;
  }

  collect(record: unknown): void {
    if (!Array.isArray(record)) this.setup.fail(`aggregate needs tuples, got ${describeRecord(record)}`);
    if (record.length < this.minLength) {
      this.setup.fail(`aggregate field ${this.minLength - 1} is out of range for a tuple of ${record.length} fields: ${describeRecord(record)}`);
    }
    if (this.key === null) {
      if (this.all === null) this.all = this.start(record);
      else this.update(this.all, record);
      return;
    }
    const k = this.keyPos >= 0 ? record[this.keyPos] : this.key(record);
    const gk = typeof k === 'string' && k.charCodeAt(0) !== 0 ? k : groupKey(k, this.types);
    const state = this.groups.get(gk);
    if (state === undefined) {
      const started = this.start(record);
      this.groups.set(gk, started);
      this.spiller!.afterAdd(this.groups, started);
    } else this.update(state, record);
  }

  private start(record: unknown[]): AggState {
    return { first: this.setup.hold(record) as unknown[], values: this.aggs.map((a) => record[a.field]) };
  }

  private update(state: AggState, record: unknown[]): void {
    const { fields, kinds } = this;
    const values = state.values;
    for (let i = 0; i < fields.length; i++) {
      const v = record[fields[i]!];
      const kind = kinds[i];
      if (kind === 0) {
        if (typeof v !== 'number' && typeof v !== 'bigint') this.setup.fail(`cannot sum field ${fields[i]}: ${describeRecord(v)} is not a number`);
        values[i] = (values[i] as number) + (v as number);
      } else if (kind === 1) {
        if (compareValues(v, values[i]) < 0) values[i] = v;
      } else if (compareValues(v, values[i]) > 0) values[i] = v;
    }
  }

  /** Combines the partial state of one key from another spill partition entry. */
  private mergeInto(state: AggState, other: AggState): AggState {
    for (let i = 0; i < this.aggs.length; i++) {
      const a = this.aggs[i]!;
      const v = other.values[i];
      if (a.agg === 'SUM') state.values[i] = (state.values[i] as number) + (v as number);
      else if (a.agg === 'MIN' ? compareValues(v, state.values[i]) < 0 : compareValues(v, state.values[i]) > 0) state.values[i] = v;
    }
    return state;
  }

  private emit(state: AggState): void {
    const out = state.first.slice();
    for (let i = 0; i < this.aggs.length; i++) out[this.aggs[i]!.field] = state.values[i];
    this.next.collect(out);
  }

  close(): void {
    if (this.key === null) {
      if (this.all) this.emit(this.all);
    } else {
      if (this.spiller!.spilled) {
        this.spiller!.forEachGroup(
          this.groups,
          (a, b) => this.mergeInto(a as AggState, b as AggState),
          (s) => this.emit(s as AggState),
        );
      } else for (const s of this.groups.values()) this.emit(s);
      this.groups.clear();
    }
    this.next.close();
  }
}
