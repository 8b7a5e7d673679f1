/**
 * System defaults: `tsflink.yaml` in the working directory, or the file named by
 * `TSFLINK_CONF` (which `tsflink run --conf` sets), overridden by the `TSFLINK_*` environment
 * variables, which the CLI flags set in turn.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.ts';
import { parseExecutionTarget, parseHostPort, parsePositiveInteger, type ExecutionTarget } from './config-values.ts';
import { ENV_VARS, verboseFromEnv } from './env-vars.ts';
import { parseDuration } from './duration.ts';
import { parseMemorySize } from './memory-size.ts';

export interface TsflinkConfig {
  /** `parallelism.default`; null: the number of cores. */
  parallelismDefault: number | null;
  /** `taskmanager.memory`: the embedded engine's memory budget. */
  taskmanagerMemoryBytes: number;
  /** `io.tmp.dirs`: where spill files go, absolute paths. */
  tmpDirs: string[];
  /** `execution.target`. */
  target: ExecutionTarget;
  /** `jobmanager.address`: the Flink REST address `host:port`. */
  jobmanagerAddress: string | null;
  /** `node.binary.path`: the Node binary Flink workers start. */
  nodeBinaryPath: string;
  verbose: boolean;
  /** `task.timeout`: a subtask still running after this long fails its attempt (its worker thread is stopped); null: no limit. */
  taskTimeoutMs: number | null;
  /** `taskmanager.worker.heap`: the heap limit of each embedded worker thread (V8 old generation), in MiB; null: V8's default. */
  workerHeapMb: number | null;
  /** `pipeline.compile`: run chains of tsflink's own operators as generated code (optimizer/compiled-pipelines.ts); false: one operator object per operator. */
  compilePipelines: boolean;
}

export const CONFIG_FILE_NAME = 'tsflink.yaml';

/** The keys tsflink reads; any other key of the file is ignored, with a warning. */
export const CONFIG_KEYS = {
  parallelism: 'parallelism.default',
  memory: 'taskmanager.memory',
  tmpDirs: 'io.tmp.dirs',
  jobmanager: 'jobmanager.address',
  nodeBinary: 'node.binary.path',
  target: 'execution.target',
  taskTimeout: 'task.timeout',
  workerHeap: 'taskmanager.worker.heap',
  compile: 'pipeline.compile',
} as const;

export function defaultConfig(): TsflinkConfig {
  return {
    parallelismDefault: null,
    taskmanagerMemoryBytes: Math.floor(os.totalmem() / 4),
    tmpDirs: [os.tmpdir()],
    target: 'local',
    jobmanagerAddress: null,
    nodeBinaryPath: process.execPath,
    verbose: false,
    taskTimeoutMs: null,
    workerHeapMb: null,
    compilePipelines: true,
  };
}

/** Reads the configuration file (if any) and applies the environment overrides. */
export function loadConfig(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): TsflinkConfig {
  const config = defaultConfig();
  const file = configFilePath(cwd, env);
  if (file !== null) applyFile(config, file);
  applyEnvironment(config, env);
  return config;
}

/** The file `loadConfig` reads: `TSFLINK_CONF` (which must exist), else `./tsflink.yaml` if present, else null. */
export function configFilePath(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | null {
  const named = nonEmpty(env[ENV_VARS.conf]);
  if (named !== undefined) {
    const file = path.resolve(cwd, named);
    if (!existsSync(file)) {
      throw new ConfigError(`Configuration file '${file}' (from ${ENV_VARS.conf}) does not exist`);
    }
    return file;
  }
  const local = path.join(cwd, CONFIG_FILE_NAME);
  return existsSync(local) ? local : null;
}

function applyFile(config: TsflinkConfig, file: string): void {
  const entries = readConfigFile(file);
  const where = (key: string): string => `'${key}' in ${file}`;
  warnOfUnknownKeys(entries, file);

  const parallelism = entries.get(CONFIG_KEYS.parallelism);
  if (parallelism !== undefined && parallelism !== null) {
    config.parallelismDefault = required(parsePositiveInteger(parallelism), where(CONFIG_KEYS.parallelism), parallelism, 'a positive integer');
  }

  const memory = entries.get(CONFIG_KEYS.memory);
  if (memory !== undefined && memory !== null) {
    const bytes = typeof memory === 'number' || typeof memory === 'string' ? parseMemorySize(memory) : null;
    config.taskmanagerMemoryBytes = required(bytes, where(CONFIG_KEYS.memory), memory, "a size such as 536870912, '512m', '1g' or '256 MiB'");
  }

  const tmpDirs = entries.get(CONFIG_KEYS.tmpDirs);
  if (tmpDirs !== undefined && tmpDirs !== null) {
    const dirs = parseDirectoryList(tmpDirs, path.dirname(file));
    config.tmpDirs = required(dirs, where(CONFIG_KEYS.tmpDirs), tmpDirs, `a list of directories, or one string separated by '${path.delimiter}'`);
  }

  const jobmanager = entries.get(CONFIG_KEYS.jobmanager);
  if (jobmanager !== undefined && jobmanager !== null) {
    config.jobmanagerAddress = required(parseHostPort(jobmanager), where(CONFIG_KEYS.jobmanager), jobmanager, 'host:port');
  }

  const nodeBinary = entries.get(CONFIG_KEYS.nodeBinary);
  if (nodeBinary !== undefined && nodeBinary !== null) {
    const binary = typeof nodeBinary === 'string' && nodeBinary.trim() !== '' ? nodeBinary.trim() : null;
    config.nodeBinaryPath = required(binary, where(CONFIG_KEYS.nodeBinary), nodeBinary, 'the path of a node executable');
  }

  const target = entries.get(CONFIG_KEYS.target);
  if (target !== undefined && target !== null) {
    config.target = required(parseExecutionTarget(target), where(CONFIG_KEYS.target), target, "'local' or 'flink'");
  }

  const timeout = entries.get(CONFIG_KEYS.taskTimeout);
  if (timeout !== undefined && timeout !== null) config.taskTimeoutMs = parseTimeout(timeout, where(CONFIG_KEYS.taskTimeout));

  const heap = entries.get(CONFIG_KEYS.workerHeap);
  if (heap !== undefined && heap !== null) config.workerHeapMb = parseHeap(heap, where(CONFIG_KEYS.workerHeap));

  const compile = entries.get(CONFIG_KEYS.compile);
  if (compile !== undefined && compile !== null) config.compilePipelines = required(parseSwitch(compile), where(CONFIG_KEYS.compile), compile, SWITCH);
}

const SWITCH = 'true or false (also on/off, 1/0)';

/** A yes/no setting: a YAML boolean, or `true`/`false`/`on`/`off`/`1`/`0` as text. */
function parseSwitch(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (text === 'true' || text === 'on' || text === '1') return true;
  if (text === 'false' || text === 'off' || text === '0') return false;
  return null;
}

const DURATION = "a duration such as '30 s', '5 min', '500 ms' or 30000 (milliseconds)";
const HEAP = "a size of at least 16 MiB such as '512m', '1g' or '256 MiB'";

function parseTimeout(value: unknown, where: string): number {
  return required(typeof value === 'number' || typeof value === 'string' ? parseDuration(value) : null, where, value, DURATION);
}

/** A worker heap in whole MiB (V8 takes megabytes); below 16 MiB a thread cannot even start. */
function parseHeap(value: unknown, where: string): number {
  const bytes = typeof value === 'number' || typeof value === 'string' ? parseMemorySize(value) : null;
  return required(bytes === null || bytes < 16 * 1048576 ? null : Math.ceil(bytes / 1048576), where, value, HEAP);
}

function applyEnvironment(config: TsflinkConfig, env: NodeJS.ProcessEnv): void {
  const parallelism = nonEmpty(env[ENV_VARS.parallelism]);
  if (parallelism !== undefined) {
    config.parallelismDefault = required(parsePositiveInteger(parallelism), ENV_VARS.parallelism, parallelism, 'a positive integer');
  }
  const target = nonEmpty(env[ENV_VARS.target]);
  if (target !== undefined) {
    config.target = required(parseExecutionTarget(target), ENV_VARS.target, target, "'local' or 'flink'");
  }
  const jobmanager = nonEmpty(env[ENV_VARS.jobmanager]);
  if (jobmanager !== undefined) {
    config.jobmanagerAddress = required(parseHostPort(jobmanager), ENV_VARS.jobmanager, jobmanager, 'host:port');
  }
  const timeout = nonEmpty(env[ENV_VARS.taskTimeout]);
  if (timeout !== undefined) config.taskTimeoutMs = parseTimeout(timeout, ENV_VARS.taskTimeout);
  const heap = nonEmpty(env[ENV_VARS.workerHeap]);
  if (heap !== undefined) config.workerHeapMb = parseHeap(heap, ENV_VARS.workerHeap);
  const compile = nonEmpty(env[ENV_VARS.compile]);
  if (compile !== undefined) config.compilePipelines = required(parseSwitch(compile), ENV_VARS.compile, compile, SWITCH);
  config.verbose = verboseFromEnv(env);
}

/**
 * The file's settings by dotted key. Flink writes flat keys (`parallelism.default: 4`); nested
 * maps (`parallelism: { default: 4 }`) flatten to the same keys, and a key given both ways is an error.
 */
const warnedFiles = new Set<string>();

/**
 * A key tsflink does not read is most likely a typo (`paralelism.default`) that would otherwise
 * silently leave the default in place: said once per file and process, on stderr, with the
 * nearest known key. Not an error, so a file shared with other tools still works.
 */
function warnOfUnknownKeys(entries: ReadonlyMap<string, unknown>, file: string): void {
  if (warnedFiles.has(file) || !isMainThread) return; // the main thread has said it
  warnedFiles.add(file);
  const known: readonly string[] = Object.values(CONFIG_KEYS);
  for (const key of entries.keys()) {
    if (known.includes(key)) continue;
    const nearest = known.map((k) => [k, editDistance(k, key)] as const).sort((a, b) => a[1] - b[1])[0]!;
    const hint = nearest[1] <= Math.max(2, Math.floor(key.length / 5)) ? `; did you mean '${nearest[0]}'?` : `; tsflink reads ${known.join(', ')}`;
    process.stderr.write(`tsflink: warning: ${file}: unknown setting '${key}' is ignored${hint}\n`);
  }
}

/** Levenshtein distance (the keys are short: a table per call is fine). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

function readConfigFile(file: string): Map<string, unknown> {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(`Cannot read configuration file '${file}': ${reason}`, { cause });
  }
  const entries = new Map<string, unknown>();
  if (document === null || document === undefined) return entries;
  if (!isPlainMap(document)) {
    throw new ConfigError(`Configuration file '${file}' must be a YAML map of keys to values (such as 'parallelism.default: 4')`);
  }
  flatten(document, '', entries, file);
  return entries;
}

function flatten(map: Record<string, unknown>, prefix: string, into: Map<string, unknown>, file: string): void {
  for (const [key, value] of Object.entries(map)) {
    const dotted = prefix + key;
    if (isPlainMap(value)) {
      flatten(value, `${dotted}.`, into, file);
    } else if (into.has(dotted)) {
      throw new ConfigError(`Configuration file '${file}' sets '${dotted}' twice (as a dotted key and as a nested map)`);
    } else {
      into.set(dotted, value);
    }
  }
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A YAML list, or one string of `path.delimiter`-separated (or comma-separated) directories; relative ones resolve against `base`. */
function parseDirectoryList(value: unknown, base: string): string[] | null {
  let dirs: unknown[];
  if (Array.isArray(value)) dirs = value;
  else if (typeof value === 'string') dirs = value.split(new RegExp(`[${escapeForClass(path.delimiter)},]`));
  else return null;
  const trimmed = dirs.map((d) => (typeof d === 'string' ? d.trim() : null));
  if (trimmed.some((d) => d === null)) return null;
  const nonEmptyDirs = (trimmed as string[]).filter((d) => d !== '');
  return nonEmptyDirs.length === 0 ? null : nonEmptyDirs.map((d) => path.resolve(base, d));
}

function escapeForClass(ch: string): string {
  return ch.replace(/[\\\]^-]/g, '\\$&');
}

function required<T>(parsed: T | null, where: string, raw: unknown, expected: string): T {
  if (parsed === null) throw new ConfigError(`Invalid value ${JSON.stringify(raw) ?? String(raw)} for ${where}: expected ${expected}`);
  return parsed;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
