/** First-n: n elements overall, or n per group (the first n in `sortGroup` order when sorted). */
import type { KeySpec, SortKey } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordComparator } from '../sort.ts';

export class FirstOutput implements Output {
  private readonly n: number;
  private readonly key: KeyExtractor | null;
  private readonly comparator: RecordComparator | null;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private readonly counts = new Map<unknown, number>();
  private readonly groups = new Map<unknown, unknown[]>();
  private count = 0;

  constructor(setup: OperatorSetup, n: number, keys: KeySpec | null, sortKeys: readonly SortKey[], next: Output) {
    this.n = n;
    this.key = keys ? setup.keyExtractor(keys) : null;
    this.comparator = sortKeys.length > 0 ? setup.sortComparator(sortKeys) : null;
    this.setup = setup;
    this.next = next;
  }

  collect(record: unknown): void {
    if (this.key === null) {
      if (this.count < this.n) {
        this.count++;
        this.next.collect(record);
      }
      return;
    }
    const gk = groupKey(this.key(record), this.setup.resources.types);
    if (this.comparator) {
      const g = this.groups.get(gk);
      if (g === undefined) this.groups.set(gk, [this.setup.hold(record)]);
      else g.push(this.setup.hold(record));
      return;
    }
    const c = this.counts.get(gk) ?? 0;
    if (c < this.n) {
      this.counts.set(gk, c + 1);
      this.next.collect(record);
    }
  }

  close(): void {
    if (this.comparator) {
      for (const g of this.groups.values()) {
        g.sort(this.comparator);
        const m = Math.min(this.n, g.length);
        for (let i = 0; i < m; i++) this.next.collect(g[i]);
      }
      this.groups.clear();
    }
    this.next.close();
  }
}
