/**
 * How much an operator may hold before it spills. Measured, not guessed: the heap this
 * isolate (the main thread or one worker thread) uses beyond what it used when the operator
 * started, checked every few thousand records (a heap-statistics call costs about a microsecond).
 */
import { getHeapStatistics } from 'node:v8';

const CHECK_EVERY = 2048;

export class MemoryBudget {
  private readonly limit: number;
  private base: number;
  private counter = 0;
  /** Records taken since the last spill; a spill waits until there are enough to be worth a run. */
  private sinceSpill = 0;
  private minRun = 0;

  constructor(limitBytes: number) {
    this.limit = limitBytes;
    this.base = getHeapStatistics().used_heap_size;
  }

  /** Call once per record held; true when the holder should spill now. */
  exceeded(): boolean {
    this.sinceSpill++;
    if (++this.counter < CHECK_EVERY) return false;
    this.counter = 0;
    if (this.sinceSpill < this.minRun) return false;
    return getHeapStatistics().used_heap_size - this.base > this.limit;
  }

  /** The holder spilled `records`: wait for at least half as many before spilling again (the GC lags). */
  spilled(records: number): void {
    this.minRun = records >> 1;
    this.sinceSpill = 0;
  }
}
