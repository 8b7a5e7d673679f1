/**
 * The run report (`tsflink run --report out.html` or `.json`): a job's figures per task — records
 * and bytes in and out, wall and CPU time, spilled bytes, the largest and the median partition
 * (skew) — its retries and failures, and the plan drawn with those numbers on its boxes and edges.
 * The HTML is one self-contained file: the picture is SVG drawn by Graphviz (WebAssembly) while
 * the report is written, with no script and nothing fetched.
 */
import { type JobFigures, type TaskFigures, taskState, taskTotals } from './job-figures.ts';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} K`;
  return String(Math.round(n));
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}

function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
}

/** The label of a task's box: its name, operators, and figures. */
function taskLabel(task: TaskFigures): string {
  const t = taskTotals(task);
  const ops = task.operators.map((o) => `${o.name} [${o.strategy}]`).join('\n');
  const state = taskState(task) === 'failed' ? 'FAILED' : taskState(task) === 'running' ? 'RUNNING' : '';
  return [
    `Task ${task.id} (p=${task.parallelism})${state ? ` ${state}` : ''}`,
    ops,
    task.source !== null && task.source.bytesTotal !== null ? `read ${formatBytes(task.source.bytesRead)} of ${formatBytes(task.source.bytesTotal)}` : '',
    `in ${formatCount(t.recordsIn)} rec / ${formatBytes(t.bytesIn)}  out ${formatCount(t.recordsOut)} rec / ${formatBytes(t.bytesOut)}`,
    `wall ${ms(t.wallMs)}  cpu ${ms(t.cpuMs)}${t.spilledBytes > 0 ? `  spilled ${formatBytes(t.spilledBytes)}` : ''}`,
    task.parallelism > 1 ? `partitions: largest ${formatCount(t.largest)}, median ${formatCount(t.median)}` : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** The plan as Graphviz dot, each task's box and each edge labelled with the figures. Node ids `task<id>`. Courier: a font whose metrics Graphviz knows and every browser has a match for (the text stays in its box). */
export function figuresDot(f: JobFigures): string {
  const lines = ['digraph job {', '  rankdir=TB;', '  node [shape=box, fontname="Courier", fontsize=10, style="rounded,filled", fillcolor="#eef4fb"];', '  edge [fontname="Courier", fontsize=9];'];
  for (const task of f.tasks) {
    const failed = taskState(task) === 'failed';
    lines.push(`  task${task.id} [id=${dotString(`task-${task.id}`)}, label=${dotString(taskLabel(task))}${failed ? ', fillcolor="#fde2e2"' : ''}];`);
  }
  const byId = new Map(f.tasks.map((t) => [t.id, t] as const));
  for (const e of f.edges) {
    const from = byId.get(e.from);
    const records = from === undefined ? 0 : taskTotals(from).recordsOut;
    const bytes = from === undefined ? 0 : taskTotals(from).bytesOut;
    lines.push(`  task${e.from} -> task${e.to} [label=${dotString(`${e.ship}\n${formatCount(records)} rec${bytes > 0 ? ` / ${formatBytes(bytes)}` : ''}`)}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** The plan picture as inline SVG. */
export async function figuresSvg(f: JobFigures): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  return graphviz.dot(figuresDot(f)).replace(/^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*/s, '');
}

/** The rows of the per-task table (the report's and the dashboard's). */
export function taskRows(f: JobFigures): string {
  return f.tasks
    .map((task) => {
      const t = taskTotals(task);
      const state = taskState(task);
      const cells = [
        String(task.id),
        escapeHtml(task.name),
        String(task.parallelism),
        state,
        formatCount(t.recordsIn),
        formatCount(t.recordsOut),
        formatBytes(t.bytesIn),
        formatBytes(t.bytesOut),
        ms(t.wallMs),
        ms(t.cpuMs),
        formatBytes(t.spilledBytes),
        `${formatCount(t.largest)} / ${formatCount(t.median)}`,
      ];
      return `<tr data-task="${task.id}" data-records-in="${t.recordsIn}" data-records-out="${t.recordsOut}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('\n');
}

/** Each task's subtasks, a table per task in a <details> (the dashboard's, live). */
export function subtaskTables(f: JobFigures): string {
  return f.tasks
    .map((t) => {
      const rows = t.subtasks
        .map(
          (s, k) =>
            `<tr>${[k + 1, s.state, s.attempt, formatCount(s.recordsIn), formatCount(s.recordsOut), formatBytes(s.bytesIn), formatBytes(s.bytesOut), ms(s.wallMs), ms(s.cpuMs)].map((c) => `<td>${c}</td>`).join('')}</tr>`,
        )
        .join('');
      return `<details><summary>${escapeHtml(t.name)}: ${t.subtasks.length} subtask${t.subtasks.length === 1 ? '' : 's'}</summary><table class="subtasks"><tr><th>subtask</th><th>state</th><th>attempt</th><th>records in</th><th>records out</th><th>bytes in</th><th>bytes out</th><th>wall</th><th>cpu</th></tr>${rows}</table></details>`;
    })
    .join('');
}

export const TASK_TABLE_HEAD =
  '<tr><th>task</th><th>name</th><th>p</th><th>state</th><th>records in</th><th>records out</th><th>bytes in</th><th>bytes out</th><th>wall</th><th>cpu</th><th>spilled</th><th>largest / median partition</th></tr>';

export const REPORT_STYLE =
  'body{font-family:system-ui,sans-serif;margin:2em;color:#1b1f24}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:right}td:nth-child(2),th:nth-child(2){text-align:left}th{background:#f6f8fa}.failed{color:#b42318}pre{background:#f6f8fa;padding:1em;overflow:auto}svg{max-width:100%;height:auto}';

/** The report as one self-contained HTML page. */
export async function reportHtml(f: JobFigures): Promise<string> {
  const title = escapeHtml(f.jobName);
  const wall = (f.endedAt ?? Date.now()) - f.startedAt;
  const failures =
    f.failures.length === 0
      ? '<p>No failures.</p>'
      : `<ul class="failed">${f.failures.map((x) => `<li>attempt ${x.attempt}${x.task ? `, ${escapeHtml(x.task)}` : ''}${x.subtask !== null ? ` subtask ${x.subtask + 1}` : ''}: ${escapeHtml(x.error)}</li>`).join('')}</ul>`;
  const accumulators =
    Object.keys(f.accumulators).length === 0 ? '' : `<h2>Accumulators</h2><pre>${escapeHtml(JSON.stringify(f.accumulators, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v), 2))}</pre>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>tsflink report: ${title}</title><style>${REPORT_STYLE}</style></head>`,
    `<body><h1>${title}</h1>`,
    `<p id="summary" data-state="${f.state}">${f.state === 'FINISHED' ? 'Finished' : f.state === 'FAILED' ? 'Failed' : 'Running'} on the ${f.target === 'flink' ? 'Flink' : 'embedded'} target in ${ms(wall)}; ${f.retries} ${f.retries === 1 ? 'retry' : 'retries'}; started ${new Date(f.startedAt).toISOString()}.${f.flinkWebUi ? ` <a href="${escapeHtml(f.flinkWebUi)}">The job in Flink's web UI</a>.` : ''}</p>`,
    `<h2>Plan</h2>${await figuresSvg(f)}`,
    `<h2>Tasks</h2><table id="tasks">${TASK_TABLE_HEAD}\n${taskRows(f)}</table>`,
    `<h2>Failures</h2>${failures}`,
    accumulators,
    `<script type="application/json" id="figures">${JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)).replace(/</g, '\\u003c')}</script>`,
    '</body></html>',
  ].join('\n');
}

/** The report as JSON (the figures themselves). */
export function reportJson(f: JobFigures): string {
  return `${JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v), 2)}\n`;
}
