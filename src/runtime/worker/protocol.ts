/**
 * Messages between the coordinator (the thread that called execute()) and its worker threads.
 * Record data always travels as binary batches (SPEC §6) in transferred ArrayBuffers.
 */
import type { KeySpec } from '../../plan/nodes.ts';
import type { ShipStrategy } from '../../optimizer/physical-plan.ts';

/** Where a consumer subtask finds its records: batches in memory, or a segment of a spill file. */
export type BatchSource =
  | { readonly kind: 'memory'; readonly bytes: Uint8Array }
  | { readonly kind: 'file'; readonly path: string; readonly offset: number; readonly length: number };

export interface WorkerInit {
  /** Absolute path of the user's script, re-run in operator mode. */
  readonly script: string;
  readonly argv: readonly string[];
  /** The script's job submissions (execute/collect/count) so far; the worker rebuilds this one. */
  readonly submission: number;
  /** The outcomes of the earlier submissions (null: failed), replayed so the script takes the same path. */
  readonly replay: readonly (Uint8Array | null)[];
  /**
   * The coordinator's fingerprint of the physical plan; the worker must rebuild the same. Null
   * for a worker started before the coordinator has its plan (see WorkerPool.prestart): it gets
   * the fingerprint in a `fingerprint` message, and reports ready only after that.
   */
  readonly fingerprint: string | null;
  /** URL of tsx's ESM API when the script (or tsflink itself) is TypeScript. */
  readonly tsxApi: string | null;
  /**
   * Back-pressure: one Int32 counting this worker's batches the coordinator has not taken yet.
   * A worker that has too many in flight waits (Atomics.wait) until the coordinator catches up.
   */
  readonly inFlight?: SharedArrayBuffer;
}

export interface OutputSpec {
  readonly exchange: number;
  readonly ship: ShipStrategy;
  readonly keys?: KeySpec | undefined;
  readonly consumers: number;
  /** The consuming operator, whose key a HASH exchange reads: key errors name it (SPEC §7). */
  readonly keyOwner: string;
}

export interface RunSubtask {
  readonly type: 'run';
  readonly runId: number;
  readonly task: number;
  readonly subtask: number;
  readonly inputs: readonly (readonly BatchSource[])[];
  readonly broadcast: readonly (readonly [string, readonly BatchSource[]])[];
  readonly outputs: readonly OutputSpec[];
  readonly sinkFiles: Readonly<Record<number, string>>;
  readonly invalidLinesNames: Readonly<Record<number, string>>;
  readonly objectReuse: boolean;
  /** What this subtask's operators may hold before they spill, and where spill files go. */
  readonly operatorMemoryBytes: number;
  readonly tmpDir: string;
  /** The iteration's superstep (1, 2, …) for a step's task; 0 elsewhere. */
  readonly superstep: number;
}

export type ToWorker = RunSubtask | { readonly type: 'shutdown' } | { readonly type: 'fingerprint'; readonly fingerprint: string };

export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly props: Readonly<Record<string, unknown>>;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'mismatch'; readonly reason: string }
  | { readonly type: 'batch'; readonly runId: number; readonly exchange: number; readonly target: number; readonly bytes: Uint8Array }
  | { readonly type: 'result'; readonly runId: number; readonly resultId: string; readonly bytes: Uint8Array | null; readonly count: number }
  | { readonly type: 'printed'; readonly runId: number; readonly toError: boolean; readonly lines: readonly string[] }
  | { readonly type: 'done'; readonly runId: number; readonly accumulators: Uint8Array }
  | { readonly type: 'failed'; readonly runId: number; readonly error: ErrorInfo };
