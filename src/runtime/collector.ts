/** The push interface every operator of a task chain implements. */
export interface Output {
  /** Takes one record; synchronous. */
  collect(record: unknown): void;
  /** End of input: flush what is held and close downstream. */
  close(): void;
}

/** The collector handed to user functions: forwards to an Output. */
export class UserCollector {
  private readonly out: Output;
  constructor(out: Output) {
    this.out = out;
  }
  collect(value: unknown): void {
    this.out.collect(value);
  }
}
