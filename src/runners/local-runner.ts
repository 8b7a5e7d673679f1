/**
 * The embedded runner. Jobs with any parallel task run on the process's warm pool of worker
 * threads, which get the job's functions as shipped code (serde/closures), never by running the
 * user's script; the pool's threads start in the background while the code is packed. Jobs at
 * parallelism 1 run in this thread: nothing to parallelise, and no serialisation to pay; so does
 * a job started inside a worker thread (a user's own, or one of a job's functions).
 */
import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import { executeLocally } from '../runtime/local-executor.ts';
import { executeOnWorkers } from '../runtime/parallel-executor.ts';
import { withStreamInputs } from '../runtime/stream-inputs.ts';
import { needsTsx, tsxApis } from '../runtime/worker/tsx.ts';
import { workerPool } from '../runtime/worker/worker-pool.ts';
import { packUserCode } from '../serde/closures/index.ts';
import type { JobOutcome, JobResources, Runner } from '../job/contract.ts';

/**
 * `tsflink run` at a default parallelism above 1: the pool's threads start while the script is
 * loaded and builds its plan, rather than when its first job is submitted (a thread takes
 * 0.15–0.2 s to load the engine). Idle threads do not keep the process alive.
 */
export function warmWorkerPool(parallelism: number, heapMb: number | null): void {
  if (parallelism > 1 && isMainThread) workerPool().warm(Math.min(parallelism, os.availableParallelism()), heapMb);
}

export class LocalRunner implements Runner {
  run(plan: PhysicalPlan, resources: JobResources): Promise<JobOutcome> {
    return withStreamInputs(plan, resources.tmpDir, (plan) => this.runPlan(plan, resources));
  }

  private runPlan(plan: PhysicalPlan, resources: JobResources): Promise<JobOutcome> {
    const maxParallelism = Math.max(...plan.tasks.map((t) => t.parallelism));
    if (maxParallelism <= 1 || !isMainThread) return executeLocally(plan, resources);
    const threads = Math.min(maxParallelism, os.availableParallelism());
    // Threads start while the code is packed (packing reads the caller's stack: no await before it).
    workerPool().warm(threads, resources.workerHeapMb ?? null);
    return packUserCode(plan, resources.userObjects, resources.types).then((code) => executeOnWorkers(plan, resources, { code, tsx: needsTsx(code) ? tsxApis() : null, threads }));
  }
}
