/**
 * The process's warm pool of worker threads (one per process, shared by every job): threads
 * start on first need, in the background (a job starts them while its plan is being packed),
 * and stay for the next job; the pool grows when a job needs more (up to one per core for jobs
 * that run at once). A job leases the threads it
 * runs on for one attempt: it sends them its code, runs subtasks on them one at a time each,
 * and gives them back — or, after a failed attempt or a crash (a thread in an unknown state),
 * they are stopped and later jobs get fresh ones. Jobs that want threads while all are leased
 * wait their turn. Idle threads are unref'd: they never keep the process alive.
 *
 * A job may ask for a heap limit per thread (`taskmanager.worker.heap`): it gets threads started
 * with that limit (idle threads with another one are stopped to make room). A subtask may have a
 * time limit (`task.timeout`): a thread still running it then is stopped (terminate() ends even
 * an endless synchronous loop) and the run fails with a TaskTimeoutError.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { WorkerCrashError } from '../../errors/index.ts';
import { timeoutOf } from '../task-timeout.ts';
import type { FromWorker, RunSubtask, StartJob, ToWorker, WorkerInit } from './protocol.ts';
import { rebuildError } from './remote-error.ts';
import { tsxApis } from './tsx.ts';

const selfUrl = import.meta.url;
const isTypeScript = selfUrl.endsWith('.ts');
const workerMainUrl = new URL(`./worker-main.${isTypeScript ? 'ts' : 'js'}`, selfUrl);

export interface SubtaskRun {
  readonly message: RunSubtask;
  readonly transfer: ArrayBuffer[];
  /** Every message the worker sends about this run, before it is done. */
  readonly onMessage: (message: FromWorker) => void;
  readonly describe: string;
  /** The operator it runs (a timeout's error names it). */
  readonly operator?: string;
  /** Called as it is sent to its thread. */
  readonly onStart?: () => void;
}

interface Slot {
  readonly worker: Worker;
  readonly inFlight: Int32Array;
  /** Its heap limit in MiB (null: V8's default). */
  readonly heapMb: number | null;
  leased: boolean;
  dead: boolean;
  /** Its place in the lease that holds it (error messages name it). */
  position: number;
  /** A job sent to it and not yet rebuilt. */
  starting: { readonly jobId: string; readonly resolve: () => void; readonly reject: (e: Error) => void } | null;
  running: { readonly run: SubtaskRun; readonly resolve: () => void; readonly reject: (e: Error) => void } | null;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: { readonly threads: number; readonly heapMb: number | null; readonly grant: (slots: Slot[]) => void }[] = [];

  /** Threads alive now (idle or leased). */
  get size(): number {
    return this.slots.length;
  }

  /** Starts threads (with a heap limit of `heapMb` MiB, null: V8's default) in the background until `threads` are alive; returns at once. */
  warm(threads: number, heapMb: number | null = null): void {
    while (this.slots.length < threads) this.spawn(heapMb);
  }

  /** Leases `threads` threads (each with a heap limit of `heapMb` MiB, null: V8's default) for one attempt of a job, waiting while other jobs hold them. */
  lease(threads: number, jobId: string, heapMb: number | null = null): Promise<WorkerLease> {
    return new Promise<WorkerLease>((resolve) => {
      this.waiting.push({ threads, heapMb, grant: (slots) => resolve(new WorkerLease(this, slots, jobId)) });
      this.grant();
    });
  }

  /**
   * Hands threads to waiting jobs, first come first served. A job that finds too few idle
   * threads gets new ones while the pool has fewer than one per core (jobs at once, as an HTTP
   * service submits them, each get theirs); beyond that it waits for a job to give some back.
   */
  grant(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0]!;
      // Idle threads with another heap limit make room for ones with this job's.
      const fits = (s: Slot): boolean => !s.leased && s.heapMb === next.heapMb;
      if (this.slots.filter(fits).length < next.threads) for (const s of this.slots.filter((x) => !x.leased && x.heapMb !== next.heapMb)) void this.retire(s);
      const idle = this.slots.filter(fits).length;
      const room = Math.max(next.threads, os.availableParallelism()) - this.slots.length;
      for (let n = Math.min(room, next.threads - idle); n > 0; n--) this.spawn(next.heapMb);
      const free = this.slots.filter(fits);
      if (free.length < next.threads) return;
      this.waiting.shift();
      const taken = free.slice(0, next.threads);
      taken.forEach((s, i) => {
        s.leased = true;
        s.position = i;
        s.worker.ref();
      });
      next.grant(taken);
    }
  }

  /** Gives a thread back after a clean attempt: it drops the job and waits, unref'd, for the next. */
  giveBack(slot: Slot, jobId: string): void {
    if (slot.dead) return;
    slot.worker.postMessage({ type: 'endJob', jobId } satisfies ToWorker);
    slot.leased = false;
    slot.worker.unref();
  }

  /** Stops a thread whose state is unknown (a failed attempt); a later job gets a fresh one. */
  retire(slot: Slot): Promise<void> {
    this.remove(slot);
    return slot.worker.terminate().then(
      () => {},
      () => {},
    );
  }

  private remove(slot: Slot): void {
    slot.dead = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private spawn(heapMb: number | null): void {
    const inFlight = new SharedArrayBuffer(4);
    const tsx = isTypeScript ? tsxApis() : null;
    const workerData: WorkerInit = { tsx, inFlight };
    const execArgv = workerExecArgv();
    const resourceLimits = heapMb === null ? undefined : { maxOldGenerationSizeMb: heapMb };
    const worker = tsx
      ? new Worker(
          `Promise.all([import(${JSON.stringify(tsx.esm)}), import(${JSON.stringify(tsx.cjs)})]).then(([esm, cjs]) => { esm.register(); cjs.register(); return import(${JSON.stringify(workerMainUrl.href)}); })`,
          { eval: true, workerData, execArgv, resourceLimits },
        )
      : new Worker(workerMainUrl, { workerData, execArgv, resourceLimits });
    const slot: Slot = { worker, inFlight: new Int32Array(inFlight), heapMb, leased: false, dead: false, position: 0, starting: null, running: null };
    this.slots.push(slot);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (e) => this.die(slot, e.message));
    worker.on('exit', (code) => this.die(slot, `exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'batch') {
      // A batch taken: give the worker its credit back.
      Atomics.sub(slot.inFlight, 0, 1);
      Atomics.notify(slot.inFlight, 0);
    }
    if (m.type === 'ready' || m.type === 'jobFailed') {
      const s = slot.starting;
      if (s === null || s.jobId !== m.jobId) return;
      slot.starting = null;
      if (m.type === 'ready') s.resolve();
      else s.reject(rebuildError(m.error));
      return;
    }
    const r = slot.running;
    if (!r) return;
    if (m.type === 'failed') {
      slot.running = null;
      try {
        r.run.onMessage(m); // (its figures)
      } catch {
        // the run's own error is what matters
      }
      r.reject(rebuildError(m.error));
      return;
    }
    // What the coordinator does with a message may fail (a full spill disk): that fails the run,
    // it is not an uncaught error of the process.
    try {
      r.run.onMessage(m);
    } catch (e) {
      slot.running = null;
      r.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (m.type === 'done') {
      slot.running = null;
      r.resolve();
    }
  }

  private die(slot: Slot, reason: string): void {
    if (slot.dead) return;
    this.remove(slot);
    const s = slot.starting;
    const r = slot.running;
    slot.starting = null;
    slot.running = null;
    if (s) s.reject(new WorkerCrashError(`worker thread ${slot.position} died while rebuilding the job's functions: ${reason}`));
    if (r) r.reject(new WorkerCrashError(`worker thread ${slot.position} died while running ${r.run.describe}: ${reason}`));
    // A job waiting for threads may now start fresh ones.
    this.grant();
  }
}

/** The threads one attempt of a job runs on. */
export class WorkerLease {
  private readonly pool: WorkerPool;
  private readonly slots: readonly Slot[];
  private readonly jobId: string;

  constructor(pool: WorkerPool, slots: readonly Slot[], jobId: string) {
    this.pool = pool;
    this.slots = slots;
    this.jobId = jobId;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Sends the job to every thread of the lease and waits until each has rebuilt its code. */
  start(job: StartJob): Promise<void> {
    return Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<void>((resolve, reject) => {
            if (slot.dead) {
              reject(new WorkerCrashError(`worker thread ${slot.position} is no longer running`));
              return;
            }
            slot.starting = { jobId: job.jobId, resolve, reject };
            slot.worker.postMessage(job satisfies ToWorker);
          }),
      ),
    ).then(() => {});
  }

  /**
   * Runs every subtask, each on the next free thread of the lease; rejects on the first failure.
   * A subtask still running after `timeoutMs` fails the run and its thread is stopped.
   */
  runAll(runs: readonly SubtaskRun[], timeoutMs: number | null = null): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let failed = false;
      const startOn = (slot: Slot): void => {
        if (failed || next >= runs.length) return;
        if (slot.dead) {
          failed = true;
          reject(new WorkerCrashError(`worker thread ${slot.position} is no longer running`));
          return;
        }
        const run = runs[next++]!;
        const timer =
          timeoutMs === null
            ? null
            : setTimeout(() => {
                if (slot.running?.run !== run) return;
                const r = slot.running;
                slot.running = null;
                void this.pool.retire(slot);
                r.reject(timeoutOf(run.describe, run.operator ?? run.describe, timeoutMs));
              }, timeoutMs).unref();
        slot.running = {
          run,
          resolve: () => {
            if (timer !== null) clearTimeout(timer);
            finished++;
            if (finished === runs.length) resolve();
            else startOn(slot);
          },
          reject: (e) => {
            if (timer !== null) clearTimeout(timer);
            if (!failed) {
              failed = true;
              reject(e);
            }
          },
        };
        run.onStart?.();
        slot.worker.postMessage(run.message satisfies ToWorker, run.transfer);
      };
      if (runs.length === 0) resolve();
      for (const slot of this.slots) startOn(slot);
    });
  }

  /**
   * Ends the lease: after a clean attempt the threads go back to the pool; otherwise they are
   * replaced. Resolves when the replaced threads have stopped (none of them writes any more).
   */
  release(clean: boolean): Promise<void> {
    const stopped: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (clean && slot.running === null && slot.starting === null) this.pool.giveBack(slot, this.jobId);
      else stopped.push(this.pool.retire(slot));
    }
    this.pool.grant();
    return Promise.all(stopped).then(() => {});
  }
}

/** The process's Node options, for its worker threads: all but `--input-type` (`node --input-type=module -e`), which a thread refuses. */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--input-type') i++;
    else if (!args[i]!.startsWith('--input-type=')) out.push(args[i]!);
  }
  return out;
}

let shared: WorkerPool | null = null;

/** The process's pool. */
export function workerPool(): WorkerPool {
  shared ??= new WorkerPool();
  return shared;
}
