/**
 * The optimizer: turns the logical plan into tasks. It chooses each operator's parallelism,
 * chains element-wise operators into the task before them, puts combiners before every
 * shuffle of a combinable reduction, and picks ship and local strategies for joins and crosses.
 */
import { PlanError } from '../errors/index.ts';
import type { KeySpec, LogicalPlan, PlanNode } from '../plan/nodes.ts';
import { chooseBroadcastSide, estimateSize, type SizeEstimate } from './size-estimates.ts';
import type { LocalStrategy, PhysicalOperator, PhysicalPlan, ShipStrategy, Task, TaskBroadcastInput, TaskInput } from './physical-plan.ts';

interface TaskBuilder {
  id: number;
  parallelism: number;
  operators: PhysicalOperator[];
  inputs: TaskInput[];
  broadcastInputs: TaskBroadcastInput[];
}

const CHAINABLE = new Set(['Map', 'FlatMap', 'Filter', 'Project', 'TextSink', 'CsvSink', 'PrintSink', 'CollectSink']);

export function optimize(plan: LogicalPlan): PhysicalPlan {
  return new PlanCompiler(plan).compile();
}

class PlanCompiler {
  private readonly plan: LogicalPlan;
  private readonly nodes = new Map<number, PlanNode>();
  private readonly consumers = new Map<number, number>();
  private readonly parallelism = new Map<number, number>();
  private readonly sizes = new Map<number, SizeEstimate>();
  private readonly tasks: TaskBuilder[] = [];
  /** The task whose output is the node's output. */
  private readonly taskOf = new Map<number, TaskBuilder>();

  constructor(plan: LogicalPlan) {
    this.plan = plan;
    for (const node of plan.nodes) {
      this.nodes.set(node.id, node);
      for (const i of [...node.inputs, ...node.broadcastInputs.map((b) => b.input)]) this.consumers.set(i, (this.consumers.get(i) ?? 0) + 1);
    }
  }

  compile(): PhysicalPlan {
    for (const node of this.plan.nodes) {
      this.parallelism.set(node.id, this.chooseParallelism(node));
      this.sizes.set(node.id, estimateSize(node, node.inputs.map((i) => this.sizes.get(i)!)));
      this.place(node);
    }
    const tasks: Task[] = this.tasks.map((t) => ({
      id: t.id,
      name: t.operators.map((o) => (o.strategy === 'COMBINE' ? `Combine (${o.node.name})` : o.node.name)).join(' -> '),
      parallelism: t.parallelism,
      operators: t.operators,
      inputs: t.inputs,
      broadcastInputs: t.broadcastInputs,
    }));
    return deepFreeze({ jobName: this.plan.jobName, defaultParallelism: this.plan.defaultParallelism, tasks });
  }

  private p(id: number): number {
    return this.parallelism.get(id)!;
  }

  private chooseParallelism(node: PlanNode): number {
    const params = node.params;
    switch (params.kind) {
      case 'CollectionSource':
        return 1; // a collection is read by one instance, as in Flink
      case 'Reduce':
      case 'GroupReduce':
      case 'Aggregate':
      case 'First':
        if (params.keys === null) return 1; // the whole set meets in one instance
        break;
      case 'CollectSink':
      case 'ZipWithIndex':
      case 'CountElementsPerPartition':
        return node.parallelism ?? this.p(node.inputs[0]!);
      default:
        break;
    }
    return node.parallelism ?? this.plan.defaultParallelism;
  }

  private place(node: PlanNode): void {
    const params = node.params;
    const op = (strategy: LocalStrategy): PhysicalOperator => ({ node, strategy });
    const input = node.inputs[0]!;
    switch (params.kind) {
      case 'CollectionSource':
      case 'SequenceSource':
      case 'TextSource':
      case 'CsvSource':
        this.newTask(node, [op('SOURCE')], []);
        return;
      case 'Map':
      case 'FlatMap':
      case 'Filter':
      case 'Project':
        this.chainOrNew(node, op('MAP'));
        return;
      case 'TextSink':
      case 'CsvSink':
      case 'PrintSink':
      case 'CollectSink':
        this.chainOrNew(node, op('SINK'));
        return;
      case 'PartitionByHash':
        this.newTask(node, [op('MAP')], [this.edge(input, node, 'HASH', params.keys)]);
        return;
      case 'Rebalance':
        this.newTask(node, [op('MAP')], [this.edge(input, node, 'REBALANCE')]);
        return;
      case 'Union':
        this.newTask(node, [op('MAP')], node.inputs.map((i) => this.pointwise(i, node)));
        return;
      case 'MapPartition':
        this.newTask(node, [op('MAP_PARTITION')], [this.pointwise(input, node)]);
        return;
      case 'SortPartition':
        this.newTask(node, [op('SORT_PARTITION')], [this.pointwise(input, node)]);
        return;
      case 'CountElementsPerPartition':
        this.newTask(node, [op('COUNT_PER_PARTITION')], [this.pointwise(input, node)]);
        return;
      case 'ZipWithIndex': {
        // As Flink's DataSetUtils: count every partition, broadcast the counts, offset each partition.
        const counts = this.newTask(node, [op('COUNT_PER_PARTITION')], [this.pointwise(input, node)], false);
        const zip = this.newTask(node, [op('ZIP_WITH_INDEX')], [this.pointwise(input, node)]);
        zip.broadcastInputs.push({ name: 'counts', fromTask: counts.id });
        return;
      }
      case 'Reduce':
      case 'Aggregate':
      case 'Distinct':
      case 'First':
        this.reduction(node, params.keys, params.kind === 'First' && params.sortKeys.length > 0 ? 'SORTED_GROUP' : 'HASH_GROUP', true);
        return;
      case 'GroupReduce':
        this.reduction(node, params.keys, params.sortKeys.length > 0 ? 'SORTED_GROUP' : 'HASH_GROUP', params.combinable);
        return;
      case 'Join': {
        const [l, r] = node.inputs as [number, number];
        // Hints win; otherwise broadcast a side known to be small (for a left outer join only its right side).
        const auto = params.hint === 'NONE' ? chooseBroadcastSide(this.sizes.get(l)!, this.sizes.get(r)!) : null;
        const broadcastSecond = params.hint === 'TINY' || (auto === 1 && (params.joinType === 'INNER' || params.joinType === 'LEFT_OUTER'));
        const broadcastFirst = params.joinType === 'INNER' && (params.hint === 'HUGE' || (auto === 0 && params.hint === 'NONE'));
        if (broadcastSecond && (params.joinType === 'INNER' || params.joinType === 'LEFT_OUTER')) {
          const strategy = params.joinType === 'INNER' ? 'HASH_JOIN_BUILD_SECOND' : 'HASH_OUTER_JOIN';
          this.newTask(node, [op(strategy)], [this.pointwise(l, node), this.edge(r, node, 'BROADCAST')]);
        } else if (broadcastFirst) {
          this.newTask(node, [op('HASH_JOIN_BUILD_FIRST')], [this.edge(l, node, 'BROADCAST'), this.pointwise(r, node)]);
        } else {
          const strategy = params.joinType === 'INNER' ? 'HASH_JOIN_BUILD_SECOND' : 'HASH_OUTER_JOIN';
          this.newTask(node, [op(strategy)], [this.edge(l, node, 'HASH', params.leftKeys), this.edge(r, node, 'HASH', params.rightKeys)]);
        }
        return;
      }
      case 'CoGroup': {
        const [l, r] = node.inputs as [number, number];
        this.newTask(node, [op('HASH_COGROUP')], [this.edge(l, node, 'HASH', params.leftKeys), this.edge(r, node, 'HASH', params.rightKeys)]);
        return;
      }
      case 'Cross': {
        const [l, r] = node.inputs as [number, number];
        const auto = params.hint === 'NONE' ? chooseBroadcastSide(this.sizes.get(l)!, this.sizes.get(r)!) : null;
        if (params.hint === 'HUGE' || (params.hint === 'NONE' && auto === 0)) {
          this.newTask(node, [op('NESTED_LOOP_BROADCAST_FIRST')], [this.edge(l, node, 'BROADCAST'), this.pointwise(r, node)]);
        } else {
          this.newTask(node, [op('NESTED_LOOP_BROADCAST_SECOND')], [this.pointwise(l, node), this.edge(r, node, 'BROADCAST')]);
        }
        return;
      }
      default:
        throw new PlanError(`the optimizer does not know operator kind ${(params as { kind: string }).kind}`);
    }
  }

  /** A (possibly grouped) reduction: an optional combiner before the shuffle, then the reducer. */
  private reduction(node: PlanNode, keys: KeySpec | null, grouped: LocalStrategy, combinable: boolean): void {
    const input = node.inputs[0]!;
    let fromTask = this.taskOf.get(input)!;
    const carryKey = combinable && keys !== null && keys.kind === 'selector' && (node.params.kind === 'Reduce' || node.params.kind === 'GroupReduce');
    if (combinable) {
      const combiner: PhysicalOperator = carryKey ? { node, strategy: 'COMBINE', combineKeys: keys, keyedPairs: 'combine' } : { node, strategy: 'COMBINE', combineKeys: keys };
      // A rich combiner reads the operator's broadcast sets too, so it needs a task that runs after theirs.
      if (node.broadcastInputs.length === 0 && this.canChainAfter(input, this.p(input))) {
        fromTask.operators.push(combiner);
      } else {
        fromTask = this.pushTask(this.p(input), [combiner], [{ fromTask: fromTask.id, ship: 'FORWARD' }]);
        this.addBroadcastInputs(fromTask, node);
      }
    }
    const ship: TaskInput =
      keys === null
        ? { fromTask: fromTask.id, ship: fromTask.parallelism === this.p(node.id) ? 'FORWARD' : 'REBALANCE' }
        : { fromTask: fromTask.id, ship: 'HASH', keys: carryKey ? { kind: 'fields', fields: [0] } : keys };
    const strategy = keys === null ? 'ALL_GROUP' : grouped;
    this.newTask(node, [carryKey ? { node, strategy, keyedPairs: 'final' } : { node, strategy }], [ship]);
  }

  private canChainAfter(input: number, parallelism: number): boolean {
    const task = this.taskOf.get(input);
    if (!task) return false;
    const last = task.operators[task.operators.length - 1]!;
    return last.node.id === input && last.strategy !== 'COMBINE' && (this.consumers.get(input) ?? 0) === 1 && task.parallelism === parallelism;
  }

  private chainOrNew(node: PlanNode, op: PhysicalOperator): void {
    const input = node.inputs[0]!;
    if (CHAINABLE.has(node.params.kind) && node.broadcastInputs.length === 0 && this.canChainAfter(input, this.p(node.id))) {
      const task = this.taskOf.get(input)!;
      task.operators.push(op);
      this.taskOf.set(node.id, task);
      return;
    }
    this.newTask(node, [op], [this.pointwise(input, node)]);
  }

  /** Subtask i → subtask i when the parallelism matches, else round-robin. */
  private pointwise(input: number, node: PlanNode): TaskInput {
    const from = this.taskOf.get(input)!;
    return { fromTask: from.id, ship: from.parallelism === this.p(node.id) ? 'FORWARD' : 'REBALANCE' };
  }

  private edge(input: number, _node: PlanNode, ship: ShipStrategy, keys?: KeySpec): TaskInput {
    const from = this.taskOf.get(input)!;
    return keys ? { fromTask: from.id, ship, keys } : { fromTask: from.id, ship };
  }

  private newTask(node: PlanNode, operators: PhysicalOperator[], inputs: TaskInput[], isOutput = true): TaskBuilder {
    const task = this.pushTask(this.p(node.id), operators, inputs);
    this.addBroadcastInputs(task, node);
    if (isOutput) this.taskOf.set(node.id, task);
    return task;
  }

  private addBroadcastInputs(task: TaskBuilder, node: PlanNode): void {
    for (const b of node.broadcastInputs) task.broadcastInputs.push({ name: b.name, fromTask: this.taskOf.get(b.input)!.id });
  }

  private pushTask(parallelism: number, operators: PhysicalOperator[], inputs: TaskInput[]): TaskBuilder {
    const task: TaskBuilder = { id: this.tasks.length, parallelism, operators, inputs, broadcastInputs: [] };
    this.tasks.push(task);
    return task;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
