/**
 * Renders a physical plan for people (`tsflink plan`, `TSFLINK_PLAN_FORMAT`): an indented
 * text listing, the plan's JSON, or a graph as Graphviz DOT or a Mermaid flowchart. Every
 * format is a string builder over the plan; none ends with a newline.
 */
import type { AsyncSpec, KeySpec, NodeParams, SortKey } from '../plan/nodes.ts';
import { operatorName, type PhysicalOperator, type PhysicalPlan, type Task, type TaskInput } from './physical-plan.ts';
import { toPlanJson } from './plan-json.ts';
import { listInputFiles } from '../io/input-files.ts';
import { isCompressedFile } from '../io/text-chunk-reader.ts';

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

/**
 * The plans of every job a script ran (`tsflink plan` of a PageRank that counts first), as one
 * document: one plan as `formatPlan` gives it; several as the text listings one after another,
 * `{"jobs": [...]}`, or one graph with a cluster (DOT) or subgraph (Mermaid) per job.
 */
export function formatPlans(plans: readonly PhysicalPlan[], format: PlanFormat): string {
  if (plans.length === 1) return formatPlan(plans[0]!, format);
  switch (format) {
    case 'text':
      return plans.map(formatText).join('\n\n');
    case 'json':
      return JSON.stringify({ jobs: plans.map(toPlanJson) }, null, 2);
    case 'dot':
      return [`digraph ${dotString(`${plans.length} jobs`)} {`, ...plans.flatMap((plan, i) => dotBody(plan, `j${i + 1}t`, i + 1)), '}'].join('\n');
    case 'mermaid':
      return [
        'flowchart TD',
        ...plans.flatMap((plan, i) => [`  subgraph j${i + 1}["${mermaidEscape(`Job ${i + 1}: ${plan.jobName}`)}"]`, ...mermaidBody(plan, `j${i + 1}t`).map((l) => `  ${l}`), '  end']),
      ].join('\n');
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
      ...(task.compiled ?? []).map(
        (run) =>
          `  compiled: ${task.operators
            .slice(run.first, run.last + 1)
            .map(operatorName)
            .join(' -> ')}`,
      ),
      ...task.inputs.map((input, i) => `  <- Task ${input.fromTask} via ${shipLabel(input)}${i === 1 && stepOf.get(task.id)?.heads.includes(task.id) ? ' (fed back by the previous superstep)' : ''}`),
      ...task.broadcastInputs.map((b) => `  <- Task ${b.fromTask} as broadcast '${b.name}'`),
    ].join('\n'),
  );
  return [`Job ${JSON.stringify(plan.jobName)} (default parallelism ${plan.defaultParallelism})`, ...blocks].join('\n\n');
}

function formatDot(plan: PhysicalPlan): string {
  return [`digraph ${dotString(plan.jobName)} {`, ...dotBody(plan, 't', null), '}'].join('\n');
}

/** The lines inside a digraph for one job: its tasks `<prefix><id>`, in a cluster labelled `Job n` when `job` is given. */
function dotBody(plan: PhysicalPlan, prefix: string, job: number | null): string[] {
  const indent = job === null ? '  ' : '    ';
  const lines = job === null ? [] : [`  subgraph cluster_${job} {`, `    label=${dotString(`Job ${job}: ${plan.jobName}`)};`];
  lines.push(`${indent}rankdir=TB;`, `${indent}node [shape=box, fontname="Courier"];`, `${indent}edge [fontname="Courier"];`);
  for (const task of plan.tasks) {
    // `\l` ends a left-justified line in a Graphviz label.
    const label = taskLabelLines(task)
      .map((line) => `${dotEscape(line)}\\l`)
      .join('');
    lines.push(`${indent}${prefix}${task.id} [label="${label}"];`);
  }
  for (const task of plan.tasks) {
    for (const input of task.inputs) {
      lines.push(`${indent}${prefix}${input.fromTask} -> ${prefix}${task.id} [label=${dotString(shipLabel(input, ' '))}];`);
    }
    for (const b of task.broadcastInputs) {
      lines.push(`${indent}${prefix}${b.fromTask} -> ${prefix}${task.id} [label=${dotString(`broadcast '${b.name}'`)}, style=dashed];`);
    }
  }
  if (job !== null) lines.push('  }');
  return lines;
}

function formatMermaid(plan: PhysicalPlan): string {
  return ['flowchart TD', ...mermaidBody(plan, 't')].join('\n');
}

function mermaidBody(plan: PhysicalPlan, prefix: string): string[] {
  const lines: string[] = [];
  for (const task of plan.tasks) {
    lines.push(`  ${prefix}${task.id}["${taskLabelLines(task).map(mermaidEscape).join('<br/>')}"]`);
  }
  for (const task of plan.tasks) {
    for (const input of task.inputs) {
      lines.push(`  ${prefix}${input.fromTask} -->|"${mermaidEscape(shipLabel(input, ' '))}"| ${prefix}${task.id}`);
    }
    for (const b of task.broadcastInputs) {
      lines.push(`  ${prefix}${b.fromTask} -.->|"${mermaidEscape(`broadcast '${b.name}'`)}"| ${prefix}${task.id}`);
    }
  }
  return lines;
}

/** A graph node's label: the task, then one line per chained operator. */
function taskLabelLines(task: Task): string[] {
  return [`Task ${task.id} p=${task.parallelism}`, ...task.operators.map(operatorLine)];
}

/** `Reduce "Reduce at wc.ts:9" HASH_GROUP on fields(0)`: kind, name, local strategy, parameters. */
function operatorLine(op: PhysicalOperator): string {
  const p = op.node.params;
  const detail =
    op.strategy === 'COMBINE' && op.combineKeys !== undefined
      ? combineDetail(op.combineKeys)
      : op.strategy === 'KEY_EXTRACT'
        ? combineDetail('keys' in p ? p.keys : null)
        : op.strategy === 'KEY_REMOVE'
          ? ''
          : paramsDetail(p);
  const line = `${op.node.params.kind} ${JSON.stringify(op.node.name)} ${op.strategy}`;
  const withDetail = detail === '' ? line : `${line} ${detail}`;
  return op.node.runInClient === true ? `${withDetail} (runs in client)` : withDetail;
}

function combineDetail(keys: KeySpec | null): string {
  return keys === null ? '' : `on ${formatKeySpec(keys)}`;
}

/** `HASH on fields(0)`, `FORWARD`, ... (`HASH fields(0)` with separator ' ' on graph edges). */
function shipLabel(input: TaskInput, separator = ' on '): string {
  return (input.ship === 'HASH' || input.ship === 'CUSTOM') && input.keys !== undefined ? `${input.ship}${separator}${formatKeySpec(input.keys)}` : input.ship;
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
    case 'ZipWithUniqueId':
    case 'CountElementsPerPartition':
    case 'PartialSolution':
    case 'Workset':
      return '';
    case 'BulkIteration':
      return parts(`max=${params.maxIterations}`, params.hasTermination ? 'with termination criterion' : '', aggregatorsOf(params));
    case 'SolutionSet':
      return onKeys(params.keys);
    case 'DeltaIteration':
      return parts(`max=${params.maxIterations}`, onKeys(params.keys), aggregatorsOf(params));
    case 'SequenceSource':
      return `${params.from}..${params.to}`;
    case 'TextSource':
      return `from ${shownPath(params.path, 'stdin')}${compressedNote(params.path)}`;
    case 'CsvSource':
      return `from ${shownPath(params.path, 'stdin')} (${params.types.join(',')})${compressedNote(params.path)}`;
    case 'ParquetSource':
      return `from ${shownPath(params.path, 'stdin')}${params.columns === null ? '' : ` columns(${params.columns.join(',')})`} (row groups shared among the instances)`;
    case 'Project':
      return `fields(${params.fields.join(',')})`;
    case 'Reduce':
      return parts(onKeys(params.keys));
    case 'GroupReduce':
      return parts(onKeys(params.keys), sortedBy(params.sortKeys), params.combinable ? 'combinable' : '');
    case 'GroupCombine':
      return parts(onKeys(params.keys), sortedBy(params.sortKeys), 'per partition');
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
    case 'PartitionCustom':
      return onKeys(params.keys);
    case 'SortPartition':
      return sortedBy(params.sortKeys);
    case 'MapAsync':
    case 'FlatMapAsync':
      return asyncDetail(params.async);
    case 'TextSink':
    case 'CsvSink':
    case 'ParquetSink':
      return params.path === '-' ? 'to stdout (-)' : `to '${params.path}' ${params.writeMode}`;
    case 'FormatSource':
      return 'from a custom InputFormat';
    case 'FormatSink':
      return 'to a custom OutputFormat';
    case 'PrintSink':
      return params.toError ? 'to stderr' : 'to stdout';
    case 'CollectSink':
      return params.countOnly ? 'count' : 'collect';
  }
}

/** `capacity=100 ordered timeout=500ms retries=3`. */
function asyncDetail(spec: AsyncSpec): string {
  const retry = spec.retry === null ? '' : `retries=${spec.retry.maxRetries}`;
  return parts(`capacity=${spec.capacity}`, spec.ordered ? 'ordered' : 'unordered', spec.timeoutMs === null ? '' : `timeout=${spec.timeoutMs}ms`, retry);
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

/** A file path as the plan shows it; `-` is the stream it stands for. */
/** For a source with gzip or zstd files: that each is read whole by one instance (they cannot be split). */
function compressedNote(path: string): string {
  if (path === '-') return '';
  let files: string[];
  try {
    files = listInputFiles(path);
  } catch {
    return ''; // the job's checks say what is wrong with the path
  }
  const n = files.filter((f) => isCompressedFile(f)).length;
  if (n === 0) return '';
  return ` (${n === files.length && n === 1 ? 'compressed' : `${n} of ${files.length} files compressed`}: ${n === 1 ? 'read whole by one instance' : 'each read whole by one instance'}, not split)`;
}

function shownPath(path: string, stream: string): string {
  return path === '-' ? `${stream} (-)` : `'${path}'`;
}

/** `aggregators a, b; converges on b`: what an iteration registered. */
function aggregatorsOf(params: { readonly aggregators: readonly { readonly name: string }[]; readonly convergence: { readonly name: string } | null }): string {
  if (params.aggregators.length === 0) return '';
  const names = `aggregators ${params.aggregators.map((a) => a.name).join(', ')}`;
  return params.convergence === null ? names : `${names}; converges on ${params.convergence.name}`;
}
