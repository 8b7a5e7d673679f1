/**
 * What one run of a subtask did, for the job's monitor (metrics/job-figures.ts): plain integer
 * fields that the channels, exchange writers and sinks add to at their batch boundaries (never
 * per record), and the thread's counters of source bytes read and spilled bytes, read as
 * differences from where they stood when the subtask started.
 *
 * Those thread counters, and the busy time, assume that one subtask of this thread runs at a
 * time, which holds for synchronous subtasks; a pipelined producer (local-executor.ts) runs
 * inside its consumer, so a meter that finishes hands its share to the one it ran inside.
 */
import type { FiguresDelta } from '../metrics/job-figures.ts';
import { readStatistics } from '../io/read-statistics.ts';
import { spillStatistics } from './spill/spill-runs.ts';

const spilledSoFar = (): number => spillStatistics.bytes + spillStatistics.exchangeBytes;

let active: SubtaskMeter | null = null;

export class SubtaskMeter {
  recordsIn = 0;
  recordsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Called at every batch boundary the meter sees (a worker sends its deltas from here, at most every 250 ms). */
  onBatch: (() => void) | null = null;
  private readBase = readStatistics.bytes;
  private spillBase = spilledSoFar();
  private startedAt = performance.now();
  private busyMs = 0;
  private outer: SubtaskMeter | null = null;

  /** The subtask starts running in this thread. */
  start(): this {
    this.outer = active;
    active = this;
    this.readBase = readStatistics.bytes;
    this.spillBase = spilledSoFar();
    this.startedAt = performance.now();
    return this;
  }

  batch(): void {
    this.onBatch?.();
  }

  /** What was counted since the last take (and clears it). */
  take(): FiguresDelta {
    const read = readStatistics.bytes;
    const spilled = spilledSoFar();
    const delta = {
      recordsIn: this.recordsIn,
      recordsOut: this.recordsOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      spilledBytes: spilled - this.spillBase,
      sourceBytesRead: read - this.readBase,
    };
    this.recordsIn = this.recordsOut = this.bytesIn = this.bytesOut = 0;
    // What was read or spilled while this one ran inside an outer subtask is this one's, not its.
    if (this.outer !== null) {
      this.outer.readBase += read - this.readBase;
      this.outer.spillBase += spilled - this.spillBase;
    }
    this.readBase = read;
    this.spillBase = spilled;
    return delta;
  }

  /**
   * The subtask has ended: its last delta, and its busy time (wall time in runSubtask less what
   * ran inside it; Node 20 has no per-thread CPU clock, and a worker thread's process.cpuUsage()
   * is the whole process's).
   */
  finish(): { delta: FiguresDelta; cpuMs: number } {
    const delta = this.take();
    const ms = performance.now() - this.startedAt - this.busyMs;
    if (active === this) active = this.outer;
    // The time it ran inside the outer subtask is this one's, not its (take() handed over the bytes).
    if (this.outer !== null) this.outer.busyMs += ms + this.busyMs;
    this.outer = null;
    return { delta, cpuMs: Math.round(ms) };
  }
}
