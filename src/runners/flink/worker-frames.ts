/**
 * What the Flink runner's three parties share: the worker configuration file the client
 * writes, the frames between a JVM task (flink-runner/…/NodeTask.java) and its Node worker,
 * and the side records a worker sends back to the client through Flink.
 *
 * Frames (big-endian). JVM → worker on stdin, per task: `TASK u8=3, length u32, header JSON`
 * ({task, subtask, attempt, superstep, spool}), then, one for each CREDIT the worker sends,
 * `DATA u8=1, slot u32, length u32, batch` or, once the input is done, `END u8=2`; a worker
 * serves task after task until stdin ends. Worker → JVM on stdout: `type u8, a u32, b u32, length u32, payload` with
 * BATCH=1 (a = output index, b = consumer subtask, payload = a record batch of
 * docs/record-format.md), SIDE=2 (payload = a side record, opaque to the JVM), ERROR=3
 * (payload = the error as JSON), DONE=4, KEYED=5 (a = output index, b = record count n; payload
 * = n × (key length u32, canonical key, sort key length u32, sort key) then a record batch of
 * the n records: the JVM sends each record on as a Flink record with its keys).
 * CREDIT=6 (the worker reads the next input frame now: streamed-input.ts), AGGREGATES=7
 * (payload = a record batch of [name, aggregate] pairs: what a step's subtask aggregated in this
 * superstep; docs/iteration-aggregators.md). Records of a keyed input arrive as ordinary batches
 * the JVM assembled.
 */
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import type { KeySpec, SortKey } from '../../plan/nodes.ts';
import type { OutputSpec } from '../../optimizer/exchanges.ts';
import type { ShippedCode } from '../../serde/closures/index.ts';
import type { NativeHeadStrategy } from './native-heads.ts';

export const IN_DATA = 1;
export const IN_END = 2;
export const IN_TASK = 3;
export const OUT_BATCH = 1;
export const OUT_SIDE = 2;
export const OUT_ERROR = 3;
export const OUT_DONE = 4;
export const OUT_KEYED = 5;
export const OUT_CREDIT = 6;
export const OUT_AGGREGATES = 7;

/** An input slot of a task: a regular input (by index) or a broadcast set (by name). */
export type FlinkSlot = { readonly kind: 'input'; readonly index: number } | { readonly kind: 'broadcast'; readonly name: string };

/** An output of a task; `keyed`: its records go one by one with their canonical key (none: null) and sort key (plan-export.ts). */
export interface FlinkOutputSpec extends OutputSpec {
  readonly keyed?: { readonly keys: KeySpec | null; readonly sortKeys: readonly SortKey[] };
  /** A broadcast set Flink broadcasts (`withBroadcastSet`): each batch is sent once. */
  readonly flinkBroadcast?: boolean;
}

export interface FlinkTaskConfig {
  readonly slots: readonly FlinkSlot[];
  readonly outputs: readonly FlinkOutputSpec[];
  /** Flink ran the task's first operator: the strategy the worker runs it with instead (flink-operators.ts), else null. */
  readonly nativeHead: NativeHeadStrategy | null;
  /** Per subtask: file sink node id → the staging file it writes. */
  readonly sinkFiles: readonly Readonly<Record<number, string>>[];
  readonly invalidLinesNames: Readonly<Record<number, string>>;
}

/** `worker.json`: everything a Node worker needs to rebuild the job and run one task's subtask. */
export interface FlinkWorkerConfig {
  /**
   * The job's user code (serde/closures), which the worker rebuilds; it never runs the user's
   * script. Shipped to a remote cluster (code-bundle.ts), its modules are relocated
   * (`relocateModules`) relative to the folder the worker starts in: an ES module's URL becomes
   * a relative URL reference starting with `./` (`./app/lib/helper.ts`), a CommonJS file a
   * relative path without it (`app/lib/helper.cjs`, `node_modules/x/index.js`). The worker
   * turns them back into an absolute file URL and an absolute path against that folder before
   * it imports anything.
   */
  readonly code: ShippedCode;
  /** The client's working directory: the worker works there when it exists on its machine (relative data paths). */
  readonly clientCwd: string;
  readonly plan: PhysicalPlan;
  readonly objectReuse: boolean;
  readonly operatorMemoryBytes: number;
  /**
   * `task.timeout` in ms, or null: a subtask still running after that long is stopped (vm
   * timeout) and fails. On Flink the time includes waiting for input batches, which are pipelined.
   */
  readonly taskTimeoutMs: number | null;
  readonly tasks: Readonly<Record<string, FlinkTaskConfig>>;
}

/** Header of a side record; the payload (a record batch or encoded accumulators) follows it. */
export type SideHeader =
  | { readonly kind: 'result'; readonly resultId: string; readonly subtask: number; readonly count: number; readonly counted: boolean }
  | { readonly kind: 'printed'; readonly toError: boolean; readonly subtask: number; readonly lines: readonly string[] }
  | { readonly kind: 'accumulators'; readonly task: number; readonly subtask: number };

export function encodeSide(header: SideHeader, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(4 + json.length + payload.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  out.set(payload, 4 + json.length);
  return out;
}

export function decodeSide(bytes: Uint8Array): { header: SideHeader; payload: Uint8Array } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = b.readUInt32BE(0);
  return { header: JSON.parse(b.subarray(4, 4 + n).toString('utf8')) as SideHeader, payload: bytes.subarray(4 + n) };
}
