/**
 * The worker protocol's transport for the task host (task-host.ts): runs the subtask a `run`
 * message describes and reports it through `post` with the protocol's messages — in a worker
 * thread (worker-main.ts), and in the coordinator's own thread for a task with an operator that
 * runs in the client (parallel-executor.ts), whose messages go to the same handlers.
 */
import type { TaskHost } from '../task-host.ts';
import { BatchInputChannel } from './binary-exchange.ts';
import type { BatchSource, FromWorker, RunSubtask } from './protocol.ts';
import { describeError } from './remote-error.ts';

export type BatchMessage = FromWorker & { type: 'batch' };

export interface SubtaskPorts {
  readonly post: (message: FromWorker, transfer: ArrayBuffer[]) => void;
  /** Ships an output batch (a worker thread waits here while the coordinator is behind). */
  readonly postBatch: (message: BatchMessage) => void;
}

/** Returns a Promise when the subtask runs asynchronously (an async operator's), settling after its last message. */
export function runRemoteSubtask(m: RunSubtask, host: TaskHost, ports: SubtaskPorts): void | Promise<void> {
  const { post, postBatch } = ports;
  const { runId } = m;
  const broadcast = new Map<string, readonly BatchSource[]>(m.broadcast);
  return host.run(
    {
      task: host.task(m.task)!,
      subtask: m.subtask,
      attempt: m.attempt,
      superstep: m.superstep,
      objectReuse: m.objectReuse,
      operatorMemoryBytes: m.operatorMemoryBytes,
      tmpDir: m.tmpDir,
      sinkFiles: m.sinkFiles,
      invalidLinesNames: m.invalidLinesNames,
      previousAggregates: m.previousAggregates ? { merged: m.previousAggregates } : null,
      measure: m.measure,
    },
    {
      input: (_slot, x, meter) => new BatchInputChannel(x.slot.kind === 'input' ? m.inputs[x.slot.index]! : broadcast.get(x.slot.name)!, host.code.types, meter),
      ship: (_output, x, target, bytes) => postBatch({ type: 'batch', runId, exchange: x.id, target, bytes }),
      result: (resultId, bytes, count) => post({ type: 'result', runId, resultId, bytes, count }, bytes === null ? [] : [bytes.buffer as ArrayBuffer]),
      printed: (toError, lines) => post({ type: 'printed', runId, toError, lines }, []),
      figures: (delta) => post({ type: 'figures', runId, delta }, []),
      done: (end) => post({ type: 'done', runId, ...end }, [end.accumulators.buffer as ArrayBuffer, ...(end.aggregates ? [end.aggregates.buffer as ArrayBuffer] : [])]),
      failed: (error, figures) => post({ type: 'failed', runId, error: describeError(error), ...(figures === undefined ? {} : { figures }) }, []),
    },
  );
}
