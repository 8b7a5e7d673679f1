/**
 * The Flink target's figures: what Flink's REST API reports of the job's vertices, polled every
 * ~500 ms while the job runs and once more at its end, reported into the job's `JobMonitor` per
 * tsflink task and subtask.
 *
 * The plan binder writes `flink-job.json` (the job id and the REST address: the MiniCluster's own
 * endpoint, or the cluster's `--jobmanager`) into the job folder once the job is submitted. Each
 * tsflink task is one `mapPartition` named after it (PlanBinder.bind), so a vertex runs the tasks
 * whose `MapPartition (<name>)` its name holds (a vertex chains several Flink operators: the
 * task's input maps, its output filters). `GET /jobs/<id>` lists the vertices, and
 * `GET /jobs/<id>/vertices/<vertex>` gives each subtask's status, attempt, times and absolute
 * read/write records and bytes, of which the monitor gets the deltas.
 *
 * Flink counts only what crosses between its vertices, and its records are tsflink's `Rec`s: a
 * batch of many records, or one keyed record (PlanBinder's exchanges). A source's vertex reads
 * nothing but its trigger (not reported); a task's records out are what its vertex sends on,
 * side records for the client included.
 *
 * Once Flink reports the job ended, the client writes `figures-read`: the binder keeps its
 * MiniCluster (and so its REST endpoint) up until then (PlanBinder.awaitFiguresRead).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobMonitor } from '../../metrics/job-figures.ts';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';

const POLL_MS = 500;
const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

interface JobInfo {
  readonly jobId: string;
  readonly restAddress: string;
}

interface FlinkVertex {
  readonly id: string;
  readonly name: string;
}

interface FlinkSubtask {
  readonly subtask: number;
  readonly status: string;
  readonly attempt: number;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly metrics?: Readonly<Record<string, number | boolean | string>>;
  readonly 'status-duration'?: Readonly<Record<string, number>>;
}

interface Absolute {
  attempt: number;
  recordsIn: number;
  recordsOut: number;
  bytesIn: number;
  bytesOut: number;
  started: boolean;
  ended: boolean;
}

/** The job's page in Flink's web UI (its Angular routes: `#/job/running/<id>` and `#/job/completed/<id>`). */
export function flinkWebUiLink(restAddress: string, jobId: string, ended: boolean): string {
  return `${restAddress.replace(/\/+$/, '')}/#/job/${ended ? 'completed' : 'running'}/${jobId}/overview`;
}

/** The tsflink tasks a vertex runs, in the order its name chains them. */
export function tasksOfVertex(vertexName: string, tasks: readonly { readonly id: number; readonly name: string }[]): number[] {
  return tasks
    .map((t) => ({ id: t.id, at: vertexName.indexOf(`MapPartition (${t.name})`) }))
    .filter((t) => t.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((t) => t.id);
}

export class FlinkFigures {
  private readonly plan: PhysicalPlan;
  private readonly monitor: JobMonitor;
  private readonly jobDir: string;
  private info: JobInfo | null = null;
  private readonly vertexTasks = new Map<string, number[]>();
  private readonly absolute = new Map<string, Absolute>();
  private maxAttempt = 0;
  private ended = false;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> = Promise.resolve();

  constructor(plan: PhysicalPlan, monitor: JobMonitor, jobDir: string) {
    this.plan = plan;
    this.monitor = monitor;
    this.jobDir = jobDir;
  }

  start(): void {
    this.timer = setInterval(() => this.schedule(), POLL_MS);
    this.timer.unref();
  }

  /** After the binder has exited: the last poll (on a standalone cluster the job is still there to ask). */
  async finish(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
    if (!this.ended) {
      this.schedule();
      await this.polling;
    }
  }

  private schedule(): void {
    // One poll at a time: a slow answer delays the next poll rather than overlapping it.
    this.polling = this.polling.then(() => this.poll().catch(() => {}));
  }

  private async poll(): Promise<void> {
    if (this.ended) return;
    const info = this.jobInfo();
    if (info === null) return;
    const job = (await getJson(`${info.restAddress}/jobs/${info.jobId}`)) as { state: string; vertices: FlinkVertex[] };
    const ended = TERMINAL.has(job.state);
    for (const v of job.vertices) {
      let tasks = this.vertexTasks.get(v.id);
      if (tasks === undefined) this.vertexTasks.set(v.id, (tasks = tasksOfVertex(v.name, this.plan.tasks)));
      if (tasks.length === 0) continue;
      const detail = (await getJson(`${info.restAddress}/jobs/${info.jobId}/vertices/${v.id}`)) as { subtasks: FlinkSubtask[] };
      for (const s of detail.subtasks) this.report(tasks, s);
    }
    if (ended) {
      this.ended = true;
      this.monitor.figures.flinkWebUi = flinkWebUiLink(info.restAddress, info.jobId, true);
      // The binder's MiniCluster may go now.
      writeFileSync(join(this.jobDir, 'figures-read'), '');
    }
  }

  private jobInfo(): JobInfo | null {
    if (this.info === null) {
      const path = join(this.jobDir, 'flink-job.json');
      if (!existsSync(path)) return null;
      this.info = JSON.parse(readFileSync(path, 'utf8')) as JobInfo;
      this.monitor.figures.flinkWebUi = flinkWebUiLink(this.info.restAddress, this.info.jobId, false);
    }
    return this.info;
  }

  /** One Flink subtask's figures into the tasks its vertex runs: records in to the first, out of the last. */
  private report(tasks: readonly number[], s: FlinkSubtask): void {
    if (s.status === 'CREATED' || s.status === 'SCHEDULED' || s.status === 'DEPLOYING') return;
    const m = s.metrics ?? {};
    const num = (k: string): number => (typeof m[k] === 'number' && Number.isFinite(m[k]) ? (m[k] as number) : 0);
    if (s.attempt > this.maxAttempt) {
      // A failover restarts the job's subtasks with the next attempt: one retry of the job.
      for (let a = this.maxAttempt; a < s.attempt; a++) this.monitor.retried();
      this.maxAttempt = s.attempt;
    }
    for (const [k, taskId] of tasks.entries()) {
      const first = k === 0;
      const last = k === tasks.length - 1;
      const source = this.plan.tasks.find((t) => t.id === taskId)?.inputs.length === 0;
      const key = `${taskId}/${s.subtask}`;
      let abs = this.absolute.get(key);
      if (abs === undefined || abs.attempt !== s.attempt) {
        abs = { attempt: s.attempt, recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0, started: false, ended: false };
        this.absolute.set(key, abs);
      }
      if (abs.ended) continue;
      if (!abs.started) {
        this.monitor.subtaskStarted(taskId, s.subtask, s.attempt + 1);
        abs.started = true;
      }
      const now = {
        recordsIn: first && !source ? num('read-records') : 0,
        recordsOut: last ? num('write-records') : 0,
        bytesIn: first && !source ? num('read-bytes') : 0,
        bytesOut: last ? num('write-bytes') : 0,
      };
      const delta = { recordsIn: now.recordsIn - abs.recordsIn, recordsOut: now.recordsOut - abs.recordsOut, bytesIn: now.bytesIn - abs.bytesIn, bytesOut: now.bytesOut - abs.bytesOut };
      if (delta.recordsIn !== 0 || delta.recordsOut !== 0 || delta.bytesIn !== 0 || delta.bytesOut !== 0) this.monitor.add(taskId, s.subtask, delta);
      Object.assign(abs, now);
      const done = s.status === 'FINISHED' || s.status === 'FAILED' || s.status === 'CANCELED';
      if (done) {
        abs.ended = true;
        // Flink reports a DataSet task's busy time as "NaN": then its time RUNNING (the task
        // thread's, waits for input included, as the embedded engine's cpuMs includes blocking reads).
        const busy = num('accumulated-busy-time') || (s['status-duration']?.RUNNING ?? 0);
        this.monitor.subtaskEnded(taskId, s.subtask, s.status === 'FINISHED', busy, s.status === 'FAILED' ? `subtask ${s.subtask} failed on Flink (attempt ${s.attempt + 1})` : undefined);
      }
      this.flinkTimes(taskId, s);
    }
  }

  /** Flink's own start and end of the subtask rather than when a poll first saw them. */
  private flinkTimes(taskId: number, s: FlinkSubtask): void {
    const fig = this.monitor.figures.tasks.find((t) => t.id === taskId)?.subtasks[s.subtask];
    if (fig === undefined || s['start-time'] <= 0) return;
    fig.startedAt = s['start-time'];
    if (fig.endedAt !== null && s['end-time'] > 0) {
      fig.endedAt = s['end-time'];
      fig.wallMs = s['end-time'] - s['start-time'];
    }
  }
}

async function getJson(url: string): Promise<unknown> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
  return r.json();
}
