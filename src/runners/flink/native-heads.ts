/**
 * How a Node worker runs the first operator of a task whose work Flink did (flink-operators.ts
 * `nativeOperator`): the strategies only this runner needs, handed to `runSubtask` in place of
 * the head's own (runtime/strategies.ts `RunnerStrategy`). The shared strategy table does not
 * know them: an engine that runs every operator itself never meets them.
 */
import type { Task } from '../../optimizer/physical-plan.ts';
import { type Output, UserCollector } from '../../runtime/collector.ts';
import { emitReturned } from '../../runtime/emit.ts';
import { type GroupFn, groupFunction } from '../../runtime/operators/group-reduce-output.ts';
import { groupReduceOnPairs } from '../../runtime/operators/key-pairs.ts';
import type { OperatorSetup } from '../../runtime/operator-setup.ts';
import type { RunnerStrategy } from '../../runtime/strategies.ts';
import { preparePairedInput } from './paired-driver.ts';
import { wrapUserError } from '../../runtime/udf.ts';

export type NativeHeadStrategy = 'PAIRED' | 'PREGROUPED' | 'PRECOMPUTED';

/** The node a native head was given is not one it can run: an internal error, named by the operator. */
function wrongNode(setup: OperatorSetup, head: Task['operators'][number], strategy: NativeHeadStrategy): never {
  return setup.fail(`no native head ${strategy} for ${head.node.params.kind}`);
}

export const NATIVE_HEADS = {
  /** A join or cross whose `[left, right]` pairs arrive on input 0 (Flink joined or crossed): only the function runs. */
  PAIRED: {
    role: 'driver',
    inputs: 1,
    prepare: (setup, head) => {
      const p = head.node.params;
      return p.kind === 'Join' || p.kind === 'Cross' ? preparePairedInput(setup, p.fn, p.projection, p.kind === 'Join' ? 'join' : 'cross') : wrongNode(setup, head, 'PAIRED');
    },
  },
  /** A group reduce whose groups arrive whole, one per record, sorted (Flink's groupBy and sortGroup). */
  PREGROUPED: {
    role: 'chained',
    inputs: 1,
    create: (setup, next) => {
      const { op } = setup;
      if (op.node.params.kind !== 'GroupReduce') return wrongNode(setup, op, 'PREGROUPED');
      // A key-selector reduce's groups arrive as [key, value] pairs: its function sees the values.
      const fn = groupFunction(setup, op.node.params.fn, false);
      return new PregroupedReduceOutput(setup, op.onPairs ? groupReduceOnPairs(fn, false, setup.name) : fn, next);
    },
  },
  /** Done before the records arrived (Flink's distinct and first): records pass on. */
  PRECOMPUTED: { role: 'chained', inputs: 1, create: (_setup, next) => next },
} as const satisfies Record<NativeHeadStrategy, RunnerStrategy>;

/**
 * GroupReduce on groups formed below tsflink (the Flink runner's `groupBy[.sortGroup].reduceGroup`):
 * each record is one whole group, in its sort order; the function runs on it at once.
 */
class PregroupedReduceOutput implements Output {
  private readonly f: GroupFn;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private readonly collector: UserCollector;

  constructor(setup: OperatorSetup, f: GroupFn, next: Output) {
    this.f = f;
    this.setup = setup;
    this.next = next;
    this.collector = new UserCollector(next);
  }

  collect(record: unknown): void {
    const group = record as unknown[];
    try {
      emitReturned(this.f(group, this.collector), this.next, this.setup.name);
    } catch (e) {
      throw wrapUserError(this.setup.name, group[0], e);
    }
  }

  close(): void {
    this.next.close();
  }
}
