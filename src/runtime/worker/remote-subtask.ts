/**
 * Runs one subtask a `run` message describes and reports it through `post` with the worker
 * protocol's messages: in a worker thread (worker-main.ts), and in the coordinator's own thread
 * for a task with an operator that runs in the client (parallel-executor.ts), whose messages go
 * to the same handlers.
 */
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import type { JobResources } from '../../job/contract.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';
import { DISCARD, FanOut } from '../exchange.ts';
import type { JobServices } from '../job-services.ts';
import { createPartitioner } from '../partitioner.ts';
import type { RuntimeAccumulator } from '../runtime-context.ts';
import { spillStatistics } from '../spill/spill-runs.ts';
import { runSubtask } from '../task-runner.ts';
import { encodeAccumulators } from './accumulator-codec.ts';
import { aggregatorsOfStep, decodeAggregates, encodeAggregates, SubtaskAggregators } from '../iteration-aggregates.ts';
import { BatchInputChannel, BinaryExchangeWriter } from './binary-exchange.ts';
import type { EndFigures, FromWorker, RunSubtask } from './protocol.ts';
import { SubtaskMeter } from '../subtask-meter.ts';
import { describeError } from './remote-error.ts';

/** A job as the thread that runs its subtasks has it: the plan, and the user objects it names. */
export interface SubtaskJob {
  readonly plan: PhysicalPlan;
  readonly userObjects: ReadonlyMap<string, unknown>;
  readonly types: TypeRegistry;
  /** Names a rebuilt class by its node of the shipped code (custom accumulators go back so). */
  readonly nodeOfClass?: (cls: unknown) => number | undefined;
}

export type BatchMessage = FromWorker & { type: 'batch' };

export interface SubtaskPorts {
  readonly post: (message: FromWorker, transfer: ArrayBuffer[]) => void;
  /** Ships an output batch (a worker thread waits here while the coordinator is behind). */
  readonly postBatch: (message: BatchMessage) => void;
}

/** Returns a Promise when the subtask runs asynchronously (an async operator's), settling after its last message. */
export function runRemoteSubtask(m: RunSubtask, job: SubtaskJob, ports: SubtaskPorts): void | Promise<void> {
  const { plan, userObjects, types } = job;
  const { post, postBatch } = ports;
  const task = plan.tasks.find((t) => t.id === m.task)!;
  const meter = m.measure === true ? measured(m.runId, post) : null;
  const figures = (): { figures?: EndFigures } => (meter === null ? {} : { figures: meter.finish() });
  try {
    const resources: JobResources = {
      userObjects,
      types,
      objectReuse: m.objectReuse,
      retries: 0,
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      memoryBytes: m.operatorMemoryBytes * 2,
      operatorMemoryBytes: m.operatorMemoryBytes,
      tmpDir: m.tmpDir,
      cachedFiles: plan.cachedFiles ?? {},
    };
    const writers = m.outputs.map(
      (o) =>
        new BinaryExchangeWriter(
          createPartitioner(o.ship, o.keys, m.subtask, o.consumers, userObjects, types, o.keyOwner, o.fn),
          o.consumers,
          types,
          (target, bytes) => postBatch({ type: 'batch', runId: m.runId, exchange: o.exchange, target, bytes }),
          task.name,
          meter,
        ),
    );
    const output = writers.length === 0 ? DISCARD : writers.length === 1 ? writers[0]! : new FanOut(writers);
    const inputs = m.inputs.map((sources) => new BatchInputChannel(sources, types, meter));
    const broadcast = new Map(m.broadcast.map(([name, sources]) => [name, new BatchInputChannel(sources, types, meter).toArray()] as const));
    const services: JobServices = {
      sinkFile: (nodeId) => m.sinkFiles[nodeId]!,
      addResult: (resultId, _subtask, value) => {
        if (typeof value === 'number') {
          post({ type: 'result', runId: m.runId, resultId, bytes: null, count: value }, []);
          return;
        }
        const w = new RecordWriter(types);
        for (const v of value) w.write(v);
        const bytes = w.finish();
        post({ type: 'result', runId: m.runId, resultId, bytes, count: value.length }, [bytes.buffer as ArrayBuffer]);
      },
      addPrinted: (toError, _subtask, lines) => post({ type: 'printed', runId: m.runId, toError, lines }, []),
      invalidLinesAccumulator: (nodeId) => m.invalidLinesNames[nodeId]!,
    };
    const accumulators = new Map<string, RuntimeAccumulator[]>();
    const before = { runs: spillStatistics.runs, bytes: spillStatistics.bytes };
    const iteration = aggregatorsOfStep(plan, m.task, userObjects);
    const mine = iteration === null ? null : new SubtaskAggregators(iteration.registered, m.previousAggregates ? new Map(decodeAggregates(m.previousAggregates, types)) : null);
    const done = (): void => {
      const acc = encodeAccumulators(accumulators, types, task.name, job.nodeOfClass);
      const spilled = { runs: spillStatistics.runs - before.runs, bytes: spillStatistics.bytes - before.bytes };
      const aggregates = mine === null ? undefined : encodeAggregates(mine.values(), types, task.name);
      post({ type: 'done', runId: m.runId, accumulators: acc, aggregates, spilled, ...figures() }, [acc.buffer as ArrayBuffer, ...(aggregates ? [aggregates.buffer as ArrayBuffer] : [])]);
    };
    const running = runSubtask(task, m.subtask, { inputs, broadcast, output, meter }, resources, services, accumulators, m.superstep, m.attempt, mine);
    if (running !== undefined) return running.then(done).catch((error: unknown) => failed(error));
    done();
  } catch (error) {
    failed(error);
  }
  function failed(error: unknown): void {
    post({ type: 'failed', runId: m.runId, error: describeError(error), ...figures() }, []);
  }
}

/** A meter whose deltas go to the coordinator with the subtask's batches, at most every 250 ms (and at its end, with `done` or `failed`). */
function measured(runId: number, post: SubtaskPorts['post']): SubtaskMeter {
  const meter = new SubtaskMeter().start();
  let last = performance.now();
  meter.onBatch = () => {
    const now = performance.now();
    if (now - last < 250) return;
    last = now;
    post({ type: 'figures', runId, delta: meter.take() }, []);
  };
  return meter;
}
