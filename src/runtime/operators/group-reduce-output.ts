/**
 * GroupReduce: gathers each group (in arrival order, then sorted by `sortGroup` keys, stably)
 * and calls the user's function once per group. As a combiner it calls `combine` (or, for a
 * plain function marked combinable, the function itself) on this partition's part of each group.
 */
import type { KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { UserCollector } from '../collector.ts';
import { emitReturned } from '../emit.ts';
import { groupKey, type KeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { GroupSpiller } from '../spill/group-spiller.ts';
import type { RecordComparator } from '../sort.ts';
import { wrapUserError } from '../udf.ts';

export type GroupFn = (values: unknown[], out: UserCollector) => unknown;

/** The user's group function; as a combiner its `combine` method, if it has one. */
export function groupFunction(setup: OperatorSetup, fnId: string, combine: boolean): GroupFn {
  return (combine ? setup.optionalMethod<GroupFn>(fnId, 'combine') : null) ?? setup.fn<GroupFn>(fnId, 'reduce');
}

export class GroupReduceOutput implements Output {
  private readonly f: GroupFn;
  private readonly key: KeyExtractor | null;
  private readonly comparator: RecordComparator | null;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private readonly groups = new Map<unknown, unknown[]>();
  private readonly all: unknown[] = [];
  private readonly spiller: GroupSpiller | null;

  /** `f` and `comparator`: the user's function and sortGroup order as they run on the records given (onPairs: key-pairs.ts). */
  constructor(setup: OperatorSetup, f: GroupFn, keys: KeySpec | null, comparator: RecordComparator | null, next: Output) {
    this.f = f;
    this.key = keys ? setup.keyExtractor(keys) : null;
    this.comparator = comparator;
    this.setup = setup;
    this.next = next;
    this.spiller = keys ? setup.groupSpiller({ accumulating: true }) : null;
  }

  collect(record: unknown): void {
    const held = this.setup.hold(record);
    if (this.key === null) {
      this.all.push(held);
      return;
    }
    const gk = groupKey(this.key(record), this.setup.resources.types);
    const group = this.groups.get(gk);
    if (group === undefined) this.groups.set(gk, [held]);
    else group.push(held);
    this.spiller!.afterAdd(this.groups, held);
  }

  close(): void {
    const collector = new UserCollector(this.next);
    if (this.key === null) {
      if (this.all.length > 0) this.reduceGroup(this.all, collector);
    } else {
      // After a spill a group's records come in parts from several spills, in arrival order.
      if (this.spiller!.spilled) this.spiller!.forEachGroup(this.groups, appendAll, (group) => this.reduceGroup(group as unknown[], collector));
      else for (const group of this.groups.values()) this.reduceGroup(group, collector);
      this.groups.clear();
    }
    this.next.close();
  }

  private reduceGroup(group: unknown[], collector: UserCollector): void {
    if (this.comparator) group.sort(this.comparator);
    try {
      emitReturned(this.f(group, collector), this.next, this.setup.name);
    } catch (e) {
      throw wrapUserError(this.setup.name, group[0], e);
    }
  }
}

function appendAll(earlier: unknown, later: unknown): unknown {
  const into = earlier as unknown[];
  for (const v of later as unknown[]) into.push(v);
  return into;
}
