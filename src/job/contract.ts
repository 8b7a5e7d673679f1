/**
 * The runner contract: what a runner (the embedded engine, or Flink) needs to run a physical
 * plan, and what it returns. Runners see the physical plan and the user-object table, never API
 * objects. The runtime and the runners import this module; it imports neither.
 */
import type { JobMonitor } from '../metrics/job-figures.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import type { TypeRegistry } from '../serde/type-registry.ts';

export interface JobResources {
  /** Functions, key selectors and collection data the plan names by id. */
  readonly userObjects: ReadonlyMap<string, unknown>;
  readonly types: TypeRegistry;
  /** `enableObjectReuse()`: the user promises not to mutate emitted or received elements. */
  readonly objectReuse: boolean;
  /** Attempts after the first failure before the job fails. */
  readonly retries: number;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** `taskmanager.memory`: what the engine may hold in memory before it spills. */
  readonly memoryBytes: number;
  /** Where spill files go. */
  readonly tmpDir: string;
  /** What the operators of one subtask may hold before they spill (default: half of `memoryBytes`). */
  readonly operatorMemoryBytes?: number;
  /** `task.timeout`: a subtask still running after this many milliseconds fails its attempt; absent or null: no limit. */
  readonly taskTimeoutMs?: number | null;
  /** `registerCachedFile`: name → absolute path. */
  readonly cachedFiles?: Readonly<Record<string, string>>;
  /** `taskmanager.worker.heap`: each worker thread's heap limit in MiB; absent or null: V8's default. */
  readonly workerHeapMb?: number | null;
  /** Where the runner reports the job's figures (records, bytes, time per subtask); absent: nobody asked. */
  readonly monitor?: JobMonitor;
}

export interface JobOutcome {
  readonly netRuntimeMs: number;
  readonly accumulators: Readonly<Record<string, unknown>>;
  /** What `collect()`/`count()` sinks gathered, by their result id. */
  readonly results: ReadonlyMap<string, unknown[] | number>;
}

export interface Runner {
  run(plan: PhysicalPlan, resources: JobResources): Promise<JobOutcome>;
}
