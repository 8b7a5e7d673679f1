/**
 * Reduce: a left fold of the user's function per group (or over everything). The same operator
 * serves as the combiner before the shuffle and as the final reducer after it.
 */
import type { KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { returnedPromise } from '../emit.ts';
import { GroupIndex } from '../group-index.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { GroupSpiller } from '../spill/group-spiller.ts';
import { wrapUserError } from '../udf.ts';

export class ReduceOutput implements Output {
  private readonly f: (a: unknown, b: unknown) => unknown;
  private readonly key: KeyExtractor | null;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  /** Group key → group number (typed-array tables for short strings and integers: group-index.ts), and each group's accumulator by number. */
  private readonly index = new GroupIndex();
  private readonly accs: unknown[] = [];
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
    const i = this.index.get(gk);
    if (i === -1) {
      const held = this.setup.hold(record);
      this.index.add(gk);
      this.accs.push(held);
      if (this.spiller!.add(held)) {
        this.spiller!.spill(this.entries());
        this.clear();
      }
    } else this.accs[i] = this.apply(this.accs[i], record);
  }

  /** The groups as `[group key, accumulator]` entries, in order of arrival. */
  private *entries(): Generator<[unknown, unknown]> {
    const { keys } = this.index;
    for (let i = 0; i < keys.length; i++) yield [keys[i], this.accs[i]];
  }

  private clear(): void {
    this.index.clear();
    this.accs.length = 0;
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
        this.entries(),
        (a, b) => this.apply(a, b),
        (acc) => this.next.collect(acc),
      );
      this.clear();
    } else {
      const { accs } = this;
      for (let i = 0; i < accs.length; i++) this.next.collect(accs[i]);
      this.clear();
    }
    this.next.close();
  }
}
