/** Pairs every record with its key, `[key, record]`, for reductions that carry the key (PhysicalOperator.keyedPairs). */
import type { Output } from '../collector.ts';
import type { KeyExtractor } from '../keys.ts';

export class KeyWrapOutput implements Output {
  private readonly key: KeyExtractor;
  private readonly next: Output;
  constructor(key: KeyExtractor, next: Output) {
    this.key = key;
    this.next = next;
  }
  collect(record: unknown): void {
    this.next.collect([this.key(record), record]);
  }
  close(): void {
    this.next.close();
  }
}
