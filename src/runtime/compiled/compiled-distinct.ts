/**
 * A compiled distinct (optimizer/compiled-pipelines.ts): while every key is an integer, or a
 * tuple of integers of one length, the keys seen are kept in one Float64Array (open
 * addressing, `arity` numbers and a used flag per cell) instead of a Map of their text forms —
 * no key string built (the interpreted distinct makes one per record: groupKey's JSON), a few
 * instructions to hash. Measured on the distinct bench (10 M `user,item` rows, 4 M distinct).
 *
 * A key of another shape, or a set beyond half the operator's memory, hands the keys seen so far
 * to the interpreted operator (DistinctOutput.markSeen), which goes on from there — with its
 * spilling — so the records passed on are the same either way.
 */
import type { KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import type { KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { DistinctOutput } from '../operators/distinct-output.ts';

export class CompiledDistinctOutput implements Output {
  private readonly key: KeyExtractor;
  private readonly next: Output;
  private readonly fallback: DistinctOutput;
  private readonly limitBytes: number;
  private handedOver = false;
  /** Keys are tuples of this many integers (scalar: one integer, not in a tuple); -1 until the first key. */
  private arity = -1;
  private scalar = false;
  private width = 0; // arity + 1: the cell's numbers and its used flag
  private cells = new Float64Array(0);
  private mask = -1;
  private used = 0;

  constructor(setup: OperatorSetup, keys: KeySpec, next: Output) {
    this.key = setup.keyExtractor(keys);
    this.next = next;
    this.fallback = new DistinctOutput(setup, keys, next);
    this.limitBytes = setup.memoryLimitBytes() / 2;
  }

  collect(record: unknown): void {
    if (this.handedOver) {
      this.fallback.collect(record);
      return;
    }
    const k = this.key(record);
    if (this.arity < 0 && !this.start(k)) {
      this.handOver(record);
      return;
    }
    if (!this.fits(k)) {
      this.handOver(record);
      return;
    }
    if (this.insert(k)) this.next.collect(record);
  }

  close(): void {
    if (this.handedOver) this.fallback.close();
    else this.next.close();
  }

  /** The shape of the keys, from the first: false when it is not one this set takes. */
  private start(k: unknown): boolean {
    if (typeof k === 'number') {
      if (!Number.isInteger(k)) return false;
      this.scalar = true;
      this.arity = 1;
    } else if (Array.isArray(k) && k.length > 0) this.arity = k.length;
    else return false;
    this.width = this.arity + 1;
    this.cells = new Float64Array(1024 * this.width);
    this.mask = 1023;
    return true;
  }

  private fits(k: unknown): boolean {
    if (this.scalar) return typeof k === 'number' && Number.isInteger(k);
    if (!Array.isArray(k) || k.length !== this.arity) return false;
    for (let j = 0; j < k.length; j++) if (!Number.isInteger(k[j])) return false;
    return true;
  }

  /** Adds the key; true when it was not there yet. */
  private insert(k: unknown): boolean {
    const { cells, mask, width, arity } = this;
    let h = 0x811c9dc5;
    for (let j = 0; j < arity; j++) h = mix(h, this.scalar ? (k as number) : (k as number[])[j]!);
    let s = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const at = s * width;
      if (cells[at + arity] === 0) break;
      let same = true;
      for (let j = 0; j < arity; j++) {
        if (cells[at + j] !== (this.scalar ? (k as number) : (k as number[])[j])) {
          same = false;
          break;
        }
      }
      if (same) return false;
      s = (s + 1) & mask;
    }
    const at = s * width;
    for (let j = 0; j < arity; j++) cells[at + j] = this.scalar ? (k as number) : (k as number[])[j]!;
    cells[at + arity] = 1;
    if (++this.used * 2 > mask) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.cells;
    const { width, arity } = this;
    const capacity = 2 * (this.mask + 1);
    if (capacity * width * 8 > this.limitBytes) {
      this.handOver(null);
      return;
    }
    const cells = new Float64Array(capacity * width);
    const mask = capacity - 1;
    for (let at = 0; at < old.length; at += width) {
      if (old[at + arity] === 0) continue;
      let h = 0x811c9dc5;
      for (let j = 0; j < arity; j++) h = mix(h, old[at + j]!);
      let s = (h ^ (h >>> 15)) & mask;
      while (cells[s * width + arity] !== 0) s = (s + 1) & mask;
      const to = s * width;
      for (let j = 0; j < width; j++) cells[to + j] = old[at + j]!;
    }
    this.cells = cells;
    this.mask = mask;
  }

  /** From here on the interpreted operator decides: it learns every key seen, then takes `record` (if any). */
  private handOver(record: unknown): void {
    this.handedOver = true;
    const { cells, width, arity } = this;
    for (let at = 0; at < cells.length; at += width) {
      if (cells[at + arity] === 0) continue;
      this.fallback.markSeen(this.scalar ? cells[at]! : Array.from(cells.subarray(at, at + arity)));
    }
    this.cells = new Float64Array(0);
    if (record !== null) this.fallback.collect(record);
  }
}

/** One integer mixed into a hash (its low and high 32 bits; 0 and -0 alike, as they are one key). */
function mix(h: number, v: number): number {
  const lo = v | 0;
  const hi = (v / 4294967296) | 0;
  return Math.imul(Math.imul(h ^ lo, 0x9e3779b1) ^ hi, 0x85ebca6b);
}
