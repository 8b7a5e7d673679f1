/**
 * Messages between the coordinator (the thread that called execute()) and its worker threads.
 * A job starts with `job` (the worker rebuilds its user code and answers `ready`, or
 * `jobFailed`), then `run` messages carry its subtasks, and `endJob` drops it. Record data
 * always travels as binary record batches in transferred ArrayBuffers.
 */
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import type { ShippedCode } from '../../serde/closures/index.ts';
import type { FiguresDelta } from '../../metrics/job-figures.ts';

/** Where a consumer subtask finds its records: batches in memory, or a segment of a spill file. */
export type BatchSource = { readonly kind: 'memory'; readonly bytes: Uint8Array } | { readonly kind: 'file'; readonly path: string; readonly offset: number; readonly length: number };

/** What a worker thread is started with (it serves the process's jobs one after another). */
export interface WorkerInit {
  /** tsx's APIs when the thread was started with tsx registered (tsflink itself runs from .ts sources). */
  readonly tsx: TsxApis | null;
  /**
   * Back-pressure: one Int32 counting this worker's batches the coordinator has not taken yet.
   * A worker that has too many in flight waits (Atomics.wait) until the coordinator catches up.
   */
  readonly inFlight: SharedArrayBuffer;
}

/** URLs of tsx's ES-module and CommonJS registration APIs. */
export interface TsxApis {
  readonly esm: string;
  readonly cjs: string;
}

/** A job for a worker: its physical plan and its shipped user code, which the worker rebuilds. */
export interface StartJob {
  readonly type: 'job';
  readonly jobId: string;
  readonly plan: PhysicalPlan;
  readonly code: ShippedCode;
  /** Set when the job's modules need tsx (TypeScript): the worker registers it before rebuilding them. */
  readonly tsx: TsxApis | null;
}

/** One subtask to run, with its input batches (its outputs are its task's exchanges in the plan, which the task host works out). */
export interface RunSubtask {
  readonly type: 'run';
  readonly jobId: string;
  readonly runId: number;
  readonly task: number;
  readonly subtask: number;
  readonly inputs: readonly (readonly BatchSource[])[];
  readonly broadcast: readonly (readonly [string, readonly BatchSource[]])[];
  readonly sinkFiles: Readonly<Record<number, string>>;
  readonly invalidLinesNames: Readonly<Record<number, string>>;
  readonly objectReuse: boolean;
  /** What this subtask's operators may hold before they spill, and where spill files go. */
  readonly operatorMemoryBytes: number;
  readonly tmpDir: string;
  /** The iteration's superstep (1, 2, …) for a step's task; 0 elsewhere. */
  readonly superstep: number;
  /** A step's task of an iteration with aggregators: the previous superstep's merged values (encoded name–value records), null in superstep 1. */
  readonly previousAggregates?: Uint8Array | null;
  /** The job's attempt, 1-based (TSFLINK_FAULT selects by it). */
  readonly attempt: number;
  /** Whether the job has a monitor: the subtask then sends its figures (`figures`, and on `done` or `failed`). */
  readonly measure?: boolean;
}

/** A subtask's figures at its end: its last deltas and its busy time (see subtask-meter.ts). */
export interface EndFigures {
  readonly delta: FiguresDelta;
  readonly cpuMs: number;
}

export type ToWorker = StartJob | RunSubtask | { readonly type: 'endJob'; readonly jobId: string } | { readonly type: 'shutdown' };

export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly props: Readonly<Record<string, unknown>>;
}

export type FromWorker =
  | { readonly type: 'ready'; readonly jobId: string }
  | { readonly type: 'jobFailed'; readonly jobId: string; readonly error: ErrorInfo }
  | { readonly type: 'batch'; readonly runId: number; readonly exchange: number; readonly target: number; readonly bytes: Uint8Array }
  | { readonly type: 'result'; readonly runId: number; readonly resultId: string; readonly bytes: Uint8Array | null; readonly count: number }
  | { readonly type: 'printed'; readonly runId: number; readonly toError: boolean; readonly lines: readonly string[] }
  /** What a measured subtask counted since its last report, sent with its batches at most every 250 ms. */
  | { readonly type: 'figures'; readonly runId: number; readonly delta: FiguresDelta }
  /** `spilled`: the spill files the subtask's operators wrote (runs and bytes), for the coordinator's statistics. */
  /** `aggregates`: what a step's subtask aggregated (iteration-aggregates.ts), for an iteration with aggregators. */
  | {
      readonly type: 'done';
      readonly runId: number;
      readonly accumulators: Uint8Array;
      readonly aggregates?: Uint8Array;
      readonly spilled: { readonly runs: number; readonly bytes: number };
      readonly figures?: EndFigures;
    }
  | { readonly type: 'failed'; readonly runId: number; readonly error: ErrorInfo; readonly figures?: EndFigures };
