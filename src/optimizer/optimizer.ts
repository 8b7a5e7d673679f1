/**
 * The optimizer: turns the logical plan into tasks by composing its steps. It finds the
 * iterations' steps (iterations.ts), chooses each operator's parallelism (parallelism.ts),
 * places every operator: chained into the task before it (chaining.ts) or in a task of its own,
 * reductions with their combiners (combiners.ts), joins and crosses with their ship and local
 * strategies (join-strategy.ts); orders the tasks (task-order.ts); and marks the runs of operators
 * the engine runs as generated code (compiled-pipelines.ts).
 */
import { PlanError } from '../errors/index.ts';
import type { KeySpec, LogicalPlan, PlanNode } from '../plan/nodes.ts';
import { canChainAfter, chainsInto } from './chaining.ts';
import { combinerChains, planReduction } from './combiners.ts';
import { compiledRuns } from './compiled-pipelines.ts';
import { findSteps, type IterationSteps, stepTaskIds } from './iterations.ts';
import { crossStrategy, type InputShip, joinStrategy } from './join-strategy.ts';
import { chooseParallelism } from './parallelism.ts';
import { estimateSize, type SizeEstimate } from './size-estimates.ts';
import {
  type IterationSpec,
  type LocalStrategy,
  operatorName,
  type PhysicalOperator,
  type PhysicalPlan,
  type ShipStrategy,
  type Task,
  type TaskBroadcastInput,
  type TaskInput,
} from './physical-plan.ts';
import { orderTasks } from './task-order.ts';

interface TaskBuilder {
  id: number;
  parallelism: number;
  operators: PhysicalOperator[];
  inputs: TaskInput[];
  broadcastInputs: TaskBroadcastInput[];
}

export interface OptimizerOptions {
  /** Plan compiled pipelines (compiled-pipelines.ts); default true. */
  readonly compilePipelines?: boolean;
}

export function optimize(plan: LogicalPlan, options: OptimizerOptions = {}): PhysicalPlan {
  return new PlanCompiler(plan, options.compilePipelines ?? true).compile();
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
  /** Iteration end node → the nodes of its step (its inputs' placeholders included). */
  private readonly steps: IterationSteps;
  private readonly iterations: (Omit<IterationSpec, 'tasks'> & { extraTasks: number[]; endNode: number })[] = [];

  private readonly compilePipelines: boolean;

  constructor(plan: LogicalPlan, compilePipelines: boolean) {
    this.plan = plan;
    this.compilePipelines = compilePipelines;
    for (const node of plan.nodes) {
      this.nodes.set(node.id, node);
      for (const i of [...node.inputs, ...node.broadcastInputs.map((b) => b.input)]) this.consumers.set(i, (this.consumers.get(i) ?? 0) + 1);
    }
    this.steps = findSteps(plan);
  }

  compile(): PhysicalPlan {
    for (const node of this.plan.nodes) {
      this.parallelism.set(
        node.id,
        chooseParallelism(node, (id) => this.p(id), this.plan.defaultParallelism),
      );
      this.sizes.set(
        node.id,
        estimateSize(
          node,
          node.inputs.map((i) => this.sizes.get(i)!),
        ),
      );
      this.place(node);
    }
    const iterations: IterationSpec[] = this.iterations.map(({ extraTasks, endNode, ...it }) => ({ ...it, tasks: stepTaskIds(this.steps.get(endNode)!, this.tasks, extraTasks) }));
    const tasks: Task[] = orderTasks(this.tasks, iterations).map((t) => {
      const compiled = this.compilePipelines ? compiledRuns(t.operators) : [];
      return {
        id: t.id,
        name: t.operators.map(operatorName).join(' -> '),
        parallelism: t.parallelism,
        operators: t.operators,
        inputs: t.inputs,
        broadcastInputs: t.broadcastInputs,
        ...(compiled.length > 0 ? { compiled } : {}),
      };
    });
    const cached = this.plan.cachedFiles;
    return deepFreeze({
      jobName: this.plan.jobName,
      defaultParallelism: this.plan.defaultParallelism,
      tasks,
      iterations,
      ...(cached && Object.keys(cached).length > 0 ? { cachedFiles: { ...cached } } : {}),
    });
  }

  private p(id: number): number {
    return this.parallelism.get(id)!;
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
      case 'ParquetSource':
      case 'FormatSource':
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
      case 'ParquetSink':
      case 'PrintSink':
      case 'FormatSink':
      case 'CollectSink':
        this.chainOrNew(node, op('SINK'));
        return;
      case 'PartialSolution':
      case 'Workset':
        this.newTask(node, [op('MAP')], [this.pointwise(input, node)]);
        return;
      case 'SolutionSet':
        // Partitioned by its key once, as it enters: the update and the feedback then stay local.
        this.newTask(node, [op('MAP')], [this.edge(input, node, 'HASH', params.keys)]);
        return;
      case 'BulkIteration':
        this.bulkIteration(node, params);
        return;
      case 'DeltaIteration':
        this.deltaIteration(node, params);
        return;
      case 'PartitionByHash':
        this.newTask(node, [op('MAP')], [this.edge(input, node, 'HASH', params.keys)]);
        return;
      case 'PartitionCustom':
        this.newTask(node, [op('MAP')], [{ ...this.edge(input, node, 'CUSTOM', params.keys), fn: params.fn }]);
        return;
      case 'Rebalance':
        this.newTask(node, [op('MAP')], [this.edge(input, node, 'REBALANCE')]);
        return;
      case 'Union':
        this.newTask(
          node,
          [op('MAP')],
          node.inputs.map((i) => this.pointwise(i, node)),
        );
        return;
      case 'MapAsync':
      case 'FlatMapAsync':
        // Always a task's driver, never chained behind another operator: a chain is a synchronous
        // push loop, while an async operator awaits between records (its input is pulled batch by
        // batch, and no further while `capacity` invocations are pending: task-runner.ts). What
        // follows it chains behind it as usual.
        this.newTask(node, [op('ASYNC')], [this.pointwise(input, node)]);
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
      case 'ZipWithUniqueId':
        this.newTask(node, [op('ZIP_WITH_UNIQUE_ID')], [this.pointwise(input, node)]);
        return;
      case 'GroupCombine':
        // Each partition's own groups: no exchange by key.
        this.newTask(node, [op(params.sortKeys.length > 0 ? 'SORTED_GROUP' : params.keys === null ? 'ALL_GROUP' : 'HASH_GROUP')], [this.pointwise(input, node)]);
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
      case 'GroupReduce':
        this.reduction(node);
        return;
      case 'Join': {
        const [l, r] = node.inputs as [number, number];
        const { strategy, ships } = joinStrategy(params, [this.sizes.get(l)!, this.sizes.get(r)!]);
        this.newTask(node, [op(strategy)], [this.shipped(l, node, ships[0], params.leftKeys), this.shipped(r, node, ships[1], params.rightKeys)]);
        return;
      }
      case 'CoGroup': {
        const [l, r] = node.inputs as [number, number];
        this.newTask(node, [op('HASH_COGROUP')], [this.edge(l, node, 'HASH', params.leftKeys), this.edge(r, node, 'HASH', params.rightKeys)]);
        return;
      }
      case 'Cross': {
        const [l, r] = node.inputs as [number, number];
        const { strategy, ships } = crossStrategy(params, [this.sizes.get(l)!, this.sizes.get(r)!]);
        this.newTask(node, [op(strategy)], [this.shipped(l, node, ships[0]), this.shipped(r, node, ships[1])]);
        return;
      }
      default:
        throw new PlanError(`the optimizer does not know operator kind ${(params as { kind: string }).kind}`);
    }
  }

  private bulkIteration(node: PlanNode, params: Extract<PlanNode['params'], { kind: 'BulkIteration' }>): void {
    const head = this.taskOf.get(params.partialSolution)!;
    const extraTasks: number[] = [];
    const next = this.feedbackProducer(node, node.inputs[0]!, head, extraTasks);
    head.inputs.push(this.feed(next, head.parallelism));
    const result = this.newTask(node, [{ node, strategy: 'MAP' }], [this.feed(next, head.parallelism)]);
    let terminationTask: number | null = null;
    if (params.hasTermination) {
      const criterion = this.taskOf.get(node.inputs[1]!)!;
      terminationTask = this.pushTask(criterion.parallelism, [{ node, strategy: 'TERMINATION_CRITERION' }], [{ fromTask: criterion.id, ship: 'FORWARD' }]).id;
    }
    this.iterations.push({
      kind: 'BULK',
      name: node.name,
      maxIterations: params.maxIterations,
      heads: [head.id],
      result: result.id,
      terminationTask,
      aggregators: params.aggregators,
      convergence: params.convergence,
      extraTasks,
      endNode: node.id,
    });
  }

  private deltaIteration(node: PlanNode, params: Extract<PlanNode['params'], { kind: 'DeltaIteration' }>): void {
    const solution = this.taskOf.get(params.solutionSet)!;
    const workset = this.taskOf.get(params.workset)!;
    const [delta, newWorkset] = node.inputs as [number, number];
    // Input 0: the solution set as of this superstep (partitioned by key, so forwarded); input 1: the delta.
    const update = this.pushTask(solution.parallelism, [{ node, strategy: 'SOLUTION_SET_UPDATE' }], [{ fromTask: solution.id, ship: 'FORWARD' }, this.edge(delta, node, 'HASH', params.keys)]);
    solution.inputs.push({ fromTask: update.id, ship: 'FORWARD' });
    const extraTasks = [update.id];
    const next = this.feedbackProducer(node, newWorkset, workset, extraTasks);
    workset.inputs.push(this.feed(next, workset.parallelism));
    const result = this.newTask(node, [{ node, strategy: 'MAP' }], [{ fromTask: update.id, ship: 'FORWARD' }]);
    this.iterations.push({
      kind: 'DELTA',
      name: node.name,
      maxIterations: params.maxIterations,
      heads: [solution.id, workset.id],
      result: result.id,
      terminationTask: null,
      aggregators: params.aggregators,
      convergence: params.convergence,
      extraTasks,
      endNode: node.id,
    });
  }

  /** The task whose output is fed back to `head`: a pass-through when the step closes with the head's own output. */
  private feedbackProducer(node: PlanNode, closedWith: number, head: TaskBuilder, extraTasks: number[]): TaskBuilder {
    const producer = this.taskOf.get(closedWith)!;
    if (producer !== head) return producer;
    const passThrough = this.pushTask(head.parallelism, [{ node, strategy: 'FEEDBACK' }], [{ fromTask: head.id, ship: 'FORWARD' }]);
    extraTasks.push(passThrough.id);
    return passThrough;
  }

  private feed(from: TaskBuilder, parallelism: number): TaskInput {
    return { fromTask: from.id, ship: from.parallelism === parallelism ? 'FORWARD' : 'REBALANCE' };
  }

  /** A (possibly grouped) reduction: an optional combiner before the shuffle, then the reducer. */
  private reduction(node: PlanNode): void {
    const input = node.inputs[0]!;
    const { combiner, reducer, shipKeys } = planReduction(node);
    let fromTask = this.taskOf.get(input)!;
    if (combiner.length > 0) {
      if (combinerChains(node, canChainAfter(fromTask, input, this.consumers.get(input) ?? 0, this.p(input)))) {
        fromTask.operators.push(...combiner);
      } else {
        fromTask = this.pushTask(this.p(input), [...combiner], [{ fromTask: fromTask.id, ship: 'FORWARD' }]);
        this.addBroadcastInputs(fromTask, node);
      }
    }
    const ship: TaskInput =
      shipKeys === null ? { fromTask: fromTask.id, ship: fromTask.parallelism === this.p(node.id) ? 'FORWARD' : 'REBALANCE' } : { fromTask: fromTask.id, ship: 'HASH', keys: shipKeys };
    this.newTask(node, [...reducer], [ship]);
  }

  private chainOrNew(node: PlanNode, op: PhysicalOperator): void {
    const input = node.inputs[0]!;
    const task = this.taskOf.get(input);
    if (task && chainsInto(node, task, this.consumers.get(input) ?? 0, this.p(node.id))) {
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

  /** An input of a join or cross as its strategy ships it. */
  private shipped(input: number, node: PlanNode, ship: InputShip, keys?: KeySpec): TaskInput {
    return ship === 'POINTWISE' ? this.pointwise(input, node) : ship === 'BROADCAST' ? this.edge(input, node, 'BROADCAST') : this.edge(input, node, 'HASH', keys);
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
