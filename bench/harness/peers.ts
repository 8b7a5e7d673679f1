/**
 * The peers: other engines asked the benchmark's questions on the same data, each a contender
 * next to the baseline and tsflink. Each is installed on demand the first time a workload needs
 * it, from its registry (npm, PyPI, Maven Central); one that cannot be installed or does not load
 * is left out with a note, and never fails the run. `--peers all|none|<list>` chooses them.
 *
 * | peer | what runs | installed |
 * |---|---|---|
 * | duckdb | peers/duckdb.ts, `--threads` = cores | `npm install --no-save @duckdb/node-api` in the project (a devDependency) |
 * | polars-node | peers/polars.ts, lazy queries, `sinkCSV` | `npm install --no-save nodejs-polars` in bench/data/npm-peers/nodejs-polars |
 * | polars-py | peers/python/polars_peer.py, lazy queries, `sink_csv` | `pip install polars` in the virtualenv bench/data/venv/polars |
 * | arquero | peers/arquero.ts, in-memory tables, one thread | `npm install --no-save arquero` in bench/data/npm-peers/arquero |
 * | pyspark-rdd, pyspark-df | peers/python/pyspark_{rdd,df}.py, local[cores] | `pip install pyspark` in bench/data/venv/pyspark (needs Java 17) |
 * | pyflink | peers/python/pyflink_table.py, Table API in batch mode, p = cores | `pip install apache-flink` in bench/data/venv/pyflink (needs Java 17) |
 * | flink-java | flink-runner/…/bench/JavaLocalDataSet.java on a local environment, p = cores | Flink's jars from scripts/install-flink-deps.sh, the program compiled with javac into bench/data/java-peer |
 *
 * Each npm peer has a directory of its own (peers/npm-peer.ts) and each Python peer a virtualenv
 * of its own: PySpark 4 and PyFlink 1.20 pin different py4j versions, and one failed install
 * leaves the others alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JAVA_OPENS } from '../../src/runners/flink/flink-runner.ts';
import { npmPeerDir } from '../peers/npm-peer.ts';
import type { BenchContext, Contender } from './workloads.ts';

export const PEER_NAMES = ['duckdb', 'polars-node', 'polars-py', 'arquero', 'pyspark-rdd', 'pyspark-df', 'pyflink', 'flink-java'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** Names that stand for several peers in `--peers`. */
const GROUPS: Record<string, readonly PeerName[]> = {
  polars: ['polars-node', 'polars-py'],
  pyspark: ['pyspark-rdd', 'pyspark-df'],
  spark: ['pyspark-rdd', 'pyspark-df'],
};

/** `--peers all|none|<comma list>` → the chosen peers, or an error message. */
export function parsePeers(flag: string): Set<PeerName> | string {
  const value = flag.trim();
  if (value === 'all') return new Set(PEER_NAMES);
  if (value === 'none' || value === '') return new Set();
  const chosen = new Set<PeerName>();
  for (const raw of value.split(',')) {
    const name = raw.trim();
    const group = GROUPS[name];
    if (group !== undefined) for (const p of group) chosen.add(p);
    else if ((PEER_NAMES as readonly string[]).includes(name)) chosen.add(name as PeerName);
    else return `unknown peer '${name}'; known: all, none, ${[...PEER_NAMES, ...Object.keys(GROUPS)].join(', ')}`;
  }
  return chosen;
}

/** What a workload asks of the peers (peers/duckdb.ts has more queries, for the other workloads). */
export type Query = 'wordcount' | 'groupby' | 'join' | 'distinct';

/** The peers' availability, as the workloads see it (bench/profile.ts has none). */
export interface PeerSource {
  /** The peer's version when it is chosen and can run here (installing it on first use), else null. */
  version(name: PeerName): string | null;
  /** The interpreter of a Python peer, the compiled classes of flink-java (once `version` gave one). */
  path(name: PeerName): string | undefined;
  /** Installs `name` when missing, chosen or not (DuckDB writes the parquet workloads' data); its version or null. */
  ensure(name: PeerName): string | null;
}

/** What one install gives: the version to show, and the paths its contenders run. */
interface Installed {
  readonly version: string;
  /** The interpreter of a Python peer; the compiled classes' directory of flink-java. */
  readonly path?: string;
}

/** Installs and probes the chosen peers, once each, when a workload first asks for them. */
export class Peers implements PeerSource {
  private readonly units = new Map<string, Installed | null>();
  private javaChecked: string | null | undefined;
  private pythonVersion: string | undefined;
  private readonly root: string;
  private readonly dataDir: string;
  readonly chosen: ReadonlySet<PeerName>;
  private readonly log: (line: string) => void;

  constructor(root: string, dataDir: string, chosen: ReadonlySet<PeerName>, log: (line: string) => void) {
    this.root = root;
    this.dataDir = dataDir;
    this.chosen = chosen;
    this.log = log;
  }

  version(name: PeerName): string | null {
    return this.chosen.has(name) ? (this.installed(name)?.version ?? null) : null;
  }

  path(name: PeerName): string | undefined {
    return this.chosen.has(name) ? this.installed(name)?.path : undefined;
  }

  /** The version of a peer this run installed or found, without installing it; null otherwise. */
  installedVersion(name: PeerName): string | null {
    return this.units.get(name)?.version ?? null;
  }

  ensure(name: PeerName): string | null {
    return this.installed(name)?.version ?? null;
  }

  /** The install behind a peer (pyspark-rdd and pyspark-df share one), null when it cannot be had. */
  private installed(name: PeerName): Installed | null {
    const unit = name === 'pyspark-rdd' || name === 'pyspark-df' ? 'pyspark' : name;
    if (!this.units.has(unit)) this.units.set(unit, this.install(unit));
    return this.units.get(unit)!;
  }

  /** "DuckDB v1.5.6, Polars (Python) 2.1.0, …" for the report's heading: the peers this run installed. */
  describe(): string[] {
    const names: Record<string, string> = {
      duckdb: 'DuckDB',
      'polars-node': 'nodejs-polars',
      'polars-py': 'Polars (Python)',
      arquero: 'Arquero',
      pyspark: 'PySpark',
      pyflink: 'PyFlink (apache-flink)',
      'flink-java': 'Flink (Java DataSet)',
    };
    const out: string[] = [];
    for (const [unit, got] of this.units) if (got !== null) out.push(`${names[unit] ?? unit} ${got.version}`);
    const python = [...this.units].some(([unit, got]) => got !== null && ['polars-py', 'pyspark', 'pyflink'].includes(unit));
    if (python) out.push(`Python ${(this.pythonVersion ??= probe('python3', ['-c', 'import platform; print(platform.python_version())']) ?? '?')}`);
    if (this.javaChecked) out.push(`Java ${this.javaChecked}`);
    return out;
  }

  private install(unit: string): Installed | null {
    switch (unit) {
      case 'duckdb':
        return this.duckdb();
      case 'polars-node': {
        // The native binary is an optional dependency, which npm does not always install: named too.
        const suffix = process.platform === 'linux' ? '-gnu' : process.platform === 'win32' ? '-msvc' : '';
        const version = '0.25.2';
        return this.npm('nodejs-polars', [`nodejs-polars@${version}`, `nodejs-polars-${process.platform}-${process.arch}${suffix}@${version}`], false);
      }
      case 'arquero':
        // 8.0.2 and later need @uwdata/flechette 2, whose dependency @uwdata/wk-geojson the registry does not serve here.
        return this.npm('arquero', ['arquero@8.0.1'], true);
      case 'polars-py':
        return this.python('polars', 'polars==2.1.0', 'import polars; print(polars.__version__)', false);
      case 'pyspark':
        return this.python('pyspark', 'pyspark==4.3.0', 'import pyspark; print(pyspark.__version__)', true);
      case 'pyflink':
        // 1.20, Flink Java's version (Flink 2 dropped the DataSet API); it supports Python 3.8 to 3.11.
        return this.python('pyflink', 'apache-flink==1.20.5', "from importlib.metadata import version; print(version('apache-flink'))", true);
      case 'flink-java':
        return this.flinkJava();
      default:
        throw new Error(`no install for peer ${unit}`);
    }
  }

  private note(what: string, why: string): null {
    this.log(`note: ${what} ${why}; it is left out of this run`);
    return null;
  }

  /** `@duckdb/node-api` in the project's node_modules (a devDependency; the parquet workloads' data needs it too). */
  private duckdb(): Installed | null {
    const name = '@duckdb/node-api';
    const check = (): string | null => probe(process.execPath, ['--input-type=module', '-e', `console.log((await import('${name}')).version())`], this.root);
    const version = check();
    if (version !== null) return { version };
    this.log(`installing ${name} for the DuckDB peer (npm install --no-save)…`);
    spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', name], { cwd: this.root, stdio: 'inherit' });
    const installed = check();
    return installed === null ? this.note('DuckDB', `(${name}) could not be installed or does not load here`) : { version: installed };
  }

  /** `pkg` in its own directory under bench/data/npm-peers, loaded as peers/npm-peer.ts loads it. */
  private npm(pkg: string, specs: readonly string[], esm: boolean): Installed | null {
    const dir = npmPeerDir(pkg);
    const load = esm ? `await import(pathToFileURL(r.resolve('${pkg}')).href)` : `r('${pkg}')`;
    const script = `import { createRequire } from 'node:module'; import { pathToFileURL } from 'node:url';
      const r = createRequire(${JSON.stringify(join(dir, 'package.json'))}); ${load}; console.log(r('${pkg}/package.json').version);`;
    const check = (): string | null => (existsSync(join(dir, 'node_modules', pkg)) ? probe(process.execPath, ['--input-type=module', '-e', script]) : null);
    const version = check();
    if (version !== null) return { version };
    this.log(`installing ${specs.join(' ')} for the ${pkg} peer (npm install --no-save in ${dir})…`);
    mkdirSync(dir, { recursive: true });
    // Its own package.json, so that npm installs here and not into the project above.
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `tsflink-bench-peer-${pkg}`, private: true }, null, 2)}\n`);
    spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...specs], { cwd: dir, stdio: 'inherit' });
    const installed = check();
    return installed === null ? this.note(pkg, 'could not be installed from npm or does not load here') : { version: installed };
  }

  /** `spec` in the virtualenv bench/data/venv/<name>, made with `python3 -m venv` when missing. */
  private python(name: string, spec: string, versionScript: string, needsJava: boolean): Installed | null {
    if (needsJava && this.java() === null) return this.note(name, 'needs Java (java -version failed)');
    const venv = join(this.dataDir, 'venv', name);
    const python = join(venv, 'bin', 'python');
    const check = (): string | null => (existsSync(python) ? probe(python, ['-c', versionScript]) : null);
    const version = check();
    if (version !== null) return { version, path: python };
    this.log(`installing ${spec} for the ${name} peer (pip, in the virtualenv ${venv})…`);
    if (!existsSync(python)) {
      const r = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
      if (r.status !== 0) return this.note(name, 'needs a virtualenv, and python3 -m venv failed (apt-get install python3-venv)');
    }
    spawnSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', spec], { stdio: 'inherit' });
    const installed = check();
    return installed === null
      ? this.note(name, `(${spec}) could not be installed from PyPI for ${probe(python, ['--version']) ?? 'this Python'}, or does not load`)
      : { version: installed, path: python };
  }

  /** Flink's jars (scripts/install-flink-deps.sh, run when missing) and JavaLocalDataSet compiled against them. */
  private flinkJava(): Installed | null {
    if (this.java() === null) return this.note('Flink Java', 'needs Java (java -version failed)');
    const lib = flinkLib(this.root);
    if (!existsSync(join(lib, '.complete'))) {
      this.log('installing Flink 1.20 for the Flink Java peer (bash scripts/install-flink-deps.sh --skip-tests)…');
      spawnSync('bash', [join(this.root, 'scripts', 'install-flink-deps.sh'), '--skip-tests'], { cwd: this.root, stdio: 'inherit' });
      if (!existsSync(join(lib, '.complete'))) return this.note('Flink Java', "needs Flink's jars, and scripts/install-flink-deps.sh failed (it needs Maven)");
    }
    const core = readdirSync(lib).find((f) => /^flink-core-\d.*\.jar$/.test(f));
    const version = core?.slice('flink-core-'.length, -'.jar'.length) ?? '?';
    const classes = join(this.dataDir, 'java-peer');
    const source = join(this.root, 'flink-runner', 'src', 'main', 'java', 'tsflink', 'flink', 'bench', 'JavaLocalDataSet.java');
    const compiled = join(classes, 'tsflink', 'flink', 'bench', 'JavaLocalDataSet.class');
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
      mkdirSync(classes, { recursive: true });
      const r = spawnSync(javaTool('javac'), ['-nowarn', '-d', classes, '-cp', join(lib, '*'), source], { encoding: 'utf8' });
      if (r.status !== 0) return this.note('Flink Java', `could not be compiled (javac): ${(r.stderr ?? r.error?.message ?? '').trim().split('\n')[0]}`);
    }
    return { version, path: classes };
  }

  /** Java's version (`java -version`), null without Java. */
  private java(): string | null {
    if (this.javaChecked === undefined) {
      const r = spawnSync(javaTool('java'), ['-version'], { encoding: 'utf8' });
      this.javaChecked = r.status === 0 ? (/version "([^"]+)"/.exec(r.stderr)?.[1] ?? '?') : null;
    }
    return this.javaChecked;
  }
}

/** The first line a command prints, null when it fails. */
function probe(command: string, args: readonly string[], cwd?: string): string | null {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n').pop()!.trim() : null;
}

function javaTool(tool: 'java' | 'javac'): string {
  const home = process.env.JAVA_HOME;
  return home && existsSync(join(home, 'bin', tool)) ? join(home, 'bin', tool) : tool;
}

function flinkLib(root: string): string {
  return join(root, 'flink-runner', 'target', 'flink-dist', 'lib');
}

/** For the Python peers: no __pycache__ beside their sources (spark_common.py is imported). */
const PYTHON_ENV = { PYTHONDONTWRITEBYTECODE: '1' };

/**
 * The chosen peers that can run here as contenders on `query` (every peer but those in
 * `exclude`). Every one of them runs with the machine's cores (`ctx.cores` threads or
 * parallelism), except Arquero, which has one thread. `duckdbArgs` replaces DuckDB's arguments
 * after the query (the spill workload's memory limit).
 */
export function peerContenders(
  ctx: BenchContext,
  query: Query,
  inputs: readonly string[],
  options: { readonly exclude?: readonly PeerName[]; readonly duckdbArgs?: readonly string[] } = {},
): Contender[] {
  const p = ctx.cores;
  const threads = `${p} thread${p === 1 ? '' : 's'}`;
  const tmpOf = (id: string): string => join(ctx.dataDir, 'tmp', 'peers', id);
  // The JVMs a Python peer starts: their scratch space in the peer's temp directory, no hsperfdata file in /tmp.
  const jvmOptions = (id: string): string => `-XX:-UsePerfData -Djava.io.tmpdir=${tmpOf(id)}`;
  const list: Contender[] = [];
  const wanted = (name: PeerName): boolean => !options.exclude?.includes(name) && ctx.peers.version(name) !== null;
  const pathOf = (name: PeerName): string => ctx.peers.path(name)!;

  if (wanted('duckdb')) list.push(duckdbContender(ctx, query, options.duckdbArgs ?? inputs));
  if (wanted('polars-node')) {
    list.push({
      id: 'polars-node',
      label: `Polars for Node.js (${threads})`,
      kind: 'peer',
      env: { POLARS_MAX_THREADS: String(p) },
      args: (out) => ['--import', 'tsx', 'bench/peers/polars.ts', query, ...inputs, out],
    });
  }
  if (wanted('polars-py')) {
    list.push({
      id: 'polars-py',
      label: `Polars for Python (${threads})`,
      kind: 'peer',
      command: pathOf('polars-py'),
      env: { ...PYTHON_ENV, POLARS_MAX_THREADS: String(p) },
      args: (out) => ['bench/peers/python/polars_peer.py', query, ...inputs, out],
    });
  }
  if (wanted('arquero')) {
    // Its tables live in V8's heap: room for the default sizes' (10 M rows of strings are past the default limit of about 4 GiB).
    list.push({
      id: 'arquero',
      label: 'Arquero (1 thread)',
      kind: 'peer',
      args: (out) => ['--max-old-space-size=12288', '--import', 'tsx', 'bench/peers/arquero.ts', query, ...inputs, out],
    });
  }
  for (const [name, api] of [
    ['pyspark-rdd', 'RDD'],
    ['pyspark-df', 'DataFrame'],
  ] as const) {
    if (!wanted(name)) continue;
    const python = pathOf(name);
    list.push({
      id: name,
      label: `PySpark ${api} API (local[${p}])`,
      kind: 'peer',
      command: python,
      processTree: true,
      tmpDir: tmpOf(name),
      env: { ...PYTHON_ENV, BENCH_PARALLELISM: String(p), PYSPARK_PYTHON: python, PYSPARK_DRIVER_PYTHON: python, TMPDIR: tmpOf(name), JDK_JAVA_OPTIONS: jvmOptions(name) },
      args: (out) => [`bench/peers/python/${name.replace('-', '_')}.py`, query, ...inputs, out],
    });
  }
  if (wanted('pyflink')) {
    list.push({
      id: 'pyflink',
      label: `PyFlink Table API (batch, p=${p})`,
      kind: 'peer',
      command: pathOf('pyflink'),
      processTree: true,
      tmpDir: tmpOf('pyflink'),
      env: { ...PYTHON_ENV, BENCH_PARALLELISM: String(p), TMPDIR: tmpOf('pyflink'), JDK_JAVA_OPTIONS: jvmOptions('pyflink') },
      args: (out) => ['bench/peers/python/pyflink_table.py', query, ...inputs, out],
    });
  }
  if (wanted('flink-java')) {
    const classes = pathOf('flink-java');
    list.push({
      id: 'flink-java',
      label: `Flink Java DataSet (local, p=${p})`,
      kind: 'peer',
      command: javaTool('java'),
      tmpDir: tmpOf('flink-java'),
      args: (out) => [
        ...JAVA_OPENS,
        '-XX:-UsePerfData',
        `-Djava.io.tmpdir=${tmpOf('flink-java')}`,
        `-Dlog4j2.configurationFile=${join(ctx.root, 'flink-runner', 'conf', 'log4j-client.properties')}`,
        '-cp',
        `${classes}:${join(flinkLib(ctx.root), '*')}`,
        'tsflink.flink.bench.JavaLocalDataSet',
        query,
        String(p),
        ...inputs,
        out,
      ],
    });
  }
  return list;
}

/** DuckDB asked `query` (peers/duckdb.ts) with `args` before the output, on `ctx.cores` threads. */
export function duckdbContender(ctx: BenchContext, query: string, args: readonly string[]): Contender {
  const p = ctx.cores;
  return {
    id: 'duckdb',
    label: `DuckDB (${p} thread${p === 1 ? '' : 's'})`,
    kind: 'peer',
    args: (out) => ['--import', 'tsx', 'bench/peers/duckdb.ts', '--threads', String(p), query, ...args, out],
  };
}
