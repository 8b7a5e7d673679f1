/**
 * Random samples of a data set, as Flink's DataSetUtils.sample / sampleWithSize:
 * - `sample(withReplacement, fraction, seed?)`: each element independently — kept with
 *   probability `fraction` (Bernoulli), or repeated a Poisson(`fraction`) number of times with
 *   replacement — in each partition, no shuffle.
 * - `sampleWithSize(withReplacement, n, seed?)`: exactly n elements (fewer only if the set is
 *   smaller, without replacement): every element gets a random weight in its partition, each
 *   partition keeps its n heaviest, and one instance keeps the n heaviest of those (with
 *   replacement: for each of the n slots, the heaviest element of the whole set).
 * A seed makes the sample repeatable for the same partitioning; each subtask derives its own
 * stream from it. The functions are tsflink's own exported classes, so they travel by name.
 */
import { type Collector, GroupReduceFunction, MapPartitionFunction } from './functions.ts';
import { seededRandom } from './seeded-random.ts';

function subtaskSeed(seed: number, subtask: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(subtask + 1, 0x85ebca77)) >>> 0;
}

/** A Poisson(mean) count (Knuth's method; means here are fractions of the order of 1). */
function poisson(mean: number, rng: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rng(); p > limit; p *= rng()) k++;
  return k;
}

export class SampleFunction<T> extends MapPartitionFunction<T, T> {
  readonly withReplacement: boolean;
  readonly fraction: number;
  readonly seed: number;
  constructor(withReplacement: boolean, fraction: number, seed: number) {
    super();
    this.withReplacement = withReplacement;
    this.fraction = fraction;
    this.seed = seed;
  }
  mapPartition(values: Iterable<T>, out: Collector<T>): void {
    const rng = seededRandom(subtaskSeed(this.seed, this.context.getIndexOfThisSubtask()));
    for (const v of values) {
      if (!this.withReplacement) {
        if (rng() < this.fraction) out.collect(v);
      } else for (let k = poisson(this.fraction, rng); k > 0; k--) out.collect(v);
    }
  }
}

/** `[weight, slot, element]`: without replacement every slot is 0. */
type Weighted<T> = [number, number, T];

/** The n heaviest items offered (a min-heap on the weight); an item is made only when it is kept. */
class Heaviest<T> {
  readonly items: Weighted<T>[] = [];
  private readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  offer(weight: number, slot: number, value: T): void {
    const heap = this.items;
    if (heap.length < this.n) {
      heap.push([weight, slot, value]);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (heap[parent]![0] <= heap[i]![0]) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
      return;
    }
    if (this.n === 0 || weight <= heap[0]![0]) return;
    heap[0] = [weight, slot, value];
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l;
      if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}

export class WeighPartitionFunction<T> extends MapPartitionFunction<T, Weighted<T>> {
  readonly withReplacement: boolean;
  readonly size: number;
  readonly seed: number;
  constructor(withReplacement: boolean, size: number, seed: number) {
    super();
    this.withReplacement = withReplacement;
    this.size = size;
    this.seed = seed;
  }
  mapPartition(values: Iterable<T>, out: Collector<Weighted<T>>): void {
    const rng = seededRandom(subtaskSeed(this.seed, this.context.getIndexOfThisSubtask()));
    if (!this.withReplacement) {
      const keep = new Heaviest<T>(this.size);
      for (const v of values) keep.offer(rng(), 0, v);
      for (const w of keep.items) out.collect(w);
      return;
    }
    // With replacement: each slot keeps the heaviest element of the partition, independently.
    const best: (Weighted<T> | undefined)[] = new Array(this.size);
    // O(n · size): meant for samples of modest size, as Flink's reservoir samplers are.
    for (const v of values) {
      for (let slot = 0; slot < this.size; slot++) {
        const w = rng();
        const b = best[slot];
        if (b === undefined) best[slot] = [w, slot, v];
        else if (w > b[0]) {
          b[0] = w;
          b[2] = v;
        }
      }
    }
    for (const b of best) if (b !== undefined) out.collect(b);
  }
}

export class KeepHeaviestFunction<T> extends GroupReduceFunction<Weighted<T>, T> {
  readonly withReplacement: boolean;
  readonly size: number;
  constructor(withReplacement: boolean, size: number) {
    super();
    this.withReplacement = withReplacement;
    this.size = size;
  }
  reduce(values: Iterable<Weighted<T>>, out: Collector<T>): void {
    if (!this.withReplacement) {
      const keep = new Heaviest<T>(this.size);
      for (const [w, slot, v] of values) keep.offer(w, slot, v);
      for (const [, , v] of keep.items) out.collect(v);
      return;
    }
    const best: (Weighted<T> | undefined)[] = new Array(this.size);
    for (const w of values) if (best[w[1]] === undefined || w[0] > best[w[1]]![0]) best[w[1]] = w;
    for (const b of best) if (b !== undefined) out.collect(b[2]);
  }
}
