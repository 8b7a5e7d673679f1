/**
 * A compiled join's build table (optimizer/compiled-pipelines.ts) while every build key is an
 * integer: each key's first record in an open-addressing Float64Array table (group-index.ts
 * `NumberSlots`) instead of a Map, so a probe hashes the number in a few instructions and reads one cache line. Records of one key are chained as in the Map-based
 * table (join-driver.ts). Measured on the 5 M × 500 K join (bench `join`, p=1): the Map's lookups
 * were a quarter of the job's time.
 *
 * It also notes whether every record it holds is a flat tuple of one length (no nested object),
 * so that the copy a held record needs for each pair it is in is one array literal
 * (`flatCopier`) rather than the general deep copy.
 */

import { NumberSlots } from '../group-index.ts';

export class IntKeyTable {
  readonly records: unknown[] = [];
  readonly next: number[] = [];
  /** For a key's first record, its last one (where the next record of the key is linked). */
  private readonly tails: number[] = [];
  /** The keys' first records, in order of arrival. */
  private readonly firsts: number[] = [];
  matched: Uint8Array | null = null;
  /** Every record held is an array of this length without nested objects; -1: not so (or none yet: -2). */
  flatLength = -2;

  /** Each key's first record. */
  private readonly slots = new NumberSlots();

  /** Whether the table can take this key: an integer number (else the join goes back to the Map-based table). */
  static takes(key: unknown): key is number {
    return typeof key === 'number' && Number.isInteger(key);
  }

  add(key: number, r: unknown): void {
    const i = this.records.length;
    this.records.push(r);
    this.next.push(-1);
    this.noteShape(r);
    const head = this.slots.get(key);
    if (head >= 0) {
      this.next[this.tails[head]!] = i;
      this.tails[head] = i;
      this.tails.push(-1);
      return;
    }
    this.slots.set(key, i);
    this.tails.push(i);
    this.firsts.push(i);
  }

  /** The first record of a key, or -1 (also for a key that is not an integer: no build key equals it). */
  head(key: unknown): number {
    return typeof key === 'number' ? this.slots.get(key) : -1;
  }

  heads(): IterableIterator<number> {
    return this.firsts.values();
  }

  get size(): number {
    return this.records.length;
  }

  private noteShape(r: unknown): void {
    if (this.flatLength === -1) return;
    if (!Array.isArray(r) || (this.flatLength !== -2 && r.length !== this.flatLength)) {
      this.flatLength = -1;
      return;
    }
    for (let j = 0; j < r.length; j++) {
      const v = r[j];
      const t = typeof v;
      if ((t === 'object' && v !== null) || t === 'function' || t === 'symbol' || (t === 'undefined' && !(j in r))) {
        this.flatLength = -1;
        return;
      }
    }
    this.flatLength = r.length;
  }
}

const copiers = new Map<number, (r: unknown) => unknown>();

/** A copy of a flat tuple of `length` fields as one array literal (what copyRecord makes of it, faster). */
export function flatCopier(length: number): (r: unknown) => unknown {
  let copy = copiers.get(length);
  if (copy === undefined) {
    const fields = Array.from({ length }, (_, j) => `r[${j}]`).join(', ');
    copy = new Function('r', `return [${fields}];`) as (r: unknown) => unknown;
    copiers.set(length, copy);
  }
  return copy;
}
