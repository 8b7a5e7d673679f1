/**
 * Bytes the file sources of this thread have read, counted per chunk or per positioned read
 * (never per record). The runtime reads differences of it around a subtask (subtask-meter.ts);
 * `onRead`, when set, is called after each count (the in-thread engine's progress: its subtasks
 * run synchronously, so their figures are reported from inside them, see local-executor.ts).
 */
export const readStatistics: { bytes: number; onRead: (() => void) | null } = { bytes: 0, onRead: null };

/** A source read `n` bytes. */
export function countRead(n: number): void {
  readStatistics.bytes += n;
  readStatistics.onRead?.();
}
