/**
 * Accumulators: per-instance counters that a rich function registers with
 * `ctx.addAccumulator(name, acc)`; `execute()` returns the merged value of every instance.
 */
import { TRAVELS } from './functions.ts';

export interface Accumulator<V> {
  add(value: V): void;
  getLocalValue(): V;
  resetLocal(): void;
  merge(other: Accumulator<V>): void;
  clone(): Accumulator<V>;
}

/** How the engine merges a built-in counter's values when instances live in different threads. */
const MERGE_KIND = Symbol.for('tsflink.accumulatorKind');

abstract class NumberCounter implements Accumulator<number> {
  /** Counters held by a rich function travel to workers with it (serde/closures/pack.ts). */
  static readonly [TRAVELS] = true;
  readonly [MERGE_KIND]: 'sum' | 'int32' = 'sum';
  protected value: number;
  constructor(initial = 0) {
    this.value = initial;
  }
  add(value: number): void {
    this.value += value;
  }
  getLocalValue(): number {
    return this.value;
  }
  resetLocal(): void {
    this.value = 0;
  }
  merge(other: Accumulator<number>): void {
    this.value += other.getLocalValue();
  }
  abstract clone(): Accumulator<number>;
}

export class IntCounter extends NumberCounter {
  override readonly [MERGE_KIND] = 'int32' as const;
  override add(value: number): void {
    this.value = (this.value + value) | 0;
  }
  clone(): IntCounter {
    return new IntCounter(this.value);
  }
}

export class LongCounter extends NumberCounter {
  clone(): LongCounter {
    return new LongCounter(this.value);
  }
}

export class DoubleCounter extends NumberCounter {
  clone(): DoubleCounter {
    return new DoubleCounter(this.value);
  }
}
