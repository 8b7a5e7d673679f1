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

  constructor(setup: OperatorSetup, aggs: readonly AggregationSpec[], keys: KeySpec | null, next: Output) {
    this.aggs = aggs;
    this.key = keys ? setup.keyExtractor(keys) : null;
    this.setup = setup;
    this.next = next;
    this.spiller = keys ? setup.groupSpiller() : null;
  }

  collect(record: unknown): void {
    if (!Array.isArray(record)) this.setup.fail(`aggregate needs tuples, got ${describeRecord(record)}`);
    for (const a of this.aggs) {
      if (a.field >= record.length) this.setup.fail(`aggregate field ${a.field} is out of range for a tuple of ${record.length} fields: ${describeRecord(record)}`);
    }
    if (this.key === null) {
      if (this.all === null) this.all = this.start(record);
      else this.update(this.all, record);
      return;
    }
    const gk = groupKey(this.key(record), this.setup.resources.types);
    const state = this.groups.get(gk);
    if (state === undefined) {
      this.groups.set(gk, this.start(record));
      this.spiller!.afterAdd(this.groups);
    } else this.update(state, record);
  }

  private start(record: unknown[]): AggState {
    return { first: this.setup.hold(record) as unknown[], values: this.aggs.map((a) => record[a.field]) };
  }

  private update(state: AggState, record: unknown[]): void {
    for (let i = 0; i < this.aggs.length; i++) {
      const a = this.aggs[i]!;
      const v = record[a.field];
      const cur = state.values[i];
      if (a.agg === 'SUM') {
        if (typeof v !== 'number' && typeof v !== 'bigint') this.setup.fail(`cannot sum field ${a.field}: ${describeRecord(v)} is not a number`);
        state.values[i] = (cur as number) + (v as number);
      } else if (a.agg === 'MIN') {
        if (compareValues(v, cur) < 0) state.values[i] = v;
      } else if (compareValues(v, cur) > 0) state.values[i] = v;
    }
  }

  /** Combines the partial state of one key from another spill run. */
  private mergeInto(state: AggState, other: AggState): void {
    for (let i = 0; i < this.aggs.length; i++) {
      const a = this.aggs[i]!;
      const v = other.values[i];
      if (a.agg === 'SUM') state.values[i] = (state.values[i] as number) + (v as number);
      else if (a.agg === 'MIN' ? compareValues(v, state.values[i]) < 0 : compareValues(v, state.values[i]) > 0) state.values[i] = v;
    }
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
        this.spiller!.forEachGroup(this.groups, (states) => {
          const merged = states[0] as AggState;
          for (let i = 1; i < states.length; i++) this.mergeInto(merged, states[i] as AggState);
          this.emit(merged);
        });
      }
      for (const s of this.groups.values()) this.emit(s);
      this.groups.clear();
    }
    this.next.close();
  }
}
