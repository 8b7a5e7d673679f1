/**
 * Aggregate (sum/min/max/count/avg of tuple fields) per group or over everything. The result is
 * the group's first tuple with each aggregated field replaced; it is also its own combiner, which
 * always runs before it (optimizer: an aggregate is always combined): a combiner's COUNT field is
 * the part's count, which the final operator sums, and its AVG field a `[sum, count]` pair, which
 * the final operator adds up and divides.
 *
 * Layout (the combiner's loop is WordCount's hottest code): a GroupIndex from group key to a
 * small integer (typed-array tables for short strings and integers, a Map for other keys), the
 * group's first tuple in `firsts[i]` and each running value in `columns[j][i]`. Measured on 12 M
 * words: a Map holding per-group state objects cost 1.9× the hand-written `Map.get`/`Map.set` of
 * counts; a Map of small integers with this layout cost about the same as it; the GroupIndex
 * made the bench's group-by (10 M rows, 100 K keys) faster than it (group-index.ts).
 */
import type { AggregationSpec, KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { compareValues } from '../compare.ts';
import { describeRecord } from '../describe-record.ts';
import { GroupIndex } from '../group-index.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { GroupSpiller } from '../spill/group-spiller.ts';

const SUM = 0;
const MIN = 1;
const MAX = 2;
const COUNT = 3;
const AVG = 4;
const KINDS: Readonly<Record<AggregationSpec['agg'], number>> = { SUM, MIN, MAX, COUNT, AVG };

/** What a group spills as: `[first, value₀, value₁, …]`. */
type AggState = unknown[];

export class AggregateOutput implements Output {
  private readonly key: KeyExtractor | null;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private readonly index = new GroupIndex();
  private readonly firsts: unknown[][] = [];
  private readonly columns: unknown[][];
  private readonly spiller: GroupSpiller | null;

  private readonly fields: number[];
  private readonly kinds: number[];
  /** Per aggregation, for AVG: each group's count beside its sum in `columns`. */
  private readonly counts: number[][];
  /** A combiner: COUNT and AVG emit their partial state (see above). */
  private readonly combiner: boolean;
  private readonly minLength: number;
  private readonly types: OperatorSetup['resources']['types'];
  /** The key's position when the key is one field position (the common case, read inline); else -1. */
  private readonly keyPos: number;

  constructor(setup: OperatorSetup, aggs: readonly AggregationSpec[], keys: KeySpec | null, next: Output) {
    this.fields = aggs.map((a) => a.field);
    this.combiner = setup.op.strategy === 'COMBINE';
    // What reaches the final operator is a combiner's: its counts are summed.
    this.kinds = aggs.map((a) => (a.agg === 'COUNT' && !this.combiner ? SUM : KINDS[a.agg]));
    this.columns = aggs.map(() => []);
    this.counts = aggs.map(() => []);
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
      // Name what is out of range: the grouping key, or the aggregated field.
      const what = this.keyPos >= record.length ? `the grouping key field ${this.keyPos}` : `aggregate field ${this.fields.find((f) => f >= record.length)}`;
      this.setup.fail(`${what} is out of range for a tuple of ${record.length} fields: ${describeRecord(record)}`);
    }
    let i: number;
    if (this.key === null) i = this.firsts.length === 0 ? -1 : 0;
    else {
      const k = this.keyPos >= 0 ? record[this.keyPos] : this.key(record);
      // A string key is its own group key (see groupKey).
      const gk = typeof k === 'string' && k.charCodeAt(0) !== 0 ? k : groupKey(k, this.types);
      i = this.index.get(gk);
      if (i === -1) {
        this.index.add(gk);
        this.start(record);
        if (this.spiller!.add(record, this.fields.length)) this.spill();
        return;
      }
    }
    if (i === -1) {
      this.start(record);
      return;
    }
    const { fields, kinds, columns } = this;
    for (let j = 0; j < fields.length; j++) {
      const v = record[fields[j]!];
      const column = columns[j]!;
      const kind = kinds[j];
      if (kind === SUM) {
        if (typeof v !== 'number' && typeof v !== 'bigint') this.setup.fail(`cannot sum field ${fields[j]}: ${describeRecord(v)} is not a number`);
        column[i] = (column[i] as number) + (v as number);
      } else if (kind === MIN) {
        if (compareValues(v, column[i]) < 0) column[i] = v;
      } else if (kind === MAX) {
        if (compareValues(v, column[i]) > 0) column[i] = v;
      } else if (kind === COUNT) column[i] = (column[i] as number) + 1;
      else {
        column[i] = (column[i] as number) + this.avgSum(j, v);
        this.counts[j]![i]! += this.combiner ? 1 : (v as [number, number])[1];
      }
    }
  }

  /**
   * For a compiled pipeline (runtime/compiled/pipeline.ts): code that adds the tuple in `r` to
   * its group in place and returns — for a group that exists, a string or number key, and SUM
   * fields that are numbers; anything else (a new group, the first record, another key or value,
   * a tuple too short) falls through to `collect`, which the code ends with. Its free names start
   * with `prefix` and are the returned bindings. Null when no update is generated (AVG, a key
   * that is not one field position).
   */
  compiledUpdate(prefix: string): { code: string; bindings: Record<string, unknown> } | null {
    if (this.kinds.includes(AVG) || (this.key !== null && this.keyPos < 0)) return null;
    const bindings: Record<string, unknown> = { [`${prefix}op`]: this, [`${prefix}index`]: this.index, [`${prefix}firsts`]: this.firsts, [`${prefix}compare`]: compareValues };
    const checks: string[] = [];
    const updates: string[] = [];
    this.kinds.forEach((kind, j) => {
      const column = `${prefix}c${j}`;
      bindings[column] = this.columns[j];
      if (kind === SUM) {
        checks.push(`typeof x${j} === 'number'`);
        updates.push(`${column}[i] += x${j};`);
      } else if (kind === COUNT) updates.push(`${column}[i] += 1;`);
      else updates.push(`if (${prefix}compare(x${j}, ${column}[i]) ${kind === MIN ? '<' : '>'} 0) ${column}[i] = x${j};`);
    });
    const reads = this.fields.map((field, j) => (this.kinds[j] === COUNT ? '' : `const x${j} = r[${field}];`)).join(' ');
    const group =
      this.key === null
        ? `const i = ${prefix}firsts.length === 0 ? -1 : 0;`
        : `const k = r[${this.keyPos}]; const i = typeof k === 'number' || (typeof k === 'string' && k.charCodeAt(0) !== 0) ? ${prefix}index.get(k) : -1;`;
    const code = `if (Array.isArray(r) && r.length >= ${this.minLength}) {
      ${group}
      if (i !== -1) {
        ${reads}
        if (${checks.length === 0 ? 'true' : checks.join(' && ')}) { ${updates.join(' ')} return; }
      }
    }
    ${prefix}op.collect(r);`;
    return { code, bindings };
  }

  private start(record: unknown[]): void {
    this.firsts.push(this.setup.hold(record) as unknown[]);
    for (let j = 0; j < this.fields.length; j++) {
      const v = record[this.fields[j]!];
      const kind = this.kinds[j];
      if (kind === COUNT) this.columns[j]!.push(1);
      else if (kind === AVG) {
        this.columns[j]!.push(this.avgSum(j, v));
        this.counts[j]!.push(this.combiner ? 1 : (v as [number, number])[1]);
      } else {
        if (kind === SUM && typeof v !== 'number' && typeof v !== 'bigint') this.setup.fail(`cannot sum field ${this.fields[j]}: ${describeRecord(v)} is not a number`);
        this.columns[j]!.push(v);
      }
    }
  }

  /** What an AVG field adds to its group's sum: the number (a combiner), or a combiner's partial sum. */
  private avgSum(j: number, v: unknown): number {
    if (!this.combiner) return (v as [number, number])[0];
    if (typeof v !== 'number') this.setup.fail(`cannot average field ${this.fields[j]}: ${describeRecord(v)} is not a number`);
    return v;
  }

  /** Aggregation j's value for group i as it leaves this operator (or spills). */
  private valueOf(j: number, i: number, finished: boolean): unknown {
    if (this.kinds[j] !== AVG) return this.columns[j]![i];
    const sum = this.columns[j]![i] as number;
    const count = this.counts[j]![i]!;
    return finished && !this.combiner ? sum / count : [sum, count];
  }

  /** The groups as `[key, state]` entries, and the operator empty again. */
  private *drain(): Generator<[unknown, AggState]> {
    const { keys } = this.index;
    for (let i = 0; i < keys.length; i++) yield [keys[i], this.state(i)];
    this.reset();
  }

  private state(i: number): AggState {
    const state: AggState = [this.firsts[i]];
    for (let j = 0; j < this.columns.length; j++) state.push(this.valueOf(j, i, false));
    return state;
  }

  private reset(): void {
    this.index.clear();
    this.firsts.length = 0;
    for (const column of this.columns) column.length = 0;
    for (const counts of this.counts) counts.length = 0;
  }

  private spill(): void {
    this.spiller!.spill(this.drain());
  }

  /** Combines the partial state of one key from another spill partition entry. */
  private mergeInto(state: AggState, other: AggState): AggState {
    for (let j = 0; j < this.kinds.length; j++) {
      const v = other[j + 1];
      const kind = this.kinds[j];
      if (kind === SUM || kind === COUNT) state[j + 1] = (state[j + 1] as number) + (v as number);
      else if (kind === AVG) {
        const [sum, count] = state[j + 1] as [number, number];
        state[j + 1] = [sum + (v as [number, number])[0], count + (v as [number, number])[1]];
      } else if (kind === MIN ? compareValues(v, state[j + 1]) < 0 : compareValues(v, state[j + 1]) > 0) state[j + 1] = v;
    }
    return state;
  }

  private emitState(state: AggState): void {
    const out = (state[0] as unknown[]).slice();
    for (let j = 0; j < this.fields.length; j++) {
      const v = state[j + 1];
      out[this.fields[j]!] = this.kinds[j] === AVG && !this.combiner ? (v as [number, number])[0] / (v as [number, number])[1] : v;
    }
    this.next.collect(out);
  }

  close(): void {
    if (this.spiller?.spilled) {
      this.spiller.forEachGroup(
        this.drain(),
        (a, b) => this.mergeInto(a as AggState, b as AggState),
        (s) => this.emitState(s as AggState),
      );
    } else {
      const { firsts, fields } = this;
      for (let i = 0; i < firsts.length; i++) {
        const out = firsts[i]!.slice();
        for (let j = 0; j < fields.length; j++) out[fields[j]!] = this.valueOf(j, i, true);
        this.next.collect(out);
      }
      this.reset();
    }
    this.next.close();
  }
}
