/** What a task reads from one of its inputs: the records every producer subtask sent to this subtask. */
export interface InputChannel {
  /** Pushes every record to `onRecord`, synchronously. */
  forEach(onRecord: (record: unknown) => void): void;
  /** All records in an array (for inputs that must be held whole: build sides, broadcast sets). */
  toArray(): unknown[];
}
