/**
 * The embedded runner. Jobs with any parallel task run on worker threads, which re-run the
 * user's script to get its functions; where that is impossible (no script file — a REPL or
 * `node -e` —, a test runner's process, a script whose plan cannot be rebuilt) the job runs in
 * this thread instead, after a one-line notice on stderr. Jobs at parallelism 1 run in this
 * thread: nothing to parallelise, and no serialisation to pay.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import { executeLocally } from '../runtime/local-executor.ts';
import { executeOnWorkers } from '../runtime/parallel-executor.ts';
import { encodeOutcome } from '../runtime/worker/outcome-codec.ts';
import { type SpawnedWorkers, WorkerFallback, WorkerPool, tsxApiUrl } from '../runtime/worker/worker-pool.ts';
import type { JobOutcome, JobResources, Runner } from './runner.ts';
import { outcomesBefore } from './submissions.ts';

let noticeGiven = false;

function notice(resources: JobResources, reason: string): void {
  if (noticeGiven) return;
  noticeGiven = true;
  resources.stderr(`tsflink: running in this thread, not on worker threads: ${reason}\n`);
}

/** Why the job cannot use worker threads, or null when it can. */
function inProcessReason(): string | null {
  const script = process.argv[1];
  if (!script || !existsSync(script)) return 'the program was not started from a script file';
  if (process.env.NODE_TEST_CONTEXT) return 'the program runs under a test runner';
  if (process.env.TSFLINK_WORKERS === '0' || process.env.TSFLINK_WORKERS === 'false') return 'TSFLINK_WORKERS is off';
  return null;
}

/** Workers started by `prestartWorkers`, until the first job takes (or drops) them. */
let early: SpawnedWorkers | null = null;

function takeEarly(): SpawnedWorkers | null {
  const taken = early;
  early = null;
  return taken;
}

/**
 * Starts the worker threads for the script's first job while the script itself is still
 * loading (`tsflink run` calls this just before importing it): each worker re-runs the script,
 * which costs as much as the script's own start, and now overlaps it. The first job adopts them
 * when it runs on `threads` workers; otherwise they are stopped. Does nothing where the job could
 * not use workers.
 */
export function prestartWorkers(threads: number): void {
  if (threads <= 1 || !isMainThread || early !== null || inProcessReason() !== null) return;
  const script = process.argv[1]!;
  const needsTsx = /\.[mc]?ts$/.test(script) || import.meta.url.endsWith('.ts');
  early = WorkerPool.spawn(Math.min(threads, os.availableParallelism()), {
    script,
    argv: [...process.argv],
    submission: 0,
    replay: [],
    fingerprint: null,
    tsxApi: needsTsx ? tsxApiUrl() : null,
  });
}

export class LocalRunner implements Runner {
  async run(plan: PhysicalPlan, resources: JobResources): Promise<JobOutcome> {
    const maxParallelism = Math.max(...plan.tasks.map((t) => t.parallelism));
    const spawned = takeEarly();
    if ((maxParallelism <= 1 || !isMainThread) && spawned) WorkerPool.discard(spawned);
    if (maxParallelism <= 1 || !isMainThread) return executeLocally(plan, resources);
    const reason = inProcessReason();
    if (reason) {
      if (spawned) WorkerPool.discard(spawned);
      notice(resources, reason);
      return executeLocally(plan, resources);
    }
    const earlier = outcomesBefore(resources.submission);
    const replay = earlier?.map((o) => (o ? safeEncode(o.outcome, o.types) : null));
    if (!replay || replay.some((r) => r === undefined)) {
      if (spawned) WorkerPool.discard(spawned);
      notice(resources, 'the results of earlier jobs of this script are too large to replay');
      return executeLocally(plan, resources);
    }
    const script = process.argv[1]!;
    const needsTsx = /\.[mc]?ts$/.test(script) || import.meta.url.endsWith('.ts');
    try {
      return await executeOnWorkers(plan, resources, {
        script,
        argv: process.argv,
        replay: replay as (Uint8Array | null)[],
        tsxApi: needsTsx ? tsxApiUrl() : null,
        threads: Math.min(maxParallelism, os.availableParallelism()),
      }, spawned);
    } catch (error) {
      if (!(error instanceof WorkerFallback)) throw error;
      notice(resources, error.message);
      return executeLocally(plan, resources);
    }
  }
}

function safeEncode(outcome: JobOutcome, types: Parameters<typeof encodeOutcome>[1]): Uint8Array | undefined {
  try {
    return encodeOutcome(outcome, types);
  } catch {
    return undefined;
  }
}
