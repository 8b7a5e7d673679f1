/**
 * What each local strategy of the physical plan is to the engine, in one table (as Flink's
 * DriverStrategy enum is): a task's **driver** (it owns the loop over the task's inputs and
 * pushes into the chain behind it), or a **chained** operator (it receives records pushed into it
 * by what runs before it), with how many inputs it reads; and, for the drivers, the function
 * that prepares the loop. `satisfies Record<LocalStrategy, …>` makes a new strategy a compile
 * error here until it says what it is.
 *
 * A runner that runs part of a task itself (the Flink runner runs a task's first operator as a
 * Flink operator: runners/flink/native-heads.ts) hands `runSubtask` a `RunnerStrategy` of its
 * own for that head instead: the table holds only what every engine runs.
 */
import type { LocalStrategy, Task } from '../optimizer/physical-plan.ts';
import type { Output } from './collector.ts';
import { prepareAsync } from './drivers/async-driver.ts';
import { prepareCoGroup } from './drivers/co-group-driver.ts';
import { prepareCross } from './drivers/cross-driver.ts';
import { prepareJoin } from './drivers/join-driver.ts';
import { prepareSolutionSetUpdate } from './drivers/solution-set-driver.ts';
import { runSource } from './drivers/source-driver.ts';
import type { InputChannel } from './input-channel.ts';
import type { OperatorSetup } from './operator-setup.ts';

/** A driver's loop over the task's inputs (a Promise only for an async operator). */
export type DriverLoop = (inputs: readonly InputChannel[], out: Output) => void | Promise<void>;

type Prepare = (setup: OperatorSetup, head: Task['operators'][number]) => DriverLoop;

interface Driver {
  readonly role: 'driver';
  readonly inputs: number;
  readonly prepare: Prepare;
}

interface Chained {
  readonly role: 'chained';
  readonly inputs: number;
}

/**
 * A task head a runner defines for the part of the task it ran itself: a driver that loops
 * over the task's inputs, or a chained operator built in front of the rest of the chain.
 */
export type RunnerStrategy = Driver | { readonly role: 'chained'; readonly inputs: number; readonly create: (setup: OperatorSetup, next: Output) => Output };

/** A task that never runs: the iteration only asks whether the exchange into it is empty. */
interface NeverRuns {
  readonly role: 'never runs';
  readonly inputs: number;
}

const chained = (inputs = 1): Chained => ({ role: 'chained', inputs });

/** The node a driver was given is not one it can run: an internal error, named by the operator. */
function wrongNode(setup: OperatorSetup, head: Task['operators'][number]): never {
  return setup.fail(`no driver for ${head.strategy} on ${head.node.params.kind}`);
}

export const STRATEGIES = {
  SOURCE: { role: 'driver', inputs: 0, prepare: (setup) => (_inputs, out) => runSource(setup, out) },
  SINK: chained(),
  MAP: chained(),
  ASYNC: {
    role: 'driver',
    inputs: 1,
    prepare: (setup, head) => {
      const p = head.node.params;
      return p.kind === 'MapAsync' || p.kind === 'FlatMapAsync' ? prepareAsync(setup, p) : wrongNode(setup, head);
    },
  },
  MAP_PARTITION: chained(),
  SORT_PARTITION: chained(),
  HASH_GROUP: chained(),
  SORTED_GROUP: chained(),
  ALL_GROUP: chained(),
  COMBINE: chained(),
  KEY_EXTRACT: chained(),
  KEY_REMOVE: chained(),
  HASH_JOIN_BUILD_FIRST: { role: 'driver', inputs: 2, prepare: joinLoop },
  HASH_JOIN_BUILD_SECOND: { role: 'driver', inputs: 2, prepare: joinLoop },
  HASH_OUTER_JOIN: { role: 'driver', inputs: 2, prepare: joinLoop },
  HASH_COGROUP: {
    role: 'driver',
    inputs: 2,
    prepare: (setup, head) => (head.node.params.kind === 'CoGroup' ? prepareCoGroup(setup, head.node.params) : wrongNode(setup, head)),
  },
  NESTED_LOOP_BROADCAST_FIRST: { role: 'driver', inputs: 2, prepare: crossLoop },
  NESTED_LOOP_BROADCAST_SECOND: { role: 'driver', inputs: 2, prepare: crossLoop },
  COUNT_PER_PARTITION: chained(),
  ZIP_WITH_INDEX: chained(),
  ZIP_WITH_UNIQUE_ID: chained(),
  FEEDBACK: chained(),
  SOLUTION_SET_UPDATE: {
    role: 'driver',
    inputs: 2,
    prepare: (setup, head) => (head.node.params.kind === 'DeltaIteration' ? prepareSolutionSetUpdate(setup, head.node.params.keys) : wrongNode(setup, head)),
  },
  TERMINATION_CRITERION: { role: 'never runs', inputs: 1 },
} as const satisfies Record<LocalStrategy, Driver | Chained | NeverRuns>;

function joinLoop(setup: OperatorSetup, head: Task['operators'][number]): DriverLoop {
  return head.node.params.kind === 'Join' ? prepareJoin(setup, head.node.params) : wrongNode(setup, head);
}

function crossLoop(setup: OperatorSetup, head: Task['operators'][number]): DriverLoop {
  return head.node.params.kind === 'Cross' ? prepareCross(setup, head.node.params) : wrongNode(setup, head);
}

/** Whether `strategy` drives its task (its operator owns the loop), or is pushed into. */
export function isDriver(strategy: LocalStrategy): boolean {
  return STRATEGIES[strategy].role === 'driver';
}

/** The loop of a task whose head drives it. */
export function driverLoop(setup: OperatorSetup, head: Task['operators'][number]): DriverLoop {
  const s: Driver | Chained | NeverRuns = STRATEGIES[head.strategy];
  return s.role === 'driver' ? s.prepare(setup, head) : setup.fail(`no driver for ${head.strategy}`);
}
