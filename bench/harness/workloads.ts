/**
 * The workloads of issue 3 part 5: for each, its data (generated from the seed at the chosen
 * sizes), its contenders (the same question asked of the hand-written baseline, tsflink at p = 1
 * and p = cores, and the peers of harness/peers.ts where they apply) and its targets.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { generateDistinctCsv } from '../generate/distinct-csv.ts';
import { generateGroupByCsv } from '../generate/groupby-csv.ts';
import { generateGroupByParquet } from '../generate/groupby-parquet.ts';
import { gzipFile } from '../generate/gzip.ts';
import { generateCustomers, generateOrders } from '../generate/join-csv.ts';
import { type DataFacts, type DataSpec, ensureData } from '../generate/manifest.ts';
import { generateText } from '../generate/text.ts';
import { type PeerName, type PeerSource, type Query, duckdbContender, peerContenders } from './peers.ts';
import type { Target } from './targets.ts';
import { allCorrect, fasterThan, maxRssAtMost, peakRss, ratioAtMost, speedupAtLeast } from './targets.ts';

export type SizeName = 'small' | 'default';

/** The seed of the generated data unless --seed says otherwise. */
export const DEFAULT_SEED = 20240611;

export interface BenchContext {
  readonly root: string;
  /** A frozen copy of the built package and the jobs (see run.ts), so every round runs the same build. */
  readonly tsflinkHome: string;
  readonly dataDir: string;
  readonly sizes: SizeName;
  readonly seed: number;
  readonly cores: number;
  /** The peers chosen with --peers, installed when first asked for (harness/peers.ts). */
  readonly peers: PeerSource;
  /** The tsflink configuration file for a memory budget (null: the defaults, a quarter of RAM). */
  readonly confFor: (budget: string | null) => string;
  readonly log: (line: string) => void;
}

export interface PreparedData {
  /** The input files, in the order the programs take them. */
  readonly inputs: readonly string[];
  readonly description: string;
  readonly facts: DataFacts;
}

export type ContenderKind = 'baseline' | 'tsflink' | 'peer';

export interface Contender {
  readonly id: string;
  readonly label: string;
  readonly kind: ContenderKind;
  /** The arguments (after `command`) that answer the question into `output`. */
  readonly args: (output: string) => string[];
  /** The executable (a Python interpreter, java); default the Node binary running the bench. */
  readonly command?: string;
  /** Added to the child's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Several processes (a Python driver, its JVM, their workers): peak RSS is polled over the tree (harness/measure.ts). */
  readonly processTree?: boolean;
  /** A scratch directory made before each run and removed after it (a peer's TMPDIR and java.io.tmpdir). */
  readonly tmpDir?: string;
  /** For tsflink: the arguments of `tsflink plan` for the same job. */
  readonly planArgs?: () => string[];
  /**
   * The child times several jobs itself (one process, see jobs/fixed-cost.ts) and writes them to
   * `<output>/.timings.json` as `{ runs: [{ id, wallMs, cpuSeconds }] }`: each of these is then
   * recorded as a contender of its own, with a run per timed job.
   */
  readonly inProcess?: readonly { readonly id: string; readonly label: string }[];
}

export interface Workload {
  readonly name: string;
  readonly title: string;
  /** Runs by default (the 1 GB WordCount only with --only). */
  readonly byDefault: boolean;
  readonly defaultRepeat?: number;
  prepare(ctx: BenchContext): PreparedData;
  /** Before the rounds (a cluster to start); `tearDown` runs after them, also when they fail. */
  setUp?(ctx: BenchContext): void;
  tearDown?(ctx: BenchContext): void;
  contenders(ctx: BenchContext, data: PreparedData): Contender[];
  targets(ctx: BenchContext): Target[];
}

const MiB = 1 << 20;

interface SizeTable {
  wordcountBytes: number;
  vocabulary: number;
  groupbyRows: number;
  groupbyKeys: number;
  joinOrders: number;
  joinCustomers: number;
  distinctRows: number;
  spillBudgetMiB: number;
  spillKeys: number;
  bigTextBytes: number;
  parquetRows: number;
  parquetKeys: number;
  gzipTextBytes: number;
  /** groupby-1g and join-1g: the group-by CSV of this many bytes, and the join's sides at these counts. */
  bigGroupbyBytes: number;
  bigJoinOrders: number;
  bigJoinCustomers: number;
}

const SIZES: Record<SizeName, SizeTable> = {
  default: {
    wordcountBytes: 100 * MiB,
    vocabulary: 100_000,
    groupbyRows: 10_000_000,
    groupbyKeys: 100_000,
    joinOrders: 5_000_000,
    joinCustomers: 500_000,
    distinctRows: 10_000_000,
    spillBudgetMiB: 256,
    spillKeys: 4_000_000,
    bigTextBytes: 1024 * MiB,
    parquetRows: 100_000_000,
    parquetKeys: 100_000,
    gzipTextBytes: 1024 * MiB,
    bigGroupbyBytes: 1024 * MiB,
    bigJoinOrders: 50_000_000,
    bigJoinCustomers: 5_000_000,
  },
  small: {
    wordcountBytes: 10 * MiB,
    vocabulary: 100_000,
    groupbyRows: 1_000_000,
    groupbyKeys: 10_000,
    joinOrders: 500_000,
    joinCustomers: 50_000,
    distinctRows: 1_000_000,
    spillBudgetMiB: 4,
    spillKeys: 50_000,
    bigTextBytes: 100 * MiB,
    parquetRows: 2_000_000,
    parquetKeys: 10_000,
    gzipTextBytes: 10 * MiB,
    bigGroupbyBytes: 16 * MiB,
    bigJoinOrders: 1_000_000,
    bigJoinCustomers: 100_000,
  },
};

export function sizeTable(sizes: SizeName): SizeTable {
  return SIZES[sizes];
}

/** Generates (or reuses) one data file and logs what happened. */
function data(ctx: BenchContext, file: string, spec: DataSpec, write: (tmp: string) => DataFacts): { path: string; facts: DataFacts } {
  const path = join(ctx.dataDir, file);
  const started = performance.now();
  const { facts, generated } = ensureData(path, spec, write);
  if (generated) ctx.log(`  generated ${file} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { path, facts };
}

const mib = (bytes: number): string => `${Math.round(bytes / MiB)} MiB`;
const count = (n: number): string => (n >= 1e6 ? `${n / 1e6} M` : n >= 1e3 ? `${n / 1e3} K` : String(n));

function baseline(script: string, inputs: readonly string[]): Contender {
  return { id: 'baseline', label: 'hand-written Node.js (1 thread)', kind: 'baseline', args: (out) => ['--import', 'tsx', `bench/baselines/${script}`, ...inputs, out] };
}

function tsflink(ctx: BenchContext, job: string, inputs: readonly string[], parallelism: number, budget: string | null): Contender {
  const conf = ctx.confFor(budget);
  const cli = join(ctx.tsflinkHome, 'dist', 'cli', 'main.js');
  const common = [join(ctx.tsflinkHome, 'bench', 'jobs', job), '-p', String(parallelism), '--conf', conf];
  return {
    id: parallelism === 1 ? 'tsflink-p1' : 'tsflink-pN',
    label: `tsflink p=${parallelism}`,
    kind: 'tsflink',
    args: (out) => [cli, 'run', ...common, '-', ...inputs, out],
    planArgs: () => [cli, 'plan', ...common, '-', ...inputs, join(ctx.dataDir, 'out', 'plan-only')],
  };
}

/** tsflink at p = 1 and, on a multi-core machine, at p = cores. */
function tsflinkPair(ctx: BenchContext, job: string, inputs: readonly string[], budget: string | null): Contender[] {
  const pair = [tsflink(ctx, job, inputs, 1, budget)];
  if (ctx.cores > 1) pair.push(tsflink(ctx, job, inputs, ctx.cores, budget));
  return pair;
}

/** Peak RSS limits are the at default sizes; at small sizes the figure is only shown. */
function rssTargets(ctx: BenchContext, limitMiB: number, ids = ctx.cores > 1 ? ['tsflink-p1', 'tsflink-pN'] : ['tsflink-p1']): Target[] {
  return ids.map((id) => (ctx.sizes === 'default' ? maxRssAtMost(id, limitMiB) : peakRss(id)));
}

/** tsflink at p = cores (p = 1 on a one-core machine), which the issue sets against the peers. */
const tsflinkN = (ctx: BenchContext): string => (ctx.cores > 1 ? 'tsflink-pN' : 'tsflink-p1');

/** Issue 15: tsflink at p = N faster than each JVM peer at the same parallelism. */
function jvmPeerTargets(ctx: BenchContext): Target[] {
  return (['pyspark-rdd', 'pyspark-df', 'pyflink', 'flink-java'] as const).map((peer) => fasterThan(tsflinkN(ctx), peer));
}

/**
 * The speed targets: tsflink correct; p = 1 at most `ratio` × the baseline (issue 15: 0.9× on
 * WordCount, group-by and join); p = N at least 1.6× faster than p = 1 (issue 3); p = N within
 * `duckdb` × DuckDB (issue 15: 2× on group-by and join); p = N faster than the JVM peers.
 */
function speedTargets(ctx: BenchContext, ratio: number | null, duckdb: number | null = null): Target[] {
  const targets: Target[] = [allCorrect()];
  if (ratio !== null) targets.push(ratioAtMost('tsflink-p1', 'baseline', ratio));
  if (ctx.cores > 1) targets.push(speedupAtLeast('tsflink-pN', 'tsflink-p1', 1.6, ctx.cores));
  if (duckdb !== null) targets.push(ratioAtMost(tsflinkN(ctx), 'duckdb', duckdb));
  return [...targets, ...jvmPeerTargets(ctx)];
}

/**
 * The peers that answer the workloads' questions (harness/peers.ts). Arquero holds a table in
 * memory, which the spill and 1 GiB inputs are far past (a 1 GiB file does not even fit in one V8
 * string), so it is left out of those; the 1 GiB WordCount keeps to the peers that take it in a
 * minute or two (not PySpark, PyFlink: several minutes a round).
 */
function peers(ctx: BenchContext, query: Query, inputs: readonly string[], exclude: readonly PeerName[] = [], duckdbArgs?: readonly string[]): Contender[] {
  return peerContenders(ctx, query, inputs, { exclude, ...(duckdbArgs ? { duckdbArgs } : {}) });
}

/** The generated WordCount text of `bytes` (shared by the workloads that read text of that size). */
function textData(ctx: BenchContext, bytes: number): { path: string; facts: DataFacts; description: string } {
  const t = sizeTable(ctx.sizes);
  const params = { bytes, vocabulary: t.vocabulary };
  const d = data(ctx, `text-${bytes}.txt`, { generator: 'text/1', seed: ctx.seed, params }, (tmp) => generateText(tmp, params, ctx.seed));
  const description = `${mib(bytes)} of text, ${count(d.facts.lines!)} lines, ${count(d.facts.words!)} words from a Zipf(1.0) vocabulary of ${count(t.vocabulary)}`;
  return { ...d, description };
}

function wordCount(name: string, bytesOf: (t: SizeTable) => number, byDefault: boolean): Workload {
  return {
    name,
    title: byDefault ? 'WordCount' : 'WordCount on 1 GB of text (streaming memory check)',
    byDefault,
    ...(byDefault ? {} : { defaultRepeat: 1 }),
    prepare(ctx) {
      const d = textData(ctx, bytesOf(sizeTable(ctx.sizes)));
      return { inputs: [d.path], description: d.description, facts: d.facts };
    },
    contenders(ctx, d) {
      const budget = byDefault ? null : '256m';
      const others = byDefault ? peers(ctx, 'wordcount', d.inputs) : peers(ctx, 'wordcount', d.inputs, ['arquero', 'pyspark-rdd', 'pyspark-df', 'pyflink']);
      return [baseline('wordcount.ts', d.inputs), ...tsflinkPair(ctx, 'wordcount.ts', d.inputs, budget), ...others];
    },
    targets(ctx) {
      return byDefault ? speedTargets(ctx, 0.9) : [allCorrect(), ...rssTargets(ctx, 512)];
    },
  };
}

function joinData(ctx: BenchContext, orderCount: number, customerCount: number): PreparedData {
  const params = { orders: orderCount, customers: customerCount };
  const spec = { generator: 'join-csv/1', seed: ctx.seed, params };
  const orders = data(ctx, `orders-${orderCount}.csv`, spec, (tmp) => generateOrders(tmp, params, ctx.seed));
  const customers = data(ctx, `customers-${customerCount}.csv`, spec, (tmp) => generateCustomers(tmp, params, ctx.seed));
  const size = mib(statSync(orders.path).size + statSync(customers.path).size);
  return {
    inputs: [orders.path, customers.path],
    description: `${count(orderCount)} orders × ${count(customerCount)} customers (${size}), ${count(orders.facts.matching!)} orders match`,
    facts: { ...orders.facts },
  };
}

/** The peers a 1 GiB group-by or join leaves out: Arquero (a table in memory), and PySpark and PyFlink (several minutes a round). */
const SLOW_ON_1G: readonly PeerName[] = ['arquero', 'pyspark-rdd', 'pyspark-df', 'pyflink'];

/**
 * Issue 15's 1 GiB inputs: the group-by CSV at 1 GiB (the same 100 K keys) and the join at ten
 * times its orders and customers (about 1.3 GB of CSV). Only with --only; one round unless
 * --repeat says otherwise. The targets are the 100 MiB workloads' (p = 1 at most 0.9 × the
 * baseline, p = N within 2 × DuckDB, faster than Flink Java).
 */
function bigGroupBy(): Workload {
  return {
    name: 'groupby-1g',
    title: 'Group-by + aggregate on 1 GiB of CSV',
    byDefault: false,
    defaultRepeat: 1,
    prepare(ctx) {
      const t = sizeTable(ctx.sizes);
      return groupByData(ctx, `groupby-${t.bigGroupbyBytes}b.csv`, { bytes: t.bigGroupbyBytes, keys: t.groupbyKeys });
    },
    contenders: (ctx, d) => [baseline('groupby.ts', d.inputs), ...tsflinkPair(ctx, 'groupby.ts', d.inputs, null), ...peers(ctx, 'groupby', d.inputs, SLOW_ON_1G)],
    targets: (ctx) => speedTargets(ctx, 0.9, 2),
  };
}

function bigJoin(): Workload {
  return {
    name: 'join-1g',
    title: 'Equi-join (orders ⋈ customers) on about 1 GiB of CSV',
    byDefault: false,
    defaultRepeat: 1,
    prepare(ctx) {
      const t = sizeTable(ctx.sizes);
      return joinData(ctx, t.bigJoinOrders, t.bigJoinCustomers);
    },
    contenders: (ctx, d) => [baseline('join.ts', d.inputs), ...tsflinkPair(ctx, 'join.ts', d.inputs, null), ...peers(ctx, 'join', d.inputs, SLOW_ON_1G)],
    targets: (ctx) => speedTargets(ctx, 0.9, 2),
  };
}

function groupByData(ctx: BenchContext, file: string, params: { rows?: number; bytes?: number; keys: number }): PreparedData {
  const d = data(ctx, file, { generator: 'groupby-csv/1', seed: ctx.seed, params }, (tmp) => generateGroupByCsv(tmp, params, ctx.seed));
  const size = params.bytes !== undefined ? `${mib(params.bytes)}, ` : '';
  return { inputs: [d.path], description: `CSV key,category,value: ${size}${count(d.facts.rows!)} rows, ${count(params.keys)} key values`, facts: d.facts };
}

/**
 * Issue 14: what the progress display costs. WordCount on the default text at p = cores, with the
 * progress shown and with --quiet, on a pipe (plain lines every few seconds) and on a
 * pseudo-terminal (the live display, bench/peers/in-pty.ts, both variants through the wrapper).
 */
function progressCost(): Workload {
  const base = wordCount('wordcount', (t) => t.wordcountBytes, true);
  return {
    name: 'progress',
    title: 'WordCount with the progress display on and with --quiet',
    byDefault: false,
    prepare: (ctx) => base.prepare(ctx),
    contenders(ctx, d) {
      const cli = join(ctx.tsflinkHome, 'dist', 'cli', 'main.js');
      const job = [join(ctx.tsflinkHome, 'bench', 'jobs', 'wordcount.ts'), '-p', String(ctx.cores), '--conf', ctx.confFor(null)];
      const run = (quiet: boolean, pty: boolean): Contender => ({
        id: `tsflink-${quiet ? 'quiet' : 'progress'}-${pty ? 'tty' : 'pipe'}`,
        label: `tsflink p=${ctx.cores} ${quiet ? '--quiet' : 'with progress'} (${pty ? 'terminal' : 'pipe'})`,
        kind: 'tsflink',
        args: (out) => {
          const command = [cli, 'run', ...job, ...(quiet ? ['--quiet'] : []), '-', ...d.inputs, out];
          return pty ? ['--import', 'tsx', 'bench/peers/in-pty.ts', process.execPath, ...command] : command;
        },
      });
      return [baseline('wordcount.ts', d.inputs), run(true, false), run(false, false), run(true, true), run(false, true)];
    },
    targets: () => [allCorrect(), ratioAtMost('tsflink-progress-pipe', 'tsflink-quiet-pipe', 1.02), ratioAtMost('tsflink-progress-tty', 'tsflink-quiet-tty', 1.02)],
  };
}

export const WORKLOADS: readonly Workload[] = [
  wordCount('wordcount', (t) => t.wordcountBytes, true),
  {
    name: 'groupby',
    title: 'Group-by + aggregate (sum and count per key)',
    byDefault: true,
    prepare(ctx) {
      const t = sizeTable(ctx.sizes);
      return groupByData(ctx, `groupby-${t.groupbyRows}.csv`, { rows: t.groupbyRows, keys: t.groupbyKeys });
    },
    contenders: (ctx, d) => [baseline('groupby.ts', d.inputs), ...tsflinkPair(ctx, 'groupby.ts', d.inputs, null), ...peers(ctx, 'groupby', d.inputs)],
    targets: (ctx) => speedTargets(ctx, 0.9, 2),
  },
  {
    name: 'join',
    title: 'Equi-join (orders ⋈ customers)',
    byDefault: true,
    prepare(ctx) {
      const t = sizeTable(ctx.sizes);
      return joinData(ctx, t.joinOrders, t.joinCustomers);
    },
    contenders: (ctx, d) => [baseline('join.ts', d.inputs), ...tsflinkPair(ctx, 'join.ts', d.inputs, null), ...peers(ctx, 'join', d.inputs)],
    targets: (ctx) => speedTargets(ctx, 0.9, 2),
  },
  {
    name: 'distinct',
    title: 'Distinct (user, item) pairs',
    byDefault: true,
    prepare(ctx) {
      const t = sizeTable(ctx.sizes);
      const params = { rows: t.distinctRows };
      const d = data(ctx, `distinct-${t.distinctRows}.csv`, { generator: 'distinct-csv/1', seed: ctx.seed, params }, (tmp) => generateDistinctCsv(tmp, params, ctx.seed));
      return { inputs: [d.path], description: `CSV user,item: ${count(t.distinctRows)} rows drawn from ${count(t.distinctRows * 0.4)} distinct pairs`, facts: d.facts };
    },
    contenders: (ctx, d) => [baseline('distinct.ts', d.inputs), ...tsflinkPair(ctx, 'distinct.ts', d.inputs, null), ...peers(ctx, 'distinct', d.inputs)],
    targets: (ctx) => speedTargets(ctx, null),
  },
  {
    name: 'spill-groupby',
    title: 'Group-by on a CSV five times the memory budget',
    byDefault: true,
    prepare(ctx) {
      const t = sizeTable(ctx.sizes);
      const bytes = 5 * t.spillBudgetMiB * MiB;
      const d = groupByData(ctx, `spill-${bytes}.csv`, { bytes, keys: t.spillKeys });
      return { ...d, description: `${d.description}; tsflink budget taskmanager.memory = ${t.spillBudgetMiB} MiB` };
    },
    contenders(ctx, d) {
      const budgetMiB = sizeTable(ctx.sizes).spillBudgetMiB;
      // DuckDB gets the same budget; below 64 MiB (small sizes) it cannot even read the CSV, so none.
      // The other peers have no such setting (Polars streams; Spark and Flink spill from their JVM heap).
      const limit = budgetMiB >= 64 ? [`${budgetMiB}MiB`, join(ctx.dataDir, 'tmp', 'duckdb')] : [];
      return [baseline('groupby.ts', d.inputs), ...tsflinkPair(ctx, 'groupby.ts', d.inputs, `${budgetMiB}m`), ...peers(ctx, 'groupby', d.inputs, ['arquero'], [d.inputs[0]!, ...limit])];
    },
    targets(ctx) {
      // Issue 15: p = N within 1.2 × the budget, and at most 3 × DuckDB's wall time under the same limit.
      return [allCorrect(), ...rssTargets(ctx, 1.2 * sizeTable(ctx.sizes).spillBudgetMiB, [tsflinkN(ctx)]), ratioAtMost(tsflinkN(ctx), 'duckdb', 3), ...jvmPeerTargets(ctx)];
    },
  },
  wordCount('wordcount-1g', (t) => t.bigTextBytes, false),
  bigGroupBy(),
  bigJoin(),
  parquetGroupBy(),
  gzipWordCount(),
  flinkWordCount(),
  progressCost(),
  parallelFixedCost(),
];

/**
 * Group-by on ~1 GB of Parquet (`key,category,value`, written by DuckDB from a seeded hash of the
 * row number): tsflink's readParquet with a `columns` projection against the same question asked
 * by hand of hyparquet (the baseline, whose answer every other is compared with) and of DuckDB.
 * Only with --only; one round unless --repeat says otherwise (a round takes minutes).
 */
function parquetGroupBy(): Workload {
  return {
    name: 'parquet-1g',
    title: 'Group-by on 1 GB of Parquet (sum and count per key, two of three columns read)',
    byDefault: false,
    defaultRepeat: 1,
    prepare(ctx) {
      const t = sizeTable(ctx.sizes);
      const params = { rows: t.parquetRows, keys: t.parquetKeys };
      // DuckDB writes the data (also under --peers none); installed here when it is missing.
      ctx.peers.ensure('duckdb');
      const d = data(ctx, `groupby-${t.parquetRows}.parquet`, { generator: 'groupby-parquet/1', seed: ctx.seed, params }, (tmp) => generateGroupByParquet(tmp, params, ctx.seed));
      const bytes = statSync(d.path).size;
      return {
        inputs: [d.path],
        description:
          `Parquet key,category,value (DuckDB's COPY, snappy): ${mib(bytes)}, ${count(d.facts.rows!)} rows in ${d.facts.rowGroups} row groups, ` +
          `${count(d.facts.keys!)} key values; the programs read the key and value columns only`,
        facts: d.facts,
      };
    },
    contenders(ctx, d) {
      const list = [{ ...baseline('parquet-groupby.ts', d.inputs), label: 'hand-written Node.js + hyparquet (1 thread)' }, ...tsflinkPair(ctx, 'parquet-groupby.ts', d.inputs, null)];
      if (ctx.peers.version('duckdb') !== null) list.push(duckdbContender(ctx, 'groupby-parquet', d.inputs));
      return list;
    },
    targets: () => [allCorrect()],
  };
}

/**
 * WordCount on a gzip'd copy of the 1 GiB text (one gzip member, made once and kept in
 * bench/data). A gzip file cannot be split: tsflink reads it with one source instance at any
 * parallelism, so at p=2 the second instance only shares the counting after the hash exchange.
 * Only with --only; one round unless --repeat says otherwise.
 */
function gzipWordCount(): Workload {
  return {
    name: 'gzip-1g',
    title: "WordCount on 1 GB of gzip'd text (one file: not splittable)",
    byDefault: false,
    defaultRepeat: 1,
    prepare(ctx) {
      const text = textData(ctx, sizeTable(ctx.sizes).gzipTextBytes);
      const file = `${text.path.slice(ctx.dataDir.length + 1)}.gz`;
      const spec = { generator: 'gzip/1', seed: ctx.seed, params: { source: file.slice(0, -3), sourceBytes: statSync(text.path).size, level: 6 } };
      const d = data(ctx, file, spec, (tmp) => ({ ...gzipFile(text.path, tmp), ...text.facts }));
      return {
        inputs: [d.path],
        description: `${mib(statSync(d.path).size)} of gzip (level 6, one member) holding ${text.description}; read by one tsflink source instance at every p`,
        facts: d.facts,
      };
    },
    contenders(ctx, d) {
      const list = [{ ...baseline('wordcount-gzip.ts', d.inputs), label: 'hand-written Node.js + zlib (1 thread)' }, ...tsflinkPair(ctx, 'wordcount.ts', d.inputs, null)];
      if (ctx.peers.version('duckdb') !== null) list.push(duckdbContender(ctx, 'wordcount', d.inputs));
      return list;
    },
    targets: () => [allCorrect()],
  };
}

/**
 * Issue 10's fixed cost of a parallel job: in one `tsflink run` process, a small job (2 M
 * numbers, a map, a filter, a count) at p=1 and at p=2, alternating after a warm-up, so that
 * neither process nor thread start-up is in the figures; the target is p=2 at most 1.5× p=1.
 */
function parallelFixedCost(): Workload {
  const jobsPerProcess = 5;
  return {
    name: 'parallel-fixed-cost',
    title: 'Fixed cost of a parallel job (p=1 and p=2 jobs in one warm process)',
    byDefault: true,
    prepare: () => ({
      inputs: [],
      description:
        `generateSequence(1, 2 M).map(x => x * 2).filter(x => x % 3 === 0).count(); per process, after a first p=2 job and a warm-up ` +
        `job at each parallelism, ${jobsPerProcess} jobs at p=1 and ${jobsPerProcess} at p=2, alternating; each job is one run below, ` +
        `timed inside the process, CPU time of the whole process during the job`,
      facts: {},
    }),
    contenders(ctx) {
      const cli = join(ctx.tsflinkHome, 'dist', 'cli', 'main.js');
      const job = join(ctx.tsflinkHome, 'bench', 'jobs', 'fixed-cost.ts');
      return [
        {
          id: 'tsflink-fixed-cost',
          label: 'tsflink p=1 and p=2 in one process',
          kind: 'tsflink',
          args: (out) => [cli, 'run', job, '--conf', ctx.confFor(null), '-', String(jobsPerProcess), out],
          inProcess: [
            { id: 'tsflink-p1', label: 'tsflink p=1 (in-process job)' },
            { id: 'tsflink-p2', label: 'tsflink p=2 (in-process job, warm)' },
            { id: 'tsflink-p2-first', label: "tsflink p=2 (the process's first parallel job)" },
          ],
        },
      ];
    },
    targets: () => [allCorrect(), ratioAtMost('tsflink-p2', 'tsflink-p1', 1.5)],
  };
}

/**
 * Issue 4's benchmark: WordCount through tsflink on the Flink target against the same job as a
 * plain Flink Java program, both on one standalone cluster (scripts/flink-cluster.sh: a
 * JobManager and a TaskManager with a slot per core) started for the workload. Only with --only.
 */
function flinkWordCount(): Workload {
  const base = wordCount('wordcount', (t) => t.wordcountBytes, true);
  let address: string | null = null;
  const clusterEnv = (ctx: BenchContext) => ({ ...process.env, TSFLINK_FLINK_CLUSTER_DIR: join(ctx.dataDir, 'flink-cluster') });
  const cluster = (ctx: BenchContext, ...args: string[]) => spawnSync('bash', [join(ctx.root, 'scripts', 'flink-cluster.sh'), ...args], { cwd: ctx.root, env: clusterEnv(ctx), encoding: 'utf8' });
  return {
    name: 'flink-wordcount',
    title: 'WordCount on a Flink cluster: tsflink --target flink against a Flink Java program',
    byDefault: false,
    prepare: (ctx) => base.prepare(ctx),
    setUp(ctx) {
      const r = cluster(ctx, 'start', '--taskmanagers', '1', '--slots', String(ctx.cores));
      address = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !/^[\w.-]+:\d+$/.test(address)) throw new Error(`flink-cluster.sh start failed (run scripts/install-flink-deps.sh first): ${r.stderr}`);
      ctx.log(`   Flink cluster at ${address}`);
    },
    tearDown(ctx) {
      cluster(ctx, 'stop');
      address = null;
    },
    contenders(ctx, d) {
      const cli = join(ctx.tsflinkHome, 'dist', 'cli', 'main.js');
      const job = [join(ctx.tsflinkHome, 'bench', 'jobs', 'wordcount.ts'), '-p', String(ctx.cores), '--target', 'flink', '-m', address!];
      return [
        {
          id: 'flink-java',
          label: `Flink Java program (p=${ctx.cores})`,
          kind: 'baseline',
          args: (out) => ['--import', 'tsx', 'bench/peers/flink-java.ts', address!, String(ctx.cores), ...d.inputs, out],
        },
        {
          id: 'tsflink-flink',
          label: `tsflink --target flink (p=${ctx.cores})`,
          kind: 'tsflink',
          args: (out) => [cli, 'run', ...job, '-', ...d.inputs, out],
          planArgs: () => [cli, 'plan', ...job, '-', ...d.inputs, join(ctx.dataDir, 'out', 'plan-only')],
        },
      ];
    },
    targets: () => [allCorrect(), ratioAtMost('tsflink-flink', 'flink-java', 3)],
  };
}
