/**
 * Fault injection, for tests only: the environment variable `TSFLINK_FAULT` makes a chosen
 * attempt of a chosen subtask fail at a chosen record, so that tests can check what a job does
 * when a task throws, its worker exits, runs out of memory or hangs. It holds JSON, one spec or
 * an array of them:
 *
 *   {"kind":"throw"|"exit"|"oom"|"hang", "task":"<substring of the task name>",
 *    "subtask":<0-based>, "attempt":<1-based, default 1>, "record":<1-based, default 1>,
 *    "superstep":<1-based, default: any>, "exitCode":<for exit, default 70>}
 *
 * The fault fires when the subtask's driver pushes its `record`-th record into the task's
 * chain (a source's `record`-th record read, a join's `record`-th joined pair, a reduce's
 * `record`-th input record). What each kind does:
 * - `throw`: an InjectedFaultError naming the task and subtask, as if the operator threw.
 * - `exit`: `process.exit(exitCode)` of whatever runs the subtask: a worker thread of the
 *   embedded engine at p ≥ 2 (the thread ends, the attempt fails with a WorkerCrashError), a
 *   Flink Node worker process, and — at p = 1, where the embedded engine runs the job in the
 *   client's own thread — the client process itself, exactly as a user function calling
 *   `process.exit()` would (the job's exit handler removes its staging; no attempt can follow).
 * - `oom`: allocates until the heap is exhausted. Only where the heap has a limit: a worker
 *   thread (`taskmanager.worker.heap`) or a process started with `--max-old-space-size`;
 *   elsewhere (p = 1 embedded, in the client) it is refused with an InjectedFaultError, as it
 *   would fill the client's whole heap before V8 aborts the process.
 * - `hang`: an endless synchronous loop that never returns, as a user function stuck in
 *   `while (true) {}`; the task timeout (`task.timeout`) ends it.
 *
 * Unset, it costs one environment read and a null check per subtask.
 */
import { getHeapStatistics } from 'node:v8';
import { isMainThread, resourceLimits } from 'node:worker_threads';
import { InjectedFaultError } from '../errors/index.ts';

export const FAULT_ENV_VAR = 'TSFLINK_FAULT';

export type FaultKind = 'throw' | 'exit' | 'oom' | 'hang';

const KINDS: readonly FaultKind[] = ['throw', 'exit', 'oom', 'hang'];

export interface FaultSpec {
  readonly kind: FaultKind;
  /** A substring of the task's name (a task's name lists its chained operators). */
  readonly task: string;
  /** 0-based subtask index. */
  readonly subtask: number;
  /** 1-based attempt of the job (the embedded engine's retry, Flink's attemptNumber + 1). */
  readonly attempt: number;
  /** 1-based count of records pushed into the chain at which the fault fires. */
  readonly record: number;
  /** Only in this superstep of an iteration (1-based); absent: in any run of the task. */
  readonly superstep?: number | undefined;
  /** The exit code for `exit` (default 70). */
  readonly exitCode?: number | undefined;
}

let parsedRaw: string | undefined;
let parsedSpecs: FaultSpec[] = [];

/** The specs `TSFLINK_FAULT` holds (none when unset); a malformed value is an error naming the variable. */
export function faultFromEnv(env: NodeJS.ProcessEnv = process.env): FaultSpec[] {
  const raw = env[FAULT_ENV_VAR];
  if (raw === undefined || raw.trim() === '') return [];
  if (raw === parsedRaw) return parsedSpecs;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw new InjectedFaultError(`${FAULT_ENV_VAR} is not JSON (${e instanceof Error ? e.message : String(e)}): ${raw}`);
  }
  const specs = (Array.isArray(value) ? value : [value]).map((v) => checkSpec(v, raw));
  parsedRaw = raw;
  parsedSpecs = specs;
  return specs;
}

function checkSpec(v: unknown, raw: string): FaultSpec {
  const bad = (what: string): never => {
    throw new InjectedFaultError(`${FAULT_ENV_VAR}: ${what} in ${raw}`);
  };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad('expected an object (or an array of objects)');
  const o = v as Record<string, unknown>;
  const int = (key: string, min: number, dflt: number | undefined): number | undefined => {
    const x = o[key];
    if (x === undefined) return dflt;
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min) return bad(`'${key}' must be an integer ≥ ${min}`);
    return x;
  };
  if (!KINDS.includes(o.kind as FaultKind)) return bad(`'kind' must be one of ${KINDS.join(', ')}`);
  if (typeof o.task !== 'string' || o.task === '') return bad(`'task' must be a non-empty string (a part of the task's name)`);
  return {
    kind: o.kind as FaultKind,
    task: o.task,
    subtask: int('subtask', 0, 0)!,
    attempt: int('attempt', 1, 1)!,
    record: int('record', 1, 1)!,
    superstep: int('superstep', 1, undefined),
    exitCode: int('exitCode', 0, undefined),
  };
}

export interface ArmOptions {
  /** The task's parallelism, for the messages ("subtask 1 of 2"). */
  readonly parallelism?: number;
  /** The iteration's superstep the run belongs to (0 outside iterations). */
  readonly superstep?: number;
}

/**
 * The fault check for one run of a subtask, or null when no spec matches it (then the caller
 * counts nothing). The caller calls it with the count of records pushed so far (1, 2, …).
 */
export function armFaults(specs: readonly FaultSpec[], taskName: string, subtask: number, attempt: number, options: ArmOptions = {}): ((recordsSoFar: number) => void) | null {
  if (specs.length === 0) return null;
  const superstep = options.superstep ?? 0;
  const matching = specs.filter((s) => taskName.includes(s.task) && s.subtask === subtask && s.attempt === attempt && (s.superstep === undefined || s.superstep === superstep));
  if (matching.length === 0) return null;
  const where = `'${taskName}' (subtask ${subtask + 1}${options.parallelism === undefined ? '' : ` of ${options.parallelism}`})${superstep > 0 ? ` in superstep ${superstep}` : ''}, attempt ${attempt}`;
  for (const s of matching) {
    if (s.kind === 'oom' && heapLimitMb() === null) {
      throw new InjectedFaultError(
        `${FAULT_ENV_VAR} kind 'oom' for ${where} refused: the heap it runs in has no limit (the client's own thread at parallelism 1); use parallelism ≥ 2, whose worker threads have taskmanager.worker.heap`,
        taskName,
      );
    }
  }
  return (n: number): void => {
    for (const s of matching) if (s.record === n) fire(s, where, taskName);
  };
}

/** Keeps what `oom` allocated reachable. */
const hog: number[][] = [];

function fire(s: FaultSpec, where: string, taskName: string): void {
  switch (s.kind) {
    case 'throw':
      throw new InjectedFaultError(`injected fault (${FAULT_ENV_VAR}) in ${where}, at record ${s.record}`, taskName);
    // biome-ignore lint/suspicious/noFallthroughSwitchClause: process.exit does not return
    case 'exit':
      process.exit(s.exitCode ?? 70);
    case 'oom':
      for (;;) hog.push(new Array<number>(1 << 20).fill(s.record));
    // (never ends)
    case 'hang':
      for (;;) {
        // as a user function stuck in `while (true) {}`
      }
  }
}

/** The old-generation limit of this thread's heap in MB, or null when none was set for it. */
function heapLimitMb(): number | null {
  if (!isMainThread) return resourceLimits.maxOldGenerationSizeMb ?? null;
  const options = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return options.some((o) => o.startsWith('--max-old-space-size')) ? Math.round(getHeapStatistics().heap_size_limit / 1048576) : null;
}
