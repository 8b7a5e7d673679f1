/**
 * The group numbers of a hash aggregate's keys (aggregate-output.ts): group key (keys.ts
 * `groupKey`) → 0, 1, 2, … in order of arrival. It answers what a `Map` would, faster for the
 * two kinds of key most jobs group on:
 * - a short string (at most 7 characters, each in 1–127) is packed into one number, 7 bits a
 *   character, and looked up in an open-addressing table of numbers; one of 8 to 14 such
 *   characters into two numbers (its first 7 characters and the rest), in a table of pairs;
 * - an integer number is looked up in a second such table;
 * - anything else (longer or non-ASCII strings, fractions, NaN, bigints, groupKey's strings for
 *   tuples) goes in a `Map`.
 * A lookup in a table hashes a number in a few instructions and reads one cache line; a Map's
 * lookup of a string that has just been sliced from the input hashes its characters and follows
 * several pointers. Measured on 10 M lookups of fresh 6-character strings among 100 K keys
 * (the bench's group-by keys): Map.get 1.3 s, packed 0.45 s.
 */

/** A pair's first slot: both numbers mixed as `slotOf` mixes one. */
function slotOfPair(a: number, b: number, mask: number): number {
  let h = Math.imul((a | 0) ^ Math.imul((a / 4294967296) | 0, 0x85ebca6b), 0x9e3779b1);
  h = Math.imul(h ^ (b | 0) ^ Math.imul((b / 4294967296) | 0, 0xc2b2ae35), 0x9e3779b1);
  return (h ^ (h >>> 15)) & mask;
}

/** Characters `from` to `to` (at most 7) of `s` packed as packShortString packs a string, or -1. */
function packRange(s: string, from: number, to: number): number {
  let v = 0;
  for (let j = from; j < to; j++) {
    const c = s.charCodeAt(j);
    if (c === 0 || c > 127) return -1;
    v = v * 128 + c;
  }
  return v;
}

/** A key's first slot: its low and high 32 bits mixed (Fibonacci hashing), masked. 0 and -0 share a slot, as they are one key. */
function slotOf(key: number, mask: number): number {
  const lo = key | 0;
  const hi = (key / 4294967296) | 0;
  const h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  return (h ^ (h >>> 15)) & mask;
}

/** `s` packed into a number (base 128, no character is 0, so each string has its own), or -1 when it does not fit. */
export function packShortString(s: string): number {
  return s.length > 7 ? -1 : packRange(s, 0, s.length);
}

/** Open addressing from numbers to small non-negative integers (here group numbers; a join's first records: int-key-table.ts): cell s holds its key at 2s and its value + 1 at 2s + 1 (0: empty). */
export class NumberSlots {
  private cells = new Float64Array(2 * 1024);
  private mask = 1023;
  private used = 0;

  get(key: number): number {
    const { cells, mask } = this;
    let s = slotOf(key, mask);
    for (;;) {
      const g = cells[2 * s + 1]!;
      if (g === 0) return -1;
      if (cells[2 * s] === key) return g - 1;
      s = (s + 1) & mask;
    }
  }

  /** Adds a key that is not there. */
  set(key: number, value: number): void {
    this.place(this.cells, this.mask, key, value + 1);
    if (++this.used * 2 > this.mask) this.grow();
  }

  clear(): void {
    if (this.used === 0) return;
    this.cells = new Float64Array(2 * 1024);
    this.mask = 1023;
    this.used = 0;
  }

  private place(cells: Float64Array, mask: number, key: number, v: number): void {
    let s = slotOf(key, mask);
    while (cells[2 * s + 1] !== 0) s = (s + 1) & mask;
    cells[2 * s] = key;
    cells[2 * s + 1] = v;
  }

  private grow(): void {
    const old = this.cells;
    const slots = old.length; // twice as many as before
    const cells = new Float64Array(2 * slots);
    for (let s = 0; s < old.length; s += 2) if (old[s + 1] !== 0) this.place(cells, slots - 1, old[s]!, old[s + 1]!);
    this.cells = cells;
    this.mask = slots - 1;
  }
}

/** Open addressing from pairs of numbers to group numbers: cell s holds the pair at 4s and 4s + 1, its group + 1 at 4s + 2 (0: empty). */
class PairSlots {
  private cells = new Float64Array(4 * 1024);
  private mask = 1023;
  private used = 0;

  get(a: number, b: number): number {
    const { cells, mask } = this;
    let s = slotOfPair(a, b, mask);
    for (;;) {
      const g = cells[4 * s + 2]!;
      if (g === 0) return -1;
      if (cells[4 * s] === a && cells[4 * s + 1] === b) return g - 1;
      s = (s + 1) & mask;
    }
  }

  /** Adds a pair that is not there. */
  set(a: number, b: number, group: number): void {
    this.place(this.cells, this.mask, a, b, group + 1);
    if (++this.used * 2 > this.mask) this.grow();
  }

  clear(): void {
    if (this.used === 0) return;
    this.cells = new Float64Array(4 * 1024);
    this.mask = 1023;
    this.used = 0;
  }

  private place(cells: Float64Array, mask: number, a: number, b: number, g: number): void {
    let s = slotOfPair(a, b, mask);
    while (cells[4 * s + 2] !== 0) s = (s + 1) & mask;
    cells[4 * s] = a;
    cells[4 * s + 1] = b;
    cells[4 * s + 2] = g;
  }

  private grow(): void {
    const old = this.cells;
    const slots = old.length / 2; // twice as many as before
    const cells = new Float64Array(4 * slots);
    for (let s = 0; s < old.length; s += 4) if (old[s + 2] !== 0) this.place(cells, slots - 1, old[s]!, old[s + 1]!, old[s + 2]!);
    this.cells = cells;
    this.mask = slots - 1;
  }
}

export class GroupIndex {
  /** Each group's key, by group number. */
  readonly keys: unknown[] = [];
  private readonly strings = new NumberSlots();
  private readonly longerStrings = new PairSlots();
  private readonly integers = new NumberSlots();
  private readonly others = new Map<unknown, number>();

  /** The group of a group key, or -1. */
  get(gk: unknown): number {
    if (typeof gk === 'string') {
      const n = gk.length;
      if (n <= 7) {
        const packed = packRange(gk, 0, n);
        if (packed >= 0) return this.strings.get(packed);
      } else if (n <= 14) {
        const a = packRange(gk, 0, 7);
        const b = a < 0 ? -1 : packRange(gk, 7, n);
        if (b >= 0) return this.longerStrings.get(a, b);
      }
    } else if (typeof gk === 'number' && Number.isInteger(gk)) return this.integers.get(gk);
    const g = this.others.get(gk);
    return g === undefined ? -1 : g;
  }

  /** Gives a group key that has none its group (the next number), and returns it. */
  add(gk: unknown): number {
    const group = this.keys.length;
    this.keys.push(gk);
    if (typeof gk === 'string') {
      const n = gk.length;
      if (n <= 7) {
        const packed = packRange(gk, 0, n);
        if (packed >= 0) {
          this.strings.set(packed, group);
          return group;
        }
      } else if (n <= 14) {
        const a = packRange(gk, 0, 7);
        const b = a < 0 ? -1 : packRange(gk, 7, n);
        if (b >= 0) {
          this.longerStrings.set(a, b, group);
          return group;
        }
      }
    } else if (typeof gk === 'number' && Number.isInteger(gk)) {
      this.integers.set(gk, group);
      return group;
    }
    this.others.set(gk, group);
    return group;
  }

  get size(): number {
    return this.keys.length;
  }

  clear(): void {
    this.keys.length = 0;
    this.strings.clear();
    this.longerStrings.clear();
    this.integers.clear();
    this.others.clear();
  }
}
