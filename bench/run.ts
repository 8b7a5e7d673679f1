/**
 * The benchmark driver (`npm run bench`): generates the data from a seed, runs every workload's
 * contenders alternating for a number of rounds, checks they all give the same answer, and
 * prints and writes the report (bench/results.md; bench/data/results-small.md for --sizes small).
 *
 *   npm run bench -- [--sizes small|default] [--only <workload>[,<workload>…]] [--repeat N] [--seed S]
 *                    [--peers all|none|<peer>[,<peer>…]] [--timeout <minutes per run>] [--no-build] [--no-duckdb]
 *
 * --repeat defaults to 3 rounds (1 for --sizes small and for wordcount-1g, groupby-1g, join-1g, parquet-1g and gzip-1g). The peers (DuckDB,
 * Polars for Node.js and Python, Arquero, PySpark RDD and DataFrame, PyFlink, Flink Java: harness/peers.ts) are
 * installed the first time a workload needs them and left out, with a note, where they cannot be installed or run;
 * --peers chooses them (default all; --no-duckdb is --peers without duckdb).
 *
 * Workloads: wordcount, groupby, join, distinct, spill-groupby, parallel-fixed-cost (the default set),
 * wordcount-1g, groupby-1g, join-1g, parquet-1g, gzip-1g and flink-wordcount.
 *
 * The report keeps the sections of the workloads not run (--only, or a run stopped half-way) as
 * they are in it: bench/results.md in git is the record, the JSON in bench/data is local.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Answer, answerDifferences, readAnswer } from './harness/answer.ts';
import { writeConf } from './harness/conf.ts';
import { hasGnuTime, measure } from './harness/measure.ts';
import { Peers, parsePeers } from './harness/peers.ts';
import { type KeptSection, type MachineInfo, parseSections, renderReport, renderWorkload } from './harness/report.ts';
import { type ContenderRecord, type RunRecord, type WorkloadRecord, loadResults, median, saveResults, summarize } from './harness/results.ts';
import { type BenchContext, DEFAULT_SEED, type SizeName, WORKLOADS } from './harness/workloads.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DATA = join(ROOT, 'bench', 'data');
const TMP = join(DATA, 'tmp');

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: 'default' },
    only: { type: 'string' },
    repeat: { type: 'string' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    timeout: { type: 'string', default: '60' },
    peers: { type: 'string', default: 'all' },
    'no-build': { type: 'boolean', default: false },
    'no-duckdb': { type: 'boolean', default: false },
  },
});

const sizes = flags.sizes as SizeName;
if (sizes !== 'small' && sizes !== 'default') fail(`--sizes must be small or default, got '${flags.sizes}'`);
const seed = Number(flags.seed);
if (!Number.isInteger(seed)) fail(`--seed must be an integer, got '${flags.seed}'`);
const repeatFlag = flags.repeat === undefined ? null : Number(flags.repeat);
if (repeatFlag !== null && !(Number.isInteger(repeatFlag) && repeatFlag > 0)) fail(`--repeat must be a positive integer, got '${flags.repeat}'`);
const timeoutMs = Number(flags.timeout) * 60_000;
const chosenPeers = parsePeers(flags.peers);
if (typeof chosenPeers === 'string') fail(`--peers: ${chosenPeers}`);
if (flags['no-duckdb']) chosenPeers.delete('duckdb');

const names = flags.only?.split(',').map((s) => s.trim()) ?? WORKLOADS.filter((w) => w.byDefault).map((w) => w.name);
const unknown = names.filter((n) => !WORKLOADS.some((w) => w.name === n));
if (unknown.length > 0) fail(`unknown workload(s) ${unknown.join(', ')}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
const selected = WORKLOADS.filter((w) => names.includes(w.name));

buildIfStale();
for (const dir of [DATA, TMP, join(DATA, 'out'), join(DATA, 'conf')]) mkdirSync(dir, { recursive: true });
const commit = gitCommit();
const tsflinkHome = snapshotBuild();

const peers = new Peers(ROOT, DATA, chosenPeers, (line) => console.log(line));
const machine: Omit<MachineInfo, 'peers' | 'duckdb'> = {
  cpu: cpuModel(),
  cores: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  gnuTime: hasGnuTime(),
};
if (!machine.gnuTime) console.log('note: /usr/bin/time not found (apt-get install -y time); peak RSS is polled from /proc/<pid>/status VmHWM');

const ctx: BenchContext = {
  root: ROOT,
  tsflinkHome,
  dataDir: DATA,
  sizes,
  seed,
  cores: machine.cores,
  peers,
  confFor: (budget) => writeConf(DATA, budget),
  log: (line) => console.log(line),
};

const resultsJson = join(DATA, `results-${sizes}.json`);
const reportPath = sizes === 'default' ? join(ROOT, 'bench', 'results.md') : join(DATA, `results-${sizes}.md`);
const results = loadResults(resultsJson);
// The sections of the report as it is now (from git, on a fresh checkout): a workload this run does
// not run keeps its section word for word — also when bench/data holds no JSON for it, or older JSON.
const keptSections = existsSync(reportPath) ? parseSections(readFileSync(reportPath, 'utf8')) : new Map<string, KeptSection>();
const ranNow = new Set<string>();
const childEnv = cleanEnv();
let problems = 0;

for (const workload of selected) {
  // Small sizes are for quick checks (under a minute): one round unless --repeat says otherwise.
  const repeat = repeatFlag ?? workload.defaultRepeat ?? (sizes === 'small' ? 1 : 3);
  console.log(`\n== ${workload.name}: ${workload.title}`);
  const data = workload.prepare(ctx);
  console.log(`   ${data.description}`);
  workload.setUp?.(ctx);
  const contenders = workload.contenders(ctx, data);
  const plan = planOf(
    contenders
      .filter((c) => c.planArgs)
      .pop()
      ?.planArgs?.() ?? null,
  );
  // A contender that times jobs inside its process records each kind of job as a contender of its own.
  const recordsOf: ContenderRecord[][] = contenders.map((c) => (c.inProcess ?? [{ id: c.id, label: c.label }]).map((r) => ({ id: r.id, label: r.label, kind: c.kind, runs: [] })));
  const records = recordsOf.flat();
  const outDir = join(DATA, 'out', workload.name);
  mkdirSync(outDir, { recursive: true });
  const loadBefore = os.loadavg()[0]!;
  let reference: Answer | null = null;

  try {
    for (let rep = 1; rep <= repeat; rep++) {
      for (const [i, contender] of contenders.entries()) {
        const output = join(outDir, contender.id);
        rmSync(output, { recursive: true, force: true });
        const load = os.loadavg()[0]!;
        if (contender.tmpDir) mkdirSync(contender.tmpDir, { recursive: true });
        const m = await measure(contender.args(output), {
          cwd: ROOT,
          timeoutMs,
          env: contender.env ? { ...childEnv, ...contender.env } : childEnv,
          ...(contender.command ? { command: contender.command } : {}),
          ...(contender.processTree ? { processTree: true } : {}),
        });
        // A peer's scratch space (its JVM's MiniCluster or Spark directories) goes with the run.
        if (contender.tmpDir) rmSync(contender.tmpDir, { recursive: true, force: true });
        let wrong: string | null = null;
        if (m.ok) {
          const answer = readAnswer(existsSync(output) ? output : null, reference);
          if (reference === null) reference = answer;
          else wrong = answerDifferences(reference, answer);
        }
        const leftovers = contender.kind === 'tsflink' ? leftoverTempFiles() : [];
        const run: RunRecord = { rep, ok: m.ok, wallMs: m.wallMs, cpuSeconds: m.cpuSeconds, peakRssMiB: m.peakRssMiB, wrong, load };
        if (contender.inProcess) {
          const timed = recordInProcessRuns(recordsOf[i]!, run, output);
          if (timed !== null) console.log(timed);
        } else recordsOf[i]![0]!.runs.push(run);
        rmSync(output, { recursive: true, force: true });
        const rss = m.peakRssMiB === null ? '?' : `${Math.round(m.peakRssMiB)} MiB`;
        const cpu = m.cpuSeconds === null ? '' : `  cpu ${m.cpuSeconds.toFixed(2)} s`;
        const verdict = m.ok ? (wrong ? 'WRONG ANSWER' : 'ok') : `FAILED (exit ${m.exitCode})`;
        console.log(`   round ${rep}/${repeat}  ${contender.label.padEnd(32)} ${(m.wallMs / 1000).toFixed(2).padStart(8)} s${cpu}  peak ${rss}  load ${load.toFixed(1)}  ${verdict}`);
        if (!m.ok) {
          problems++;
          console.log(indent(m.stderrTail));
        }
        if (wrong) {
          problems++;
          console.log(`\n   !!! ${contender.label} gave a different answer from the reference:\n${indent(wrong)}\n`);
        }
        if (leftovers.length > 0) {
          problems++;
          console.log(`   !!! temp files left behind by ${contender.label}: ${leftovers.join(', ')}`);
          for (const f of leftovers) rmSync(join(TMP, f), { recursive: true, force: true });
        }
      }
    }
  } finally {
    workload.tearDown?.(ctx);
  }

  const record: WorkloadRecord = {
    name: workload.name,
    title: workload.title,
    sizes,
    seed,
    data: data.description,
    ranAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
    loadAverage: [loadBefore, os.loadavg()[0]!],
    contenders: records,
    verdicts: [],
    plan,
  };
  const summaries = records.map(summarize);
  record.verdicts = workload.targets(ctx).map((t) => t.judge(summaries));
  results.workloads[workload.name] = record;
  ranNow.add(workload.name);
  saveResults(resultsJson, results);
  // After every workload, so that a long run stopped half-way still leaves its figures.
  writeReport();
  console.log(`\n${renderWorkload({ ...record, plan: null })}`);
}

writeReport();
console.log(`\nReport written to ${reportPath}`);
if (problems > 0) {
  console.error(`\n${problems} problem(s): failed runs, wrong answers or leftover temp files (see above)`);
  process.exitCode = 1;
}

/**
 * The report: a section per workload, in WORKLOADS order. Those run now are rendered from their
 * records; the others keep their section of the report as it was (judged when they ran), or, when
 * it has none, are rendered from bench/data/results-<sizes>.json if that holds them.
 */
function writeReport(): void {
  const ordered: (WorkloadRecord | KeptSection)[] = [];
  for (const w of WORKLOADS) {
    const kept = keptSections.get(w.name);
    if (!ranNow.has(w.name) && kept !== undefined) {
      ordered.push(kept);
      continue;
    }
    const record = results.workloads[w.name];
    if (record === undefined) continue;
    // Judged again from the stored runs, so every section follows the current targets.
    record.verdicts = w.targets(ctx).map((t) => t.judge(record.contenders.map(summarize)));
    ordered.push(record);
  }
  const command = `npm run bench${sizes === 'small' ? ' -- --sizes small' : ''}`;
  writeFileSync(reportPath, renderReport(ordered, { ...machine, duckdb: peers.installedVersion('duckdb'), peers: peers.describe() }, command));
}

/**
 * The jobs a process timed itself (`<output>/.timings.json`, see Contender.inProcess), each a run
 * of its record with the process's peak RSS; when the process failed, a failed run for each.
 * Returns a line of their median walls for the console.
 */
function recordInProcessRuns(recs: readonly ContenderRecord[], processRun: RunRecord, output: string): string | null {
  const timingsFile = join(output, '.timings.json');
  if (!processRun.ok || !existsSync(timingsFile)) {
    for (const r of recs) r.runs.push({ ...processRun, ok: false });
    return null;
  }
  const { runs } = JSON.parse(readFileSync(timingsFile, 'utf8')) as { runs: { id: string; wallMs: number; cpuSeconds: number }[] };
  const parts: string[] = [];
  for (const r of recs) {
    const mine = runs.filter((t) => t.id === r.id);
    for (const t of mine) r.runs.push({ ...processRun, wallMs: t.wallMs, cpuSeconds: t.cpuSeconds });
    const walls = mine.map((t) => t.wallMs);
    if (walls.length > 0) parts.push(`${r.id} ${walls.length === 1 ? '' : 'median '}${(median(walls)! / 1000).toFixed(3)} s`);
  }
  return `      in-process jobs: ${parts.join(', ')}`;
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
}

/** Builds dist/ when any file in src/ is newer than the CLI it holds (skipped with --no-build). */
function buildIfStale(): void {
  const cli = join(ROOT, 'dist', 'cli', 'main.js');
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  const newest = newestMtime(join(ROOT, 'src'));
  if (newest <= built) return;
  if (flags['no-build']) {
    if (built === 0) fail('dist/ is missing: run npm run build (or drop --no-build)');
    console.log('note: src/ is newer than dist/ (--no-build: measuring the old build)');
    return;
  }
  console.log('building dist/ (npm run build)…');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail('npm run build failed');
}

/**
 * Copies the built package (dist/, package.json) and the jobs to bench/data/build: other work in
 * this tree (a test run rebuilds dist/) must not change the engine between two rounds. The jobs'
 * `import 'tsflink'` resolves to the copy, as the package's own self-reference.
 */
function snapshotBuild(): string {
  const home = join(DATA, 'build');
  rmSync(home, { recursive: true, force: true });
  mkdirSync(join(home, 'bench'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(home, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(home, 'package.json'));
  for (const dir of ['jobs', 'shared']) cpSync(join(ROOT, 'bench', dir), join(home, 'bench', dir), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(home, 'node_modules'), 'dir');
  // The Flink target's jars (scripts/install-flink-deps.sh), found next to dist/.
  if (existsSync(join(ROOT, 'flink-runner'))) symlinkSync(join(ROOT, 'flink-runner'), join(home, 'flink-runner'), 'dir');
  return home;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function leftoverTempFiles(): string[] {
  // DuckDB's spill directory and the peers' scratch directories are not tsflink's.
  return readdirSync(TMP).filter((f) => f !== 'duckdb' && f !== 'peers');
}

/** The optimized plan of a tsflink contender (`tsflink plan`), for the report. */
function planOf(args: string[] | null): string | null {
  if (args === null) return null;
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: childEnv, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : `(tsflink plan failed: ${r.stderr.trim().split('\n').pop()})`;
}

/** The environment for the contenders: ours without TSFLINK_* overrides or a test runner's marker. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('TSFLINK_') || key === 'NODE_TEST_CONTEXT') delete env[key];
  return env;
}

function cpuModel(): string {
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  return `${head || 'unknown'}${dirty ? ' (+ uncommitted changes in src/)' : ''}`;
}
