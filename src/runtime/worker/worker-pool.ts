/**
 * The coordinator's pool of worker threads for one job: starts them (each re-runs the user's
 * script and reports ready, or that it could not rebuild the plan), runs subtasks on them one
 * at a time each, and turns a worker that dies into a WorkerCrashError instead of a hang.
 */
import { Worker } from 'node:worker_threads';
import { WorkerCrashError } from '../../errors/index.ts';
import type { FromWorker, RunSubtask, ToWorker, WorkerInit } from './protocol.ts';
import { rebuildError } from './remote-error.ts';

/** The worker could not rebuild the job: run it in-process instead. */
export class WorkerFallback extends Error {}

const selfUrl = import.meta.url;
const isTypeScript = selfUrl.endsWith('.ts');
const workerMainUrl = new URL(`./worker-main.${isTypeScript ? 'ts' : 'js'}`, selfUrl);

/** tsx's ESM API, for workers that load TypeScript (tsflink's own sources, or the user's script). */
export function tsxApiUrl(): string | null {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
}

export interface SubtaskRun {
  readonly message: RunSubtask;
  readonly transfer: ArrayBuffer[];
  /** Every message the worker sends about this run, before it is done. */
  readonly onMessage: (message: FromWorker) => void;
  readonly describe: string;
}

interface Slot {
  readonly worker: Worker;
  readonly inFlight: Int32Array;
  readonly index: number;
  running: { run: SubtaskRun; resolve: () => void; reject: (e: Error) => void } | null;
  dead: boolean;
}

/** Workers started and not yet known to be ready (see WorkerPool.spawn). */
export interface SpawnedWorkers {
  readonly slots: readonly Slot[];
  readonly ready: readonly Promise<void>[];
  readonly init: WorkerInit;
}

export class WorkerPool {
  private readonly slots: readonly Slot[];

  private constructor(slots: readonly Slot[]) {
    this.slots = slots;
  }

  get size(): number {
    return this.slots.length;
  }

  static async start(size: number, init: WorkerInit): Promise<WorkerPool> {
    return WorkerPool.adopt(WorkerPool.spawn(size, init), null);
  }

  /**
   * Starts workers without waiting for them. With `init.fingerprint` null (workers started
   * before the coordinator has its plan) they rebuild the job and wait for `adopt` to send the
   * fingerprint; until then they do not keep the process alive.
   */
  static spawn(size: number, init: WorkerInit): SpawnedWorkers {
    const slots: Slot[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const inFlight = new SharedArrayBuffer(4);
      const workerData: WorkerInit = { ...init, inFlight };
      const worker = isTypeScript
        ? new Worker(
            `import(${JSON.stringify(init.tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerMainUrl.href)}); })`,
            { eval: true, workerData },
          )
        : new Worker(workerMainUrl, { workerData });
      const slot: Slot = { worker, inFlight: new Int32Array(inFlight), index: i, running: null, dead: false };
      slots.push(slot);
      const started = new Promise<void>((resolve, reject) => {
        worker.on('message', (m: FromWorker) => {
          if (m.type === 'ready') resolve();
          else if (m.type === 'mismatch') reject(new WorkerFallback(m.reason));
        });
        worker.once('error', (e) => reject(new WorkerFallback(`a worker thread failed to start: ${e.message}`)));
        worker.once('exit', (code) => reject(new WorkerFallback(`a worker thread exited with code ${code} while starting`)));
      });
      started.catch(() => {}); // spawned early and never adopted: not an unhandled rejection
      ready.push(started);
      // After the listeners: adding a 'message' listener refs the worker again.
      if (init.fingerprint === null) worker.unref();
    }
    return { slots, ready, init };
  }

  /** Waits for spawned workers to be ready (sending the plan's fingerprint first when they were started without it). */
  static async adopt(spawned: SpawnedWorkers, fingerprint: string | null): Promise<WorkerPool> {
    const pool = new WorkerPool(spawned.slots);
    try {
      for (const slot of spawned.slots) {
        slot.worker.ref();
        if (fingerprint !== null) slot.worker.postMessage({ type: 'fingerprint', fingerprint } satisfies ToWorker);
      }
      await Promise.all(spawned.ready);
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    for (const slot of spawned.slots) pool.attach(slot);
    return pool;
  }

  /** Stops workers that were spawned but will not be used. */
  static discard(spawned: SpawnedWorkers): void {
    for (const slot of spawned.slots) void slot.worker.terminate().catch(() => 0);
  }

  private attach(slot: Slot): void {
    const w = slot.worker;
    w.removeAllListeners('message');
    w.removeAllListeners('error');
    w.removeAllListeners('exit');
    w.on('message', (m: FromWorker) => {
      if (m.type === 'batch') {
        // A batch taken: give the worker its credit back.
        Atomics.sub(slot.inFlight, 0, 1);
        Atomics.notify(slot.inFlight, 0);
      }
      const r = slot.running;
      if (!r) return;
      if (m.type === 'done') {
        r.run.onMessage(m);
        slot.running = null;
        r.resolve();
      } else if (m.type === 'failed') {
        slot.running = null;
        r.reject(rebuildError(m.error));
      } else r.run.onMessage(m);
    });
    const die = (reason: string): void => {
      slot.dead = true;
      const r = slot.running;
      slot.running = null;
      if (r) r.reject(new WorkerCrashError(`worker thread ${slot.index} died while running ${r.run.describe}: ${reason}`));
    };
    w.on('error', (e) => die(e.message));
    w.on('exit', (code) => die(`exit code ${code}`));
  }

  /** Runs every subtask, each on the next free worker; rejects on the first failure. */
  runAll(runs: readonly SubtaskRun[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let failed = false;
      const startOn = (slot: Slot): void => {
        if (failed || next >= runs.length) return;
        if (slot.dead) {
          failed = true;
          reject(new WorkerCrashError(`worker thread ${slot.index} is no longer running`));
          return;
        }
        const run = runs[next++]!;
        slot.running = {
          run,
          resolve: () => {
            finished++;
            if (finished === runs.length) resolve();
            else startOn(slot);
          },
          reject: (e) => {
            if (!failed) {
              failed = true;
              reject(e);
            }
          },
        };
        slot.worker.postMessage(run.message, run.transfer);
      };
      if (runs.length === 0) resolve();
      for (const slot of this.slots) startOn(slot);
    });
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => 0)));
  }
}
