/**
 * The task host: runs one subtask of a job in a thread or process that has the job's plan and
 * its user code, and reports it through a transport. The three places that run subtasks for a
 * coordinator elsewhere use it — a worker thread of the embedded engine (worker/worker-main.ts),
 * a `runInClient()` task of a worker job in the coordinator's own thread (parallel-executor.ts),
 * both through worker/remote-subtask.ts, and a Flink Node worker (runners/flink/node-worker.ts).
 * From the plan's one exchange list (optimizer/exchanges.ts) the host works out the subtask's
 * outputs (binary exchange writers over its partitioners) and input slots; it builds the
 * subtask's resources, its job services (sink files, results, printed lines, the invalid-lines
 * counters), its accumulators and its iteration aggregators, runs the operators (a Promise for
 * an async operator's), and at the end encodes what goes back: accumulators, aggregates, the
 * spill statistics and figures. What a transport does is only move bytes: how a batch reaches
 * its consumer, where an input slot's batches come from, how side records travel.
 *
 * The in-thread engine (local-executor.ts) does not run through the host: its subtasks share the
 * job's own objects — accumulators, aggregators, results and sinks are the coordinator's, never
 * encoded — and a pipelined producer runs inside its consumer's loop, a record at a time. A host
 * in between would encode what the engine hands over as it is (and custom accumulators that
 * cannot travel work at parallelism 1 today).
 */
import type { JobResources } from '../job/contract.ts';
import type { FiguresDelta } from '../metrics/job-figures.ts';
import { type PlanExchange, exchangesOf, outputSpecOf } from '../optimizer/exchanges.ts';
import type { PhysicalPlan, Task } from '../optimizer/physical-plan.ts';
import { type ShippedCode, unpackUserCode } from '../serde/closures/index.ts';
import { RecordWriter } from '../serde/record-writer.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';
import type { Output } from './collector.ts';
import { DISCARD, FanOut } from './exchange.ts';
import type { InputChannel } from './input-channel.ts';
import { aggregatorsOfStep, decodeAggregates, encodeAggregates, SubtaskAggregators } from './iteration-aggregates.ts';
import type { JobServices } from './job-services.ts';
import { createPartitioner } from './partitioner.ts';
import type { RuntimeAccumulator } from './runtime-context.ts';
import { spillStatistics } from './spill/spill-runs.ts';
import type { RunnerStrategy } from './strategies.ts';
import { SubtaskMeter } from './subtask-meter.ts';
import { runSubtask } from './task-runner.ts';
import { encodeAccumulators, type NodeOfClass } from './worker/accumulator-codec.ts';
import { BinaryExchangeWriter } from './worker/binary-exchange.ts';
import type { EndFigures, TsxApis } from './worker/protocol.ts';
import { registerTsx } from './worker/tsx.ts';

/** A job's user code as the host has it: rebuilt from the shipped code, or the client's own. */
export interface HostedCode {
  readonly userObjects: ReadonlyMap<string, unknown>;
  readonly types: TypeRegistry;
  /** Names a rebuilt class by its node of the shipped code (custom accumulators go back so). */
  readonly nodeOfClass?: NodeOfClass | undefined;
}

/**
 * The previous superstep's aggregates for a step's subtask (null in superstep 1): merged by the
 * coordinator, or every step subtask's own contribution, which the host merges (Flink merges nothing).
 */
export type PreviousAggregates = { readonly merged: Uint8Array } | { readonly contributions: readonly Uint8Array[] } | null;

/** One subtask to run, as its coordinator asked for it. */
export interface SubtaskOrder {
  /** A task of the host's plan. */
  readonly task: Task;
  readonly subtask: number;
  /** The job's attempt, 1-based (TSFLINK_FAULT selects by it). */
  readonly attempt: number;
  /** The iteration's superstep (1, 2, …) for a step's task; 0 elsewhere. */
  readonly superstep: number;
  readonly objectReuse: boolean;
  /** What the subtask's operators may hold before they spill, and where spill files go. */
  readonly operatorMemoryBytes: number;
  readonly tmpDir: string;
  /** Where the job's cached files are here (default: where the plan says). */
  readonly cachedFiles?: Readonly<Record<string, string>> | undefined;
  /** The staging file of each file sink of the task (by node id) this subtask writes. */
  readonly sinkFiles: Readonly<Record<number, string>>;
  readonly invalidLinesNames: Readonly<Record<number, string>>;
  readonly previousAggregates?: PreviousAggregates | undefined;
  /** Whether the job has a monitor: the subtask then reports its figures (`figures`, and at its end). */
  readonly measure?: boolean | undefined;
  /** The head as the runner runs it, when the runner ran the task's first operator itself (a Flink worker's native operators: runSubtask). */
  readonly runnerHead?: RunnerStrategy | null | undefined;
}

/** What a subtask that succeeded sends back at its end. */
export interface SubtaskEnd {
  /** Its accumulators, encoded (accumulator-codec.ts). */
  readonly accumulators: Uint8Array;
  /** What a step's subtask aggregated (encoded name–value records), when it aggregated anything. */
  readonly aggregates?: Uint8Array;
  /** The spill files its operators wrote, for the coordinator's statistics. */
  readonly spilled: { readonly runs: number; readonly bytes: number };
  readonly figures?: EndFigures;
}

/**
 * How a hosted subtask reaches the rest of its job. Outputs and input slots are numbered as
 * the task's exchanges come in `exchangesOf` (a producer's outputs in that order; a consumer's
 * slots: its regular inputs, then its broadcast sets).
 */
export interface SubtaskTransport {
  /** The records of input slot `slot`, read once (a broadcast set's as the subtask starts). */
  input(slot: number, exchange: PlanExchange, meter: SubtaskMeter | null): InputChannel;
  /** Ships a batch of output `output` to consumer subtask `target` (ALL_TARGETS: to every one). */
  ship(output: number, exchange: PlanExchange, target: number, bytes: Uint8Array): void;
  /** An output the transport writes itself (a Flink worker's keyed records); undefined: batches through `ship`. */
  writer?(output: number, exchange: PlanExchange): Output | undefined;
  /** A collect() sink's share (a record batch), or a count() sink's count (`bytes` null). */
  result(resultId: string, bytes: Uint8Array | null, count: number): void;
  printed(toError: boolean, lines: string[]): void;
  /** What a measured subtask counted since its last report, at most every 250 ms. */
  figures?(delta: FiguresDelta): void;
  done(end: SubtaskEnd): void;
  /** The subtask failed (the error as it was thrown; a transport describes it for the wire). */
  failed(error: unknown, figures: EndFigures | undefined): void;
  /** Runs the subtask's operators (a transport's time limit); by default they just run. */
  guard?(run: () => void | Promise<void>): void | Promise<void>;
}

/** A subtask's writers as one output: none discards, several each get every record. */
export function combinedOutput(writers: readonly Output[]): Output {
  return writers.length === 0 ? DISCARD : writers.length === 1 ? writers[0]! : new FanOut(writers);
}

export class TaskHost {
  readonly plan: PhysicalPlan;
  readonly code: HostedCode;
  private readonly tasks: ReadonlyMap<number, Task>;
  private readonly outputs = new Map<number, PlanExchange[]>();
  private readonly slots = new Map<number, PlanExchange[]>();

  constructor(plan: PhysicalPlan, code: HostedCode) {
    this.plan = plan;
    this.code = code;
    this.tasks = new Map(plan.tasks.map((t) => [t.id, t]));
    for (const t of plan.tasks) {
      this.outputs.set(t.id, []);
      this.slots.set(t.id, []);
    }
    for (const x of exchangesOf(plan)) {
      this.outputs.get(x.from)!.push(x);
      this.slots.get(x.to)!.push(x);
    }
  }

  /** The plan's task `id`, if it has one. */
  task(id: number): Task | undefined {
    return this.tasks.get(id);
  }

  /**
   * Runs a subtask and reports its end — `done` or `failed`, exactly one of them — through the
   * transport; never throws (but an interrupt of a vm section around it goes through). Returns a
   * Promise when the subtask runs asynchronously (an async operator's), settling after its end.
   */
  run(order: SubtaskOrder, transport: SubtaskTransport): void | Promise<void> {
    const { task, subtask } = order;
    const { userObjects, types, nodeOfClass } = this.code;
    const meter = order.measure === true ? measured(transport) : null;
    const figures = (): { figures?: EndFigures } => (meter === null ? {} : { figures: meter.finish() });
    const failed = (error: unknown): void => transport.failed(error, figures().figures);
    try {
      const resources: JobResources = {
        userObjects,
        types,
        objectReuse: order.objectReuse,
        retries: 0,
        // (A Flink worker's process.stdout writes to its stderr: stdout is its data channel.)
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        memoryBytes: order.operatorMemoryBytes * 2,
        operatorMemoryBytes: order.operatorMemoryBytes,
        tmpDir: order.tmpDir,
        cachedFiles: order.cachedFiles ?? this.plan.cachedFiles ?? {},
      };
      const output = combinedOutput(
        this.outputs.get(task.id)!.map((x, i) => {
          const own = transport.writer?.(i, x);
          if (own !== undefined) return own;
          const o = outputSpecOf(x);
          const partitioner = createPartitioner(o.ship, o.keys, subtask, o.consumers, userObjects, types, o.keyOwner, o.fn);
          return new BinaryExchangeWriter(partitioner, o.consumers, types, (target, bytes) => transport.ship(i, x, target, bytes), task.name, meter);
        }),
      );
      const inputs: InputChannel[] = [];
      const broadcast = new Map<string, unknown[]>();
      // In slot order: a Flink worker's input spools what arrives for a slot not read yet.
      this.slots.get(task.id)!.forEach((x, slot) => {
        const channel = transport.input(slot, x, meter);
        if (x.slot.kind === 'input') inputs[x.slot.index] = channel;
        else broadcast.set(x.slot.name, channel.toArray());
      });
      const services: JobServices = {
        sinkFile: (nodeId) => order.sinkFiles[nodeId]!,
        addResult: (resultId, _subtask, value) => {
          if (typeof value === 'number') {
            transport.result(resultId, null, value);
            return;
          }
          const w = new RecordWriter(types);
          for (const v of value) w.write(v);
          transport.result(resultId, w.finish(), value.length);
        },
        addPrinted: (toError, _subtask, lines) => transport.printed(toError, lines),
        invalidLinesAccumulator: (nodeId) => order.invalidLinesNames[nodeId]!,
      };
      const accumulators = new Map<string, RuntimeAccumulator[]>();
      const aggregators = this.aggregators(task.id, order.previousAggregates ?? null);
      const before = { runs: spillStatistics.runs, bytes: spillStatistics.bytes };
      const done = (): void => {
        const encoded = encodeAccumulators(accumulators, types, task.name, nodeOfClass);
        const aggregated = aggregators?.values() ?? [];
        const aggregates = aggregated.length === 0 ? {} : { aggregates: encodeAggregates(aggregated, types, task.name) };
        const spilled = { runs: spillStatistics.runs - before.runs, bytes: spillStatistics.bytes - before.bytes };
        transport.done({ accumulators: encoded, ...aggregates, spilled, ...figures() });
      };
      const run = (): void | Promise<void> =>
        runSubtask(task, subtask, { inputs, broadcast, output, meter }, resources, services, accumulators, {
          superstep: order.superstep,
          attempt: order.attempt,
          aggregators,
          runnerHead: order.runnerHead ?? null,
        });
      const running = transport.guard === undefined ? run() : transport.guard(run);
      if (running !== undefined) return running.then(done).catch(failed);
      done();
    } catch (error) {
      failed(error);
    }
  }

  /** A step's subtask's aggregators of this superstep, with the previous one's merged values; null outside a step with aggregators. */
  private aggregators(task: number, previous: PreviousAggregates): SubtaskAggregators | null {
    const iteration = aggregatorsOfStep(this.plan, task, this.code.userObjects);
    if (iteration === null) return null;
    if (previous === null) return new SubtaskAggregators(iteration.registered, null);
    if ('merged' in previous) return new SubtaskAggregators(iteration.registered, new Map(decodeAggregates(previous.merged, this.code.types)));
    for (const part of previous.contributions) iteration.add(decodeAggregates(part, this.code.types));
    return new SubtaskAggregators(iteration.registered, iteration.merge());
  }
}

/**
 * A host for a job whose user code was shipped (a worker thread, a Flink Node worker): tsx is
 * registered first when the job's modules need it and this thread does not have it yet, then
 * the code is rebuilt (serde/closures), never running the user's script.
 */
export async function hostShippedJob(plan: PhysicalPlan, code: ShippedCode, tsx: TsxApis | null): Promise<TaskHost> {
  if (tsx !== null) await registerTsx(tsx);
  return new TaskHost(plan, await unpackUserCode(code));
}

/** A meter whose deltas go through the transport with the subtask's batches, at most every 250 ms (and at its end). */
function measured(transport: SubtaskTransport): SubtaskMeter {
  const meter = new SubtaskMeter().start();
  let last = performance.now();
  meter.onBatch = () => {
    const now = performance.now();
    if (now - last < 250) return;
    last = now;
    transport.figures?.(meter.take());
  };
  return meter;
}
