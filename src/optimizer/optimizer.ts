/**
 * The optimizer: turns the logical plan into tasks. It chooses each operator's parallelism,
 * chains element-wise operators into the task before them, puts combiners before every
 * shuffle of a combinable reduction, and picks ship and local strategies for joins and crosses.
 */
import { PlanError } from '../errors/index.ts';
import { ITERATION_INPUT_KINDS, type KeySpec, type LogicalPlan, type PlanNode } from '../plan/nodes.ts';
import { crossStrategy, type InputShip, joinStrategy } from './join-strategy.ts';
import { chooseParallelism } from './parallelism.ts';
import { estimateSize, type SizeEstimate } from './size-estimates.ts';
import type { IterationSpec, LocalStrategy, PhysicalOperator, PhysicalPlan, ShipStrategy, Task, TaskBroadcastInput, TaskInput } from './physical-plan.ts';

interface TaskBuilder {
  id: number;
  parallelism: number;
  operators: PhysicalOperator[];
  inputs: TaskInput[];
  broadcastInputs: TaskBroadcastInput[];
}

const CHAINABLE = new Set(['Map', 'FlatMap', 'Filter', 'Project', 'TextSink', 'CsvSink', 'ParquetSink', 'PrintSink', 'FormatSink', 'CollectSink']);

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
  /** Iteration end node → the nodes of its step (its inputs' placeholders included). */
  private readonly steps = new Map<number, Set<number>>();
  private readonly iterations: (Omit<IterationSpec, 'tasks'> & { extraTasks: number[]; endNode: number })[] = [];

  constructor(plan: LogicalPlan) {
    this.plan = plan;
    for (const node of plan.nodes) {
      this.nodes.set(node.id, node);
      for (const i of [...node.inputs, ...node.broadcastInputs.map((b) => b.input)]) this.consumers.set(i, (this.consumers.get(i) ?? 0) + 1);
    }
  }

  compile(): PhysicalPlan {
    this.findSteps();
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
    const iterations: IterationSpec[] = this.iterations.map(({ extraTasks, endNode, ...it }) => {
      const step = this.steps.get(endNode)!;
      const inStep = new Set(extraTasks);
      for (const t of this.tasks) if (t.operators.some((o) => step.has(o.node.id))) inStep.add(t.id);
      return { ...it, tasks: this.tasks.filter((t) => inStep.has(t.id)).map((t) => t.id) };
    });
    // Each step's tasks run together, just before the task that reads the iteration's result
    // (what they read from outside the step was placed before them, what reads them after).
    const stepTasks = new Set(iterations.flatMap((it) => it.tasks));
    const ordered: TaskBuilder[] = [];
    for (const t of this.tasks) {
      const it = iterations.find((i) => i.result === t.id);
      if (it) for (const id of it.tasks) ordered.push(this.tasks[id]!);
      if (!stepTasks.has(t.id)) ordered.push(t);
    }
    const tasks: Task[] = ordered.map((t) => ({
      id: t.id,
      name: t.operators.map((o) => (o.strategy === 'COMBINE' ? `Combine (${o.node.name})` : o.node.name)).join(' -> '),
      parallelism: t.parallelism,
      operators: t.operators,
      inputs: t.inputs,
      broadcastInputs: t.broadcastInputs,
    }));
    const cached = this.plan.cachedFiles;
    return deepFreeze({
      jobName: this.plan.jobName,
      defaultParallelism: this.plan.defaultParallelism,
      tasks,
      iterations,
      ...(cached && Object.keys(cached).length > 0 ? { cachedFiles: { ...cached } } : {}),
    });
  }

  /**
   * Every iteration's step: the nodes between its placeholders and what it closes with. A node
   * of a step read by anything but the step and its end node, or a placeholder whose iteration
   * is never closed, is a plan error, as in Flink.
   */
  private findSteps(): void {
    const dependsOn = new Map<number, Set<number>>(); // node → the placeholders it depends on
    for (const node of this.plan.nodes) {
      const deps = new Set<number>();
      if (ITERATION_INPUT_KINDS.has(node.params.kind)) {
        deps.add(node.id);
        if (this.placeholdersOf(node.inputs[0]!, dependsOn).size > 0) throw new PlanError(`${node.name}: iterations inside an iteration's step are not supported`);
      } else {
        for (const i of [...node.inputs, ...node.broadcastInputs.map((b) => b.input)]) for (const d of this.placeholdersOf(i, dependsOn)) deps.add(d);
        // An iteration's end closes its step: what reads the result does not read the step.
        const p = node.params;
        if (p.kind === 'BulkIteration') deps.delete(p.partialSolution);
        if (p.kind === 'DeltaIteration') for (const d of [p.solutionSet, p.workset]) deps.delete(d);
      }
      dependsOn.set(node.id, deps);
    }
    const placeholderOwner = new Map<number, number>(); // placeholder → end node
    for (const node of this.plan.nodes) {
      const p = node.params;
      const own = p.kind === 'BulkIteration' ? [p.partialSolution] : p.kind === 'DeltaIteration' ? [p.solutionSet, p.workset] : null;
      if (own === null) continue;
      for (const o of own) placeholderOwner.set(o, node.id);
      // The step: the end node's ancestors that depend on one of its placeholders.
      const step = new Set<number>();
      const visit = (id: number): void => {
        if (step.has(id) || ![...dependsOn.get(id)!].some((d) => own.includes(d))) return;
        step.add(id);
        const n = this.nodes.get(id)!;
        if (ITERATION_INPUT_KINDS.has(n.params.kind)) return;
        for (const i of [...n.inputs, ...n.broadcastInputs.map((b) => b.input)]) visit(i);
      };
      for (const i of node.inputs) visit(i);
      for (const o of own) step.add(o);
      this.steps.set(node.id, step);
      // What is fed back must come out of the step (Flink: the step must reference its inputs).
      const fedBack = p.kind === 'BulkIteration' ? [node.inputs[0]!] : node.inputs;
      for (const i of fedBack) {
        if (!step.has(i))
          throw new PlanError(
            `${node.name}: closeWith got ${this.nodes.get(i)!.name}, which is not computed from the iteration's ${p.kind === 'BulkIteration' ? 'partial solution' : 'workset or solution set'}`,
          );
      }
    }
    for (const node of this.plan.nodes) {
      for (const d of dependsOn.get(node.id)!) {
        const end = placeholderOwner.get(d);
        const what = this.nodes.get(d)!.name;
        if (end === undefined) throw new PlanError(`${node.name} reads ${what}, whose iteration is never closed (call closeWith)`);
        if (!this.steps.get(end)!.has(node.id)) {
          throw new PlanError(`${node.name} reads the step of ${this.nodes.get(end)!.name} from outside it; a step's data sets leave it only through closeWith`);
        }
      }
    }
  }

  private placeholdersOf(id: number, dependsOn: ReadonlyMap<number, Set<number>>): Set<number> {
    return dependsOn.get(id) ?? new Set();
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
        this.reduction(node, params.keys, params.kind === 'First' && params.sortKeys.length > 0 ? 'SORTED_GROUP' : 'HASH_GROUP', true);
        return;
      case 'GroupReduce':
        this.reduction(node, params.keys, params.sortKeys.length > 0 ? 'SORTED_GROUP' : 'HASH_GROUP', params.combinable);
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
    // An iteration's head stays alone: its input is swapped between supersteps.
    if (ITERATION_INPUT_KINDS.has(last.node.params.kind)) return false;
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
