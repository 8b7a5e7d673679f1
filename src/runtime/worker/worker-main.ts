/**
 * A worker thread of the embedded engine, one of the process's warm pool (worker-pool.ts). It
 * never runs the user's script: for each job the coordinator sends the plan and the shipped user
 * code, which the worker rebuilds (serde/closures) and keeps under the job's id; then it runs the
 * subtasks the coordinator sends, over binary exchanges, until the job ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { unpackUserCode } from '../../serde/closures/index.ts';
import type { FromWorker, StartJob, ToWorker, TsxApis, WorkerInit } from './protocol.ts';
import { describeError } from './remote-error.ts';
import { type BatchMessage, runRemoteSubtask, type SubtaskJob } from './remote-subtask.ts';

const port = parentPort!;
const init = workerData as WorkerInit;
const jobs = new Map<string, SubtaskJob>();

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Batches this worker may have in flight before it waits for the coordinator (16 × 256 KiB). */
const MAX_IN_FLIGHT = 16;
const inFlight = new Int32Array(init.inFlight);

/** Ships a batch, first waiting while the coordinator has too many of ours to take (back-pressure). */
function postBatch(message: BatchMessage): void {
  for (let n = Atomics.load(inFlight, 0); n >= MAX_IN_FLIGHT; n = Atomics.load(inFlight, 0)) Atomics.wait(inFlight, 0, n, 1000);
  Atomics.add(inFlight, 0, 1);
  post(message, [message.bytes.buffer as ArrayBuffer]);
}

let tsxRegistered: Promise<void> | null = init.tsx === null ? null : Promise.resolve();

/** Registers tsx (both hooks, as `node --import tsx` does) for a job whose modules are TypeScript. */
function registerTsx(tsx: TsxApis): Promise<void> {
  tsxRegistered ??= (async () => {
    // tsflink's own modules first, while plain Node loads them: after tsx registers, every module
    // resolved and loaded goes through its hooks thread (measured: about 0.2 s for tsflink's).
    await import(new URL(`../../index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href);
    const [esm, cjs] = (await Promise.all([import(tsx.esm), import(tsx.cjs)])) as { register(): void }[];
    esm!.register();
    cjs!.register();
  })();
  return tsxRegistered;
}

async function startJob(m: StartJob): Promise<void> {
  try {
    if (m.tsx !== null) await registerTsx(m.tsx);
    const { userObjects, types, nodeOfClass } = await unpackUserCode(m.code);
    jobs.set(m.jobId, { plan: m.plan, userObjects, types, nodeOfClass });
    post({ type: 'ready', jobId: m.jobId });
  } catch (error) {
    post({ type: 'jobFailed', jobId: m.jobId, error: describeError(error) });
  }
}

const ports = { post, postBatch };

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'job':
      void startJob(message);
      break;
    case 'run':
      // (an async operator's subtask returns a Promise that reports its own end; the pool sends no other run meanwhile)
      void runRemoteSubtask(message, jobs.get(message.jobId)!, ports);
      break;
    case 'endJob':
      jobs.delete(message.jobId);
      break;
    case 'shutdown':
      port.close();
      process.exit(0);
  }
});
