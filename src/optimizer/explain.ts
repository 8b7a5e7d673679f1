/**
 * Renders a physical plan for people (`tsflink plan`, `TSFLINK_PLAN_FORMAT`): an indented
 * text listing, the plan's JSON, or a graph as Graphviz DOT or a Mermaid flowchart. Every
 * format is a string builder over the plan; none ends with a newline.
 */
import type { KeySpec, NodeParams, SortKey } from '../plan/nodes.ts';
import type { PhysicalOperator, PhysicalPlan, Task, TaskInput } from './physical-plan.ts';
import { toPlanJson } from './plan-json.ts';

export type PlanFormat = 'text' | 'json' | 'dot' | 'mermaid';

export const PLAN_FORMATS: readonly PlanFormat[] = ['text', 'json', 'dot', 'mermaid'];

export function formatPlan(plan: PhysicalPlan, format: PlanFormat): string {
  switch (format) {
    case 'text':
      return formatText(plan);
    case 'json':
      return JSON.stringify(toPlanJson(plan), null, 2);
    case 'dot':
      return formatDot(plan);
    case 'mermaid':
      return formatMermaid(plan);
    default:
      throw new Error(`Unknown plan format '${String(format)}'; expected one of ${PLAN_FORMATS.join(', ')}`);
  }
}

/** `fields(0,1)`, `fields(word)`, `selector`, `whole`. */
export function formatKeySpec(key: KeySpec): string {
  switch (key.kind) {
    case 'fields':
      return `fields(${key.fields.join(',')})`;
    case 'selector':
      return 'selector';
    case 'whole':
      return 'whole';
  }
}

function formatText(plan: PhysicalPlan): string {
  const stepOf = new Map(plan.iterations.flatMap((it) => it.tasks.map((t) => [t, it] as const)));
  const blocks = plan.tasks.map((task) =>
    [
      `Task ${task.id} ${JSON.stringify(task.name)} p=${task.parallelism}`,
      ...(stepOf.has(task.id) ? [`  step of ${JSON.stringify(stepOf.get(task.id)!.name)}: runs every superstep (at most ${stepOf.get(task.id)!.maxIterations})`] : []),
      ...task.operators.map((op) => `  ${operatorLine(op)}`),
      ...task.inputs.map((input, i) => `  <- Task ${input.fromTask} via ${shipLabel(input)}${i === 1 && stepOf.get(task.id)?.heads.includes(task.id) ? ' (fed back by the previous superstep)' : ''}`),
      ...task.broadcastInputs.map((b) => `  <- Task ${b.fromTask} as broadcast '${b.name}'`),
    ].join('\n'),
  );
  return [`Job ${JSON.stringify(plan.jobName)} (default parallelism ${plan.defaultParallelism})`, ...blocks].join('\n\n');
}

function formatDot(plan: PhysicalPlan): string {
  const lines = [
    `digraph ${dotString(plan.jobName)} {`,
    '  rankdir=TB;',
    '  node [shape=box, fontname="monospace"];',
    '  edge [fontname="monospace"];',
  ];
  for (const task of plan.tasks) {
    // `\l` ends a left-justified line in a Graphviz label.
    const label = taskLabelLines(task)
      .map((line) => `${dotEscape(line)}\\l`)
      .join('');
    lines.push(`  t${task.id} [label="${label}"];`);
  }
  for (const task of plan.tasks) {
    for (const input of task.inputs) {
      lines.push(`  t${input.fromTask} -> t${task.id} [label=${dotString(shipLabel(input, ' '))}];`);
    }
    for (const b of task.broadcastInputs) {
      lines.push(`  t${b.fromTask} -> t${task.id} [label=${dotString(`broadcast '${b.name}'`)}, style=dashed];`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}

function formatMermaid(plan: PhysicalPlan): string {
  const lines = ['flowchart TD'];
  for (const task of plan.tasks) {
    lines.push(`  t${task.id}["${taskLabelLines(task).map(mermaidEscape).join('<br/>')}"]`);
  }
  for (const task of plan.tasks) {
    for (const input of task.inputs) {
      lines.push(`  t${input.fromTask} -->|"${mermaidEscape(shipLabel(input, ' '))}"| t${task.id}`);
    }
    for (const b of task.broadcastInputs) {
      lines.push(`  t${b.fromTask} -.->|"${mermaidEscape(`broadcast '${b.name}'`)}"| t${task.id}`);
    }
  }
  return lines.join('\n');
}

/** A graph node's label: the task, then one line per chained operator. */
function taskLabelLines(task: Task): string[] {
  return [`Task ${task.id} p=${task.parallelism}`, ...task.operators.map(operatorLine)];
}

/** `Reduce "Reduce at wc.ts:9" HASH_GROUP on fields(0)`: kind, name, local strategy, parameters. */
function operatorLine(op: PhysicalOperator): string {
  const detail = op.strategy === 'COMBINE' && op.combineKeys !== undefined ? combineDetail(op.combineKeys) : paramsDetail(op.node.params);
  const line = `${op.node.params.kind} ${JSON.stringify(op.node.name)} ${op.strategy}`;
  const withDetail = detail === '' ? line : `${line} ${detail}`;
  return op.node.runInClient === true ? `${withDetail} (runs in client)` : withDetail;
}

function combineDetail(keys: KeySpec | null): string {
  return keys === null ? '' : `on ${formatKeySpec(keys)}`;
}

/** `HASH on fields(0)`, `FORWARD`, ... (`HASH fields(0)` with separator ' ' on graph edges). */
function shipLabel(input: TaskInput, separator = ' on '): string {
  return input.ship === 'HASH' && input.keys !== undefined ? `HASH${separator}${formatKeySpec(input.keys)}` : input.ship;
}

/** What a Flink engineer wants to see of an operator's parameters; user functions are only ids and left out. */
function paramsDetail(params: NodeParams): string {
  switch (params.kind) {
    case 'CollectionSource':
    case 'Map':
    case 'FlatMap':
    case 'Filter':
    case 'MapPartition':
    case 'Union':
    case 'Rebalance':
    case 'ZipWithIndex':
    case 'CountElementsPerPartition':
    case 'PartialSolution':
    case 'Workset':
      return '';
    case 'BulkIteration':
      return parts(`max=${params.maxIterations}`, params.hasTermination ? 'with termination criterion' : '');
    case 'SolutionSet':
      return onKeys(params.keys);
    case 'DeltaIteration':
      return parts(`max=${params.maxIterations}`, onKeys(params.keys));
    case 'SequenceSource':
      return `${params.from}..${params.to}`;
    case 'TextSource':
      return `from '${params.path}'`;
    case 'CsvSource':
      return `from '${params.path}' (${params.types.join(',')})`;
    case 'Project':
      return `fields(${params.fields.join(',')})`;
    case 'Reduce':
      return parts(onKeys(params.keys));
    case 'GroupReduce':
      return parts(onKeys(params.keys), sortedBy(params.sortKeys), params.combinable ? 'combinable' : '');
    case 'Aggregate':
      return parts(params.aggregations.map((a) => `${a.agg}(${a.field})`).join(','), onKeys(params.keys));
    case 'Distinct':
      return onKeys(params.keys);
    case 'First':
      return parts(`n=${params.n}`, onKeys(params.keys), sortedBy(params.sortKeys));
    case 'Join':
      return parts(params.joinType, `where ${formatKeySpec(params.leftKeys)} = ${formatKeySpec(params.rightKeys)}`, hint(params.hint));
    case 'CoGroup':
      return `where ${formatKeySpec(params.leftKeys)} = ${formatKeySpec(params.rightKeys)}`;
    case 'Cross':
      return hint(params.hint);
    case 'PartitionByHash':
      return onKeys(params.keys);
    case 'SortPartition':
      return sortedBy(params.sortKeys);
    case 'TextSink':
    case 'CsvSink':
      return `to '${params.path}' ${params.writeMode}`;
    case 'PrintSink':
      return params.toError ? 'to stderr' : 'to stdout';
    case 'CollectSink':
      return params.countOnly ? 'count' : 'collect';
  }
}

function onKeys(keys: KeySpec | null): string {
  return keys === null ? '' : `on ${formatKeySpec(keys)}`;
}

function sortedBy(sortKeys: readonly SortKey[]): string {
  return sortKeys.length === 0 ? '' : `sorted by ${sortKeys.map((s) => `${formatKeySpec(s.key)} ${s.order}`).join(', ')}`;
}

function hint(sizeHint: string): string {
  return sizeHint === 'NONE' ? '' : `hint ${sizeHint}`;
}

function parts(...items: string[]): string {
  return items.filter((s) => s !== '').join(' ');
}

function dotEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function dotString(text: string): string {
  return `"${dotEscape(text)}"`;
}

/** Mermaid reads entity codes inside quoted labels; `#` first so the codes themselves survive. */
function mermaidEscape(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, ' ');
}
