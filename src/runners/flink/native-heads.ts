/**
 * How a Node worker runs the first operator of a task whose work Flink did (flink-operators.ts
 * `nativeOperator`): the strategies only this runner needs, handed to `runSubtask` in place of
 * the head's own (runtime/strategies.ts `RunnerStrategy`). The shared strategy table does not
 * know them: an engine that runs every operator itself never meets them.
 */
import type { Task } from '../../optimizer/physical-plan.ts';
import { PregroupedReduceOutput } from '../../runtime/operators/group-reduce-output.ts';
import type { OperatorSetup } from '../../runtime/operator-setup.ts';
import type { RunnerStrategy } from '../../runtime/strategies.ts';
import { preparePairedInput } from './paired-driver.ts';

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
      return op.node.params.kind === 'GroupReduce' ? new PregroupedReduceOutput(setup, op.node.params.fn, next, op.keyedPairs) : wrongNode(setup, op, 'PREGROUPED');
    },
  },
  /** Done before the records arrived (Flink's distinct and first): records pass on. */
  PRECOMPUTED: { role: 'chained', inputs: 1, create: (_setup, next) => next },
} as const satisfies Record<NativeHeadStrategy, RunnerStrategy>;
