/** Distinct: passes on the first element of every key and drops the rest (combiner and reducer alike). */
import type { KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { GroupSpiller } from '../spill/group-spiller.ts';

const EMITTED = 0;

export class DistinctOutput implements Output {
  private readonly key: KeyExtractor;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  /** Key → EMITTED, or (after a spill, when a key may sit in a run already) `[record]` still to decide. */
  private readonly seen = new Map<unknown, unknown>();
  private readonly spiller: GroupSpiller;

  constructor(setup: OperatorSetup, keys: KeySpec, next: Output) {
    this.key = setup.keyExtractor(keys);
    this.setup = setup;
    this.next = next;
    this.spiller = setup.groupSpiller();
  }

  collect(record: unknown): void {
    const gk = groupKey(this.key(record), this.setup.resources.types);
    if (this.seen.has(gk)) return;
    if (this.spiller.spilled) {
      const pending = [this.setup.hold(record)];
      this.seen.set(gk, pending);
      this.spiller.afterAdd(this.seen, pending);
    } else {
      this.seen.set(gk, EMITTED);
      this.next.collect(record);
      this.spiller.afterAdd(this.seen, gk);
    }
  }

  /** A key a compiled distinct (runtime/compiled/compiled-distinct.ts) has passed a record of on already. */
  markSeen(key: unknown): void {
    const gk = groupKey(key, this.setup.resources.types);
    if (this.seen.has(gk)) return;
    this.seen.set(gk, EMITTED);
    this.spiller.afterAdd(this.seen, gk);
  }

  close(): void {
    if (this.spiller.spilled) {
      this.spiller.forEachGroup(
        this.seen,
        (a, b) => (a === EMITTED || b === EMITTED ? EMITTED : a),
        (state) => {
          if (state !== EMITTED) this.next.collect((state as unknown[])[0]);
        },
      );
    }
    this.seen.clear();
    this.next.close();
  }
}
