/**
 * A worker thread of the embedded engine, one of the process's warm pool (worker-pool.ts). It
 * never runs the user's script: for each job the coordinator sends the plan and the shipped user
 * code, which the worker rebuilds (serde/closures) and keeps under the job's id as a task host
 * (task-host.ts); then it runs the subtasks the coordinator sends, over binary exchanges, until
 * the job ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hostShippedJob, type TaskHost } from '../task-host.ts';
import type { FromWorker, StartJob, ToWorker, WorkerInit } from './protocol.ts';
import { describeError } from './remote-error.ts';
import { type BatchMessage, runRemoteSubtask } from './remote-subtask.ts';

const port = parentPort!;
const init = workerData as WorkerInit;
const jobs = new Map<string, TaskHost>();

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

async function startJob(m: StartJob): Promise<void> {
  try {
    // (A thread started with tsx, from tsflink's .ts sources, has it already.)
    jobs.set(m.jobId, await hostShippedJob(m.plan, m.code, init.tsx === null ? m.tsx : null));
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
