/** What a running job offers its sinks: staging files, result slots, printed lines, counters. */
export interface JobServices {
  /** The staging file a file sink's subtask writes. */
  sinkFile(nodeId: number, subtask: number): string;
  /** Hands a collect()/count() sink's share of the result to the client. */
  addResult(resultId: string, subtask: number, value: unknown[] | number): void;
  /** Lines an output() sink prints once the job has succeeded. */
  addPrinted(toError: boolean, subtask: number, lines: string[]): void;
  /** The accumulator name that counts a CSV source's skipped invalid lines. */
  invalidLinesAccumulator(nodeId: number): string;
}
