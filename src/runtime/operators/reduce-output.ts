/**
 * Reduce: a left fold of the user's function per group (or over everything). The same operator
 * serves as the combiner before the shuffle and as the final reducer after it.
 */
import type { KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { returnedPromise } from '../emit.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { GroupSpiller } from '../spill/group-spiller.ts';
import { wrapUserError } from '../udf.ts';

export class ReduceOutput implements Output {
  private readonly f: (a: unknown, b: unknown) => unknown;
  private readonly key: KeyExtractor | null;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private readonly groups = new Map<unknown, unknown>();
  private all: unknown;
  private seen = false;
  private readonly spiller: GroupSpiller | null;

  /** `f`: the user's reduce function as it runs on the records given (onPairs: key-pairs.ts). */
  constructor(setup: OperatorSetup, f: (a: unknown, b: unknown) => unknown, keys: KeySpec | null, next: Output) {
    this.f = f;
    this.key = keys ? setup.keyExtractor(keys) : null;
    this.setup = setup;
    this.next = next;
    this.spiller = keys ? setup.groupSpiller() : null;
  }

  collect(record: unknown): void {
    if (this.key === null) {
      if (!this.seen) {
        this.seen = true;
        this.all = this.setup.hold(record);
      } else this.all = this.apply(this.all, record);
      return;
    }
    const gk = groupKey(this.key(record), this.setup.resources.types);
    const acc = this.groups.get(gk);
    if (acc === undefined && !this.groups.has(gk)) {
      const held = this.setup.hold(record);
      this.groups.set(gk, held);
      this.spiller!.afterAdd(this.groups, held);
    } else this.groups.set(gk, this.apply(acc, record));
  }

  /** The new accumulator, held: a function may return an object it fills again on every call. */
  private apply(acc: unknown, record: unknown): unknown {
    let result: unknown;
    try {
      result = this.f(acc, record);
    } catch (e) {
      throw wrapUserError(this.setup.name, record, e);
    }
    if (result instanceof Promise) throw returnedPromise(this.setup.name);
    if (result === acc) return acc;
    return result === record ? this.setup.hold(record) : this.setup.copy(result);
  }

  close(): void {
    if (this.key === null) {
      if (this.seen) this.next.collect(this.all);
    } else if (this.spiller!.spilled) {
      // Partial results of a key from several spills: fold them (reduce is associative by contract).
      this.spiller!.forEachGroup(
        this.groups,
        (a, b) => this.apply(a, b),
        (acc) => this.next.collect(acc),
      );
    } else {
      for (const v of this.groups.values()) this.next.collect(v);
      this.groups.clear();
    }
    this.next.close();
  }
}
