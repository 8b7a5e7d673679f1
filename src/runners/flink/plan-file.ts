/**
 * flink-plan.json, the plan file this client writes (plan-export.ts) for the JVM plan binder:
 * the TypeScript side of one schema whose Java side is
 * flink-runner/src/main/java/tsflink/flink/PlanFile.java, records that mirror these interfaces
 * one for one (same names, same fields; `FlinkPlanTask` is `PlanFile.Task`, `FlinkIteration`
 * `PlanFile.Iteration`, and so on). A change here is a change there, a new `version` and a new
 * shared vector (test/vectors/flink-plan.json: test/runners/plan-vectors.test.ts checks the
 * export against it, PlanFileTest binds it).
 *
 * The binder refuses a file of another version, and, of this one, a missing property, an unknown
 * one and a null where the schema has none: every field is always written, the nullable ones
 * (`native`, `criterion`, `ship`) as null.
 */
import type { ShipSpec } from './code-bundle.ts';
import type { NativeOperator } from './flink-operators.ts';

/** The format's version: PlanFile.VERSION on the Java side. */
export const FLINK_PLAN_VERSION = 1;

export interface FlinkPlanFile {
  readonly version: typeof FLINK_PLAN_VERSION;
  readonly jobName: string;
  /** Retries of each subtask before the job fails (0: none). */
  readonly retries: number;
  /** How the Node workers are started. */
  readonly worker: { readonly command: readonly string[]; readonly env: Readonly<Record<string, string>>; readonly cwd: string };
  /** In topological order. */
  readonly tasks: readonly FlinkPlanTask[];
  readonly iterations: readonly FlinkIteration[];
  /** On a remote cluster: the code shipped with the job (code-bundle.ts; PlanFile.Ship). Null on the MiniCluster. */
  readonly ship: ShipSpec | null;
}

export interface FlinkPlanTask {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  /** Has a collect() or output() sink: its side records travel as records of the job's result (others' as an accumulator). */
  readonly side: boolean;
  /** Its slots: its regular inputs in order, then its broadcast sets. */
  readonly inputs: readonly FlinkPlanInput[];
  /** The operator Flink runs in front of the task's Node worker, if any (plan-export.ts; PlanFile.Native, by `kind`). */
  readonly native: NativeOperator | null;
}

export interface FlinkPlanInput {
  readonly task: number;
  /** The producer's output index: the position of the exchange among the producer's outputs. */
  readonly output: number;
  /**
   * How the input travels: `batches` routed to the subtask tsflink's partitioner chose; one
   * Flink record per tsflink record, `keyed` (with its canonical key and sort key: Flink
   * partitions it by the key) or `single` (Flink rebalances it) — or, with `native`, as Flink's
   * operator takes it; a broadcast set's batches once each, which Flink broadcasts (`broadcast`).
   */
  readonly records: 'batches' | 'keyed' | 'single' | 'broadcast';
}

/** An exchange as its producer's output (PlanFile.ExchangeRef). */
export interface ExchangeRef {
  readonly task: number;
  readonly output: number;
}

export interface FlinkIteration {
  readonly name: string;
  readonly maxIterations: number;
  /** Its step's tasks: the first is where the Flink iteration opens, the last where it closes. */
  readonly tasks: readonly number[];
  readonly heads: readonly FlinkIterationHead[];
  /** The exchange whose emptiness ends the iteration (a delta iteration's new workset), or null. */
  readonly criterion: ExchangeRef | null;
  /** The task that reads the iteration's result. */
  readonly result: number;
  /** Registered aggregators: the step's workers send their aggregates each superstep. */
  readonly aggregators: boolean;
  /** A convergence criterion: PlanBinder adds the check task that decides whether the iteration goes on. */
  readonly convergence: boolean;
}

/** A head of an iteration, fed by `initial` in the first superstep and by `feedback` in the others. */
export interface FlinkIterationHead {
  readonly task: number;
  readonly initial: ExchangeRef;
  readonly feedback: ExchangeRef;
}
