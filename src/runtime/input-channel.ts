/** What a task reads from one of its inputs: the records every producer subtask sent to this subtask. */
export interface InputChannel {
  /** Pushes every record to `onRecord`, synchronously. */
  forEach(onRecord: (record: unknown) => void): void;
  /** All records in an array (for inputs that must be held whole: build sides, broadcast sets). */
  toArray(): unknown[];
  /**
   * The records a batch at a time, each batch read only when asked for: for a driver that awaits
   * between records (an async operator), which must not read its whole input ahead.
   */
  batches(): Iterable<readonly unknown[]>;
}
