/**
 * How a job attempt ends. `runWithSinks` is every coordinator's ending (local-executor.ts,
 * parallel-executor.ts, flink-runner.ts): it prepares the sinks, commits them only when every
 * task has succeeded and aborts them otherwise, then delivers the printed lines and reports the
 * skipped invalid lines. The rest of this file is how a running job ends when the process does:
 * SIGINT, SIGTERM, or `process.exit()` (from a user function, or a user's own signal handler).
 *
 * While a job attempt runs it is registered here with a way to stop its workers and a
 * synchronous cleanup (abort the sinks' staging, remove its folders in io.tmp.dirs).
 * - SIGINT / SIGTERM, when the program has no listener of its own for that signal: every running
 *   job's worker threads are stopped (and awaited, so that none writes after the cleanup), its
 *   files removed, `tsflink: job '<name>' cancelled by SIGINT; nothing was written` printed on
 *   stderr, and the process exits 130 (SIGINT) or 143 (SIGTERM), as a shell reports a process
 *   killed by them.
 * - When the program has its own listener for the signal, Node lets that listener decide (it
 *   does not exit by itself), and so do we: the job runs on unless the listener ends the process.
 *   If it calls `process.exit()`, the 'exit' handler below cleans up.
 * - `process.exit()` while a job runs ('exit' event): the cleanup runs synchronously; worker
 *   threads end with the process. At parallelism > 1 a user function's `process.exit()` ends
 *   only its worker thread: that is a worker crash (WorkerCrashError), a failed attempt.
 * - A job at parallelism 1 runs its tasks synchronously in this thread, where a signal listener
 *   only runs once the task yields. So its tasks run under `breakOnSigint` (vm), which interrupts
 *   them on SIGINT, and without our SIGTERM listener (the default action ends the process at
 *   once, as a hung function under `timeout` needs): what SIGTERM, SIGKILL or an out-of-memory
 *   leave is removed by the next run's sweep (stale-files.ts).
 */
import { randomBytes } from 'node:crypto';
import vm from 'node:vm';
import type { JobOutcome, JobResources } from '../job/contract.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import { JobSinks } from './job-sinks.ts';

export interface RunningJob {
  readonly name: string;
  /** Stops the job's worker threads; resolves when none can write any more. */
  stop(): Promise<void>;
  /** Removes everything the job made outside its committed output. Never throws. Returns whether no output was committed. */
  cleanup(): boolean;
}

const running = new Set<RunningJob>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type HandledSignal = (typeof SIGNALS)[number];
const EXIT_CODES: Record<HandledSignal, number> = { SIGINT: 130, SIGTERM: 143 };
let cancelling = false;
/** Nesting depth of synchronous sections (p=1 tasks) during which our SIGTERM listener is off. */
let syncDepth = 0;

const onSignal = (signal: HandledSignal): void => {
  // Another listener (the program's own) decides what the signal means.
  if (process.listenerCount(signal) > 1) return;
  if (cancelling) {
    // A second signal while cancelling: clean up what can be cleaned synchronously, and go.
    for (const job of running) job.cleanup();
    process.exit(EXIT_CODES[signal]);
  }
  cancelling = true;
  void cancelAll(signal);
};
const listeners: Record<HandledSignal, () => void> = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };

const onExit = (): void => {
  for (const job of [...running]) {
    const untouched = job.cleanup();
    process.stderr.write(`tsflink: job '${job.name}' stopped: the process exited while it ran${untouched ? '; nothing was written' : ''}\n`);
  }
  running.clear();
};

async function cancelAll(signal: HandledSignal): Promise<void> {
  const jobs = [...running];
  await Promise.allSettled(jobs.map((j) => j.stop()));
  for (const job of jobs) {
    const untouched = job.cleanup();
    running.delete(job);
    process.stderr.write(`tsflink: job '${job.name}' cancelled by ${signal}${untouched ? '; nothing was written' : ''}\n`);
  }
  process.exit(EXIT_CODES[signal]);
}

/** Registers a running job attempt; call the returned function when it has ended (committed or aborted). */
export function jobStarted(job: RunningJob): () => void {
  if (running.size === 0) {
    for (const s of SIGNALS) if (s !== 'SIGTERM' || syncDepth === 0) process.on(s, listeners[s]);
    process.on('exit', onExit);
  }
  running.add(job);
  return () => {
    if (!running.delete(job) || running.size > 0) return;
    for (const s of SIGNALS) process.removeListener(s, listeners[s]);
    process.removeListener('exit', onExit);
  };
}

/** Thrown out of `runInterruptibly` when SIGINT interrupted it. */
export class InterruptedBySigint extends Error {}

/** Thrown out of `runInterruptibly` when it ran longer than its `timeoutMs`. */
export class SectionTimedOut extends Error {}

const script = new vm.Script('globalThis[Symbol.for("tsflink.interruptible")]()', { filename: 'tsflink:interruptible' });
const slot = Symbol.for('tsflink.interruptible');

/**
 * Runs a synchronous section of a job in this thread so that a signal can still end it: SIGINT
 * interrupts it (vm `breakOnSigint`) when the program has no SIGINT listener of its own, and our
 * SIGTERM listener is off meanwhile (the default action ends the process). With `timeoutMs`,
 * a section still running after that long is interrupted too (vm `timeout`: even an endless
 * synchronous loop in a user function), as SectionTimedOut. Not re-entrant across jobs'
 * cleanups, but nests (a nested section has no timeout of its own).
 */
export function runInterruptibly(fn: () => void, timeoutMs: number | null = null): void {
  const userSigint = process.listeners('SIGINT').some((l) => l !== listeners.SIGINT);
  if (syncDepth === 0) process.removeListener('SIGTERM', listeners.SIGTERM);
  syncDepth++;
  const g = globalThis as Record<symbol, unknown>;
  const previous = g[slot];
  try {
    if (syncDepth > 1 || (userSigint && timeoutMs === null)) {
      fn();
    } else {
      g[slot] = fn;
      try {
        script.runInThisContext(timeoutMs === null ? { breakOnSigint: !userSigint } : { breakOnSigint: !userSigint, timeout: timeoutMs });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw new InterruptedBySigint('interrupted by SIGINT');
        if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new SectionTimedOut(`ran longer than ${timeoutMs} ms`);
        throw e;
      }
    }
  } finally {
    g[slot] = previous;
    syncDepth--;
    if (syncDepth === 0 && running.size > 0 && !process.listeners('SIGTERM').includes(listeners.SIGTERM)) process.on('SIGTERM', listeners.SIGTERM);
  }
}

/** After a section ended by InterruptedBySigint: cancel the running jobs as SIGINT does. */
export function cancelAfterSigint(): void {
  if (cancelling) return;
  cancelling = true;
  void cancelAll('SIGINT');
}

/** What a coordinator adds to its attempt's ending (runWithSinks) besides the sinks. */
export interface AttemptEnding {
  /** A signal: stops the attempt's workers; resolves when none can write any more. */
  readonly stop?: () => Promise<void>;
  /** Removes what the attempt made besides its sinks' staging (its folders): on a signal, on process.exit(), after SIGINT interrupted it. */
  readonly cleanup?: () => void;
}

/**
 * Runs one attempt of a job against freshly prepared sinks (a new job id and staging each
 * time). `run` runs every task with the sinks as its services and resolves with the attempt's
 * merged accumulators (and whatever else the coordinator reports). When it resolves — every task
 * succeeded — the sinks commit, the output() lines and `-` sinks are printed, and the invalid
 * lines the accumulators counted are reported; when it throws, the staging is aborted and the
 * error goes on (a coordinator stops its workers before it throws, so that none writes after
 * the abort). Meanwhile the attempt is registered with `jobStarted`. A section interrupted by
 * SIGINT cancels the job as a signal does: the returned Promise never settles, the process exits.
 */
export async function runWithSinks<T extends { readonly accumulators: Record<string, unknown> }>(
  plan: PhysicalPlan,
  resources: JobResources,
  ending: AttemptEnding,
  run: (sinks: JobSinks) => Promise<T>,
): Promise<T & Pick<JobOutcome, 'results'>> {
  let sinks: JobSinks | null = null;
  let committed = false;
  const cleanup = (): boolean => {
    try {
      sinks?.abort();
      ending.cleanup?.();
    } catch {
      // best effort: the next run's sweep removes what is left
    }
    return !committed;
  };
  const ended = jobStarted({ name: plan.jobName, stop: ending.stop ?? (() => Promise.resolve()), cleanup });
  try {
    sinks = new JobSinks(plan, randomBytes(6).toString('hex'), resources.tmpDir);
    const outcome = await run(sinks);
    committed = true; // (an output committed before a later one failed counts as written)
    sinks.commit();
    sinks.print(resources);
    sinks.reportInvalidLines(outcome.accumulators, resources);
    return { ...outcome, results: sinks.results };
  } catch (error) {
    sinks?.abort();
    if (error instanceof InterruptedBySigint) {
      cleanup();
      cancelAfterSigint();
      return new Promise<never>(() => {}); // the process exits once the cancel has cleaned up
    }
    throw error;
  } finally {
    ended();
  }
}
