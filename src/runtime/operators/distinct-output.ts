/** Distinct: passes on the first element of every key and drops the rest (combiner and reducer alike). */
import type { KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';

export class DistinctOutput implements Output {
  private readonly key: KeyExtractor;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private readonly seen = new Set<unknown>();

  constructor(setup: OperatorSetup, keys: KeySpec, next: Output) {
    this.key = setup.keyExtractor(keys);
    this.setup = setup;
    this.next = next;
  }

  collect(record: unknown): void {
    const gk = groupKey(this.key(record), this.setup.resources.types);
    if (this.seen.has(gk)) return;
    this.seen.add(gk);
    this.next.collect(record);
  }

  close(): void {
    this.seen.clear();
    this.next.close();
  }
}
