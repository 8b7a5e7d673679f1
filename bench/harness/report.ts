/** The benchmark report: a summary of every target, then one section per workload. Markdown. */
import type { WorkloadRecord } from './results.ts';
import { median, summarize } from './results.ts';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly duckdb: string | null;
  /** The peers this run installed, with their versions ("DuckDB v1.5.6", …; harness/peers.ts); without it, DuckDB's. */
  readonly peers?: readonly string[];
  readonly gnuTime: boolean;
}

// Three decimals below a second: the in-process jobs of parallel-fixed-cost take tens of milliseconds.
const figure = (ms: number): string => (ms / 1000).toFixed(ms < 1000 ? 3 : 2);
const seconds = (ms: number | null): string => (ms === null ? '—' : `${figure(ms)} s`);

/** The range of the one-minute load average over the runs (the machine has `cores` cores). */
function loadText(w: WorkloadRecord): string {
  const loads = w.contenders.flatMap((c) => c.runs.map((r) => r.load)).filter((l): l is number => l !== undefined);
  const [lo, hi] = loads.length > 0 ? [Math.min(...loads), Math.max(...loads)] : w.loadAverage;
  return `load average ${lo!.toFixed(1)}–${hi!.toFixed(1)} while it ran`;
}

export function renderWorkload(w: WorkloadRecord): string {
  const base = w.contenders.find((c) => c.id === 'baseline');
  const baseMedian = base ? summarize(base).medianWallMs : null;
  const p1 = w.contenders.find((c) => c.id === 'tsflink-p1');
  const p1Median = p1 ? summarize(p1).medianWallMs : null;
  // tsflink at p = cores (parallel-fixed-cost's in-process p=2 jobs where there is no such run): the issue's peers are set against it.
  const pN = w.contenders.find((c) => c.id === 'tsflink-pN') ?? w.contenders.find((c) => c.id === 'tsflink-p2');
  const pNMedian = pN ? summarize(pN).medianWallMs : null;
  const pNHeader = /^tsflink p=\d+$/.test(pN?.label ?? '') ? pN!.label : 'tsflink p=N';
  const lines = [
    `### ${w.title} (\`${w.name}\`)`,
    '',
    `Data: ${w.data}. Ran ${w.ranAt} at commit ${w.commit}, sizes \`${w.sizes}\`, seed ${w.seed}, ` + `${new Set(w.contenders[0]?.runs.map((r) => r.rep)).size} alternating rounds; ${loadText(w)}.`,
    '',
    `| contender | median wall | runs | × baseline | × tsflink p=1 | × ${pNHeader} | CPU (user+sys, median) | peak RSS (max) |`,
    '|---|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const c of w.contenders) {
    const s = summarize(c);
    const runs = c.runs.map((r) => (r.ok ? figure(r.wallMs) : 'FAILED') + (r.wrong ? ' WRONG' : '')).join(', ');
    const ratio = (ref: number | null): string => (s.medianWallMs !== null && ref ? `${(s.medianWallMs / ref).toFixed(2)}×` : '—');
    const cpu = median(c.runs.filter((r) => r.ok && r.cpuSeconds !== null).map((r) => r.cpuSeconds!));
    const rss = s.maxRssMiB === null ? '—' : `${Math.round(s.maxRssMiB)} MiB`;
    lines.push(`| ${c.label} | ${seconds(s.medianWallMs)} | ${runs} | ${ratio(baseMedian)} | ${ratio(p1Median)} | ${ratio(pNMedian)} | ${cpu === null ? '—' : `${cpu.toFixed(2)} s`} | ${rss} |`);
  }
  lines.push('', '| target | measured | verdict |', '|---|---:|---|');
  for (const v of w.verdicts) lines.push(`| ${v.target} | ${v.value} | **${v.verdict}** |`);
  const wrong = w.contenders.flatMap((c) => c.runs.filter((r) => r.wrong).map((r) => `${c.label}, round ${r.rep}:\n${r.wrong}`));
  if (wrong.length > 0) lines.push('', '**Wrong answers:**', '', '```', ...wrong, '```');
  if (w.plan) lines.push('', `<details><summary>tsflink plan</summary>`, '', '```', w.plan.trim(), '```', '', '</details>');
  return lines.join('\n');
}

/**
 * A workload's section as an earlier run wrote it into the report, kept word for word when this
 * run does not run that workload (`--only`): the report in git is the record of the figures, and
 * bench/data/results-*.json exists only on the machine that ran them (and may be older there).
 */
export interface KeptSection {
  readonly name: string;
  /** From its `### <title> (<name>)` heading to the line before the next section's. */
  readonly markdown: string;
  /** Its target table's rows (`| target | measured | verdict |`), for the summary at the top. */
  readonly targetRows: readonly string[];
}

/** The workload sections of a report renderReport wrote, by workload name. */
export function parseSections(report: string): Map<string, KeptSection> {
  const sections = new Map<string, KeptSection>();
  const lines = report.split('\n');
  const start = lines.indexOf('## Workloads');
  if (start === -1) return sections;
  let current: { name: string; lines: string[] } | null = null;
  const close = (): void => {
    if (current === null) return;
    const body = current.lines.join('\n').trim();
    const rows: string[] = [];
    const table = current.lines.indexOf('| target | measured | verdict |');
    if (table !== -1) for (let i = table + 2; i < current.lines.length && current.lines[i]!.startsWith('| '); i++) rows.push(current.lines[i]!);
    sections.set(current.name, { name: current.name, markdown: body, targetRows: rows });
    current = null;
  };
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('### ')) {
      close();
      const name = /\(`([^`]+)`\)\s*$/.exec(line)?.[1];
      if (name !== undefined) current = { name, lines: [] };
    }
    current?.lines.push(line);
  }
  close();
  return sections;
}

const isKept = (w: WorkloadRecord | KeptSection): w is KeptSection => 'markdown' in w;

export function renderReport(workloads: readonly (WorkloadRecord | KeptSection)[], machine: MachineInfo, command: string): string {
  const lines = [
    '# tsflink benchmarks',
    '',
    `Written by \`${command}\` (bench/run.ts). Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM; ` +
      `Node ${machine.node}; ${machine.peers ? `peers: ${machine.peers.length > 0 ? machine.peers.join(', ') : 'none'}` : `DuckDB ${machine.duckdb ?? 'not installed'}`}; peak RSS from ${machine.gnuTime ? 'GNU time (ru_maxrss)' : 'polling /proc VmHWM'} ` +
      '(for PySpark and PyFlink, which run several processes, the larger of that and the summed resident sets of the process tree, polled every 50 ms).',
    '',
    'Every contender is a separate process, timed from spawn to exit (start-up included; `parallel-fixed-cost` times jobs inside one process instead); contenders run alternating, ' +
      'round after round; the tables show medians of the wall times and the highest peak RSS. Every output is sorted and ' +
      "compared with the hand-written baseline's. tsflink runs through the built CLI (`node dist/cli/main.js run bench/jobs/<job>.ts -p N`); " +
      "the peers (other engines asked the same question, bench/README.md) run on as many threads as the machine has cores, tsflink p=N's parallelism (Arquero on one). " +
      'The × columns are ratios of median wall times.',
    '',
    '## Targets',
    '',
    '| workload | target | measured | verdict |',
    '|---|---|---:|---|',
  ];
  for (const w of workloads) {
    if (isKept(w)) for (const row of w.targetRows) lines.push(`| ${w.name} ${row}`);
    else for (const v of w.verdicts) lines.push(`| ${w.name} | ${v.target} | ${v.value} | **${v.verdict}** |`);
  }
  lines.push('', '## Workloads', '');
  for (const w of workloads) lines.push(isKept(w) ? w.markdown : renderWorkload(w), '');
  return `${lines.join('\n').trimEnd()}\n`;
}
