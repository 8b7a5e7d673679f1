/**
 * What a job did, live and at its end: per task (a chain of operators, as Flink's web UI shows a
 * job vertex) and per subtask, records and bytes in and out, time, spilled bytes, and a source's
 * bytes read of its total; the job's retries and failures. The engines report into a
 * `JobMonitor` (deltas, gathered per batch of records, never per record); the progress display,
 * the run report and the dashboard read its snapshots.
 *
 * This module imports nothing of the engines: the runtime, the runners, the API and the CLI all
 * use it.
 */
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';

export type SubtaskState = 'waiting' | 'running' | 'finished' | 'failed';

export interface SubtaskFigures {
  state: SubtaskState;
  /** 1-based attempt of the job this subtask last ran in. */
  attempt: number;
  recordsIn: number;
  recordsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Wall time from its start to its end (or now, while it runs). */
  wallMs: number;
  /** Time its thread was busy running it (the embedded engine's subtasks run synchronously, so this is their CPU time plus blocking reads). */
  cpuMs: number;
  spilledBytes: number;
  startedAt: number | null;
  endedAt: number | null;
}

export interface OperatorInfo {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  readonly strategy: string;
}

export interface TaskFigures {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly operators: readonly OperatorInfo[];
  readonly subtasks: SubtaskFigures[];
  /** For a file source: bytes read so far of the input's total (null when unknown, as for stdin). */
  source: { bytesRead: number; bytesTotal: number | null } | null;
}

export interface EdgeInfo {
  readonly from: number;
  readonly to: number;
  /** FORWARD, HASH, BROADCAST, … or `broadcast set <name>`. */
  readonly ship: string;
}

export interface FailureInfo {
  readonly task: string;
  readonly subtask: number | null;
  readonly attempt: number;
  readonly error: string;
  readonly at: number;
}

export type JobState = 'RUNNING' | 'FINISHED' | 'FAILED';

export interface JobFigures {
  readonly jobName: string;
  readonly target: 'local' | 'flink';
  state: JobState;
  readonly startedAt: number;
  endedAt: number | null;
  readonly tasks: TaskFigures[];
  readonly edges: readonly EdgeInfo[];
  /** Attempts after the first (setNumberOfExecutionRetries). */
  retries: number;
  readonly failures: FailureInfo[];
  accumulators: Record<string, unknown>;
  /** On the Flink target: the job's page in Flink's own web UI. */
  flinkWebUi: string | null;
}

/** What an engine adds to a subtask's figures (each a delta since its last report). */
export interface FiguresDelta {
  readonly recordsIn?: number;
  readonly recordsOut?: number;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  readonly spilledBytes?: number;
  readonly sourceBytesRead?: number;
}

/** Sums of a task's subtasks, and its skew: the largest and the median subtask's records in. */
export function taskTotals(task: TaskFigures): {
  recordsIn: number;
  recordsOut: number;
  bytesIn: number;
  bytesOut: number;
  cpuMs: number;
  wallMs: number;
  spilledBytes: number;
  largest: number;
  median: number;
} {
  const t = { recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0, cpuMs: 0, wallMs: 0, spilledBytes: 0, largest: 0, median: 0 };
  let first: number | null = null;
  let last: number | null = null;
  for (const s of task.subtasks) {
    t.recordsIn += s.recordsIn;
    t.recordsOut += s.recordsOut;
    t.bytesIn += s.bytesIn;
    t.bytesOut += s.bytesOut;
    t.cpuMs += s.cpuMs;
    t.spilledBytes += s.spilledBytes;
    if (s.startedAt !== null) first = first === null ? s.startedAt : Math.min(first, s.startedAt);
    const end = s.endedAt ?? (s.startedAt !== null ? s.startedAt + s.wallMs : null);
    if (end !== null) last = last === null ? end : Math.max(last, end);
  }
  t.wallMs = first !== null && last !== null ? last - first : 0;
  const sizes = task.subtasks.map((s) => (task.source !== null ? s.recordsOut : s.recordsIn)).sort((a, b) => a - b);
  t.largest = sizes.length > 0 ? sizes[sizes.length - 1]! : 0;
  t.median = sizes.length > 0 ? (sizes.length % 2 === 1 ? sizes[(sizes.length - 1) / 2]! : (sizes[sizes.length / 2 - 1]! + sizes[sizes.length / 2]!) / 2) : 0;
  return t;
}

/** A task's state from its subtasks': failed if one failed, finished when all have, running while one runs, else waiting. */
export function taskState(task: TaskFigures): SubtaskState {
  if (task.subtasks.some((s) => s.state === 'failed')) return 'failed';
  if (task.subtasks.every((s) => s.state === 'finished')) return 'finished';
  return task.subtasks.some((s) => s.state === 'running') ? 'running' : 'waiting';
}

type Listener = (figures: JobFigures) => void;

/**
 * Gathers a job's figures as its engine reports them. Listeners get a snapshot at most every
 * `intervalMs` while the job runs, and one at its end.
 */
export class JobMonitor {
  readonly figures: JobFigures;
  private readonly listeners: Listener[] = [];
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private emittedAt = 0;

  constructor(plan: PhysicalPlan, target: 'local' | 'flink', intervalMs = 500) {
    this.intervalMs = intervalMs;
    const now = Date.now();
    this.figures = {
      jobName: plan.jobName,
      target,
      state: 'RUNNING',
      startedAt: now,
      endedAt: null,
      tasks: plan.tasks.map((t) => ({
        id: t.id,
        name: t.name,
        parallelism: t.parallelism,
        operators: t.operators.map((o) => ({ id: o.node.id, name: o.node.name, kind: o.node.params.kind, strategy: o.strategy })),
        subtasks: Array.from({ length: t.parallelism }, () => ({
          state: 'waiting' as SubtaskState,
          attempt: 1,
          recordsIn: 0,
          recordsOut: 0,
          bytesIn: 0,
          bytesOut: 0,
          wallMs: 0,
          cpuMs: 0,
          spilledBytes: 0,
          startedAt: null,
          endedAt: null,
        })),
        source: t.operators[0]!.strategy === 'SOURCE' ? { bytesRead: 0, bytesTotal: null } : null,
      })),
      edges: plan.tasks.flatMap((t) => [
        ...t.inputs.map((i) => ({ from: i.fromTask, to: t.id, ship: i.ship })),
        ...t.broadcastInputs.map((b) => ({ from: b.fromTask, to: t.id, ship: `broadcast set ${b.name}` })),
      ]),
      retries: 0,
      failures: [],
      accumulators: {},
      flinkWebUi: null,
    };
  }

  /** Calls `listener` with snapshots while the job runs (at most every intervalMs) and at its end. */
  onUpdate(listener: Listener): void {
    this.listeners.push(listener);
    if (this.timer === null && this.figures.state === 'RUNNING') {
      this.timer = setInterval(() => this.emit(), this.intervalMs);
      this.timer.unref();
    }
  }

  private task(taskId: number): TaskFigures | undefined {
    return this.figures.tasks.find((t) => t.id === taskId);
  }

  /** A source's input size, once its files are known. */
  sourceTotal(taskId: number, bytes: number | null): void {
    const t = this.task(taskId);
    if (t?.source) t.source.bytesTotal = bytes;
  }

  subtaskStarted(taskId: number, subtask: number, attempt: number): void {
    const s = this.task(taskId)?.subtasks[subtask];
    if (s === undefined) return;
    if (s.attempt !== attempt) Object.assign(s, { recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0, spilledBytes: 0, cpuMs: 0 });
    s.attempt = attempt;
    s.state = 'running';
    // A subtask that runs again (each superstep of an iteration) keeps its first start.
    s.startedAt ??= Date.now();
    s.endedAt = null;
  }

  add(taskId: number, subtask: number, delta: FiguresDelta): void {
    const t = this.task(taskId);
    const s = t?.subtasks[subtask];
    if (s === undefined) return;
    if (delta.recordsIn !== undefined) s.recordsIn += delta.recordsIn;
    if (delta.recordsOut !== undefined) s.recordsOut += delta.recordsOut;
    if (delta.bytesIn !== undefined) s.bytesIn += delta.bytesIn;
    if (delta.bytesOut !== undefined) s.bytesOut += delta.bytesOut;
    if (delta.spilledBytes !== undefined) s.spilledBytes += delta.spilledBytes;
    if (delta.sourceBytesRead !== undefined && t!.source !== null) t!.source.bytesRead += delta.sourceBytesRead;
  }

  subtaskEnded(taskId: number, subtask: number, ok: boolean, cpuMs: number, error?: string): void {
    const t = this.task(taskId);
    const s = t?.subtasks[subtask];
    if (s === undefined) return;
    const now = Date.now();
    s.state = ok ? 'finished' : 'failed';
    s.cpuMs += cpuMs;
    s.endedAt = now;
    s.wallMs = now - (s.startedAt ?? now);
    if (!ok && error !== undefined) this.figures.failures.push({ task: t!.name, subtask, attempt: s.attempt, error, at: now });
  }

  /** A failure of the job (or an attempt) not tied to one subtask. */
  failed(error: string, attempt: number, task = ''): void {
    this.figures.failures.push({ task, subtask: null, attempt, error, at: Date.now() });
  }

  retried(): void {
    this.figures.retries++;
  }

  /** The job's end: every listener gets the final figures. */
  ended(ok: boolean, accumulators: Record<string, unknown>): void {
    const now = Date.now();
    this.figures.state = ok ? 'FINISHED' : 'FAILED';
    this.figures.endedAt = now;
    this.figures.accumulators = accumulators;
    for (const t of this.figures.tasks)
      for (const s of t.subtasks) if (s.state === 'running') Object.assign(s, { state: ok ? 'finished' : 'failed', endedAt: now, wallMs: now - (s.startedAt ?? now) });
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.emit();
  }

  /**
   * The engine's thread is busy running a subtask synchronously (the timer cannot fire): the
   * listeners get a snapshot now if the last was at least intervalMs ago.
   */
  tick(): void {
    if (this.figures.state === 'RUNNING' && Date.now() - this.emittedAt >= this.intervalMs) this.emit();
  }

  /** A copy of the figures as they are now (running subtasks' wall time up to now). */
  snapshot(): JobFigures {
    const copy = structuredClone(this.figures);
    const now = Date.now();
    for (const t of copy.tasks) for (const s of t.subtasks) if (s.state === 'running' && s.startedAt !== null) s.wallMs = now - s.startedAt;
    return copy;
  }

  private emit(): void {
    if (this.listeners.length === 0) return;
    this.emittedAt = Date.now();
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap);
  }
}
