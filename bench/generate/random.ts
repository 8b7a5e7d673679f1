/**
 * Seeded randomness for the generators: the same seed gives the same bytes on every machine,
 * so every contender of every run reads identical data.
 */

export { seededRandom } from '../../src/api/seeded-random.ts';

/** A uniform integer in [0, n). */
export function randomInt(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

/**
 * Ranks 0..n-1 drawn with probability ∝ 1/(rank+1)^exponent — the shape of word frequencies in
 * natural text. Binary search over the cumulative weights: 17 steps for 100 K ranks.
 */
export class ZipfSampler {
  private readonly cumulative: Float64Array;

  constructor(n: number, exponent: number) {
    this.cumulative = new Float64Array(n);
    let total = 0;
    for (let r = 0; r < n; r++) {
      total += 1 / (r + 1) ** exponent;
      this.cumulative[r] = total;
    }
    for (let r = 0; r < n; r++) this.cumulative[r]! /= total;
  }

  sample(random: () => number): number {
    const u = random();
    const c = this.cumulative;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
