/**
 * `tsflink run`'s live progress, on stderr (stdout stays the program's): per task, records in
 * and out, records per second, and for a file source the bytes read of the total with an ETA.
 * On a terminal a live display (cli-progress: a well-kept multi-bar library; it redraws from the
 * monitor's snapshots, twice a second, never per record), else a plain line every few seconds
 * while a job runs. `--quiet` shows none.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import { type JobFigures, type JobMonitor, type TaskFigures, taskState, taskTotals } from './job-figures.ts';
import { formatBytes as bytes, formatCount as count } from './run-report.ts';

export interface ProgressOptions {
  /** Where the display goes (process.stderr). */
  readonly stream: NodeJS.WriteStream;
  /** A live display (a terminal) or plain lines. */
  readonly live: boolean;
  /** Plain lines: every this many milliseconds. */
  readonly lineEveryMs?: number;
}

type Listener = (f: JobFigures) => void;

/** Shows a job's progress until it ends. */
export function showProgress(monitor: JobMonitor, options: ProgressOptions): void {
  const listen = process.env.TSFLINK_PROGRESS_COST === '1' ? timed(monitor, options.stream) : (l: Listener) => monitor.onUpdate(l);
  if (options.live) liveDisplay(listen, options.stream);
  else plainLines(listen, options.stream, options.lineEveryMs ?? 3000, monitor.figures.startedAt);
}

/**
 * TSFLINK_PROGRESS_COST=1 (the `progress` benchmark): the display's own time in this thread,
 * summed over its redraws, is printed when the job ends — what it costs the job, measured
 * directly rather than as the difference of two noisy runs.
 */
function timed(monitor: JobMonitor, stream: NodeJS.WriteStream): (listener: Listener) => void {
  let ms = 0;
  let redraws = 0;
  return (listener) =>
    monitor.onUpdate((f) => {
      const start = performance.now();
      listener(f);
      ms += performance.now() - start;
      redraws++;
      if (f.state !== 'RUNNING') stream.write(`tsflink: the progress display took ${ms.toFixed(1)} ms in ${redraws} updates of a ${seconds((f.endedAt ?? Date.now()) - f.startedAt)} job\n`);
    });
}

function liveDisplay(listen: (listener: Listener) => void, stream: NodeJS.WriteStream): void {
  const multi = new MultiBar(
    {
      stream,
      format: ' {bar} {percentage}% | {task} | {figures}',
      barsize: 20,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      // The monitor's snapshots pace the redraws.
      noTTYOutput: false,
      fps: 2,
      autopadding: true,
    },
    { barCompleteChar: '█', barIncompleteChar: '░', format: '' },
  );
  const bars = new Map<number, SingleBar>();
  let last: { at: number; records: Map<number, number> } | null = null;
  listen((f) => {
    const now = Date.now();
    for (const task of f.tasks) {
      const line = describeTask(task, f, last === null ? null : { ms: now - last.at, records: last.records.get(task.id) ?? 0 });
      let bar = bars.get(task.id);
      if (bar === undefined) bars.set(task.id, (bar = multi.create(100, 0, line.payload)));
      bar.update(line.percent, line.payload);
    }
    last = { at: now, records: new Map(f.tasks.map((t) => [t.id, taskTotals(t).recordsOut] as const)) };
    // Redrawn now: a snapshot may come from inside a synchronous subtask (JobMonitor.tick), when
    // cli-progress's own timer cannot fire.
    if (f.state === 'RUNNING') multi.update();
    else {
      multi.stop();
      stream.write(`${summary(f)}\n`);
    }
  });
}

function plainLines(listen: (listener: Listener) => void, stream: NodeJS.WriteStream, everyMs: number, startedAt: number): void {
  let next = startedAt + everyMs;
  let last: { at: number; records: Map<number, number> } | null = null;
  listen((f) => {
    const now = Date.now();
    if (f.state === 'RUNNING' && now >= next) {
      next = now + everyMs;
      const parts = f.tasks
        .filter((t) => t.subtasks.some((s) => s.state !== 'waiting'))
        .map((t) => {
          const d = describeTask(t, f, last === null ? null : { ms: now - last.at, records: last.records.get(t.id) ?? 0 });
          return `${d.payload.task}: ${d.payload.figures}`;
        });
      stream.write(`tsflink: ${f.jobName} ${seconds(now - f.startedAt)}: ${parts.join('; ')}\n`);
      last = { at: now, records: new Map(f.tasks.map((t) => [t.id, taskTotals(t).recordsOut] as const)) };
    }
    // A job that ran long enough to show progress says how it ended.
    if (f.state !== 'RUNNING' && last !== null) stream.write(`${summary(f)}\n`);
  });
}

/** A task's line: how far it is (a source: its bytes; others: finished subtasks) and its figures. */
function describeTask(task: TaskFigures, job: JobFigures, before: { ms: number; records: number } | null): { percent: number; payload: { task: string; figures: string } } {
  const t = taskTotals(task);
  const done = task.subtasks.filter((s) => s.state === 'finished').length;
  const failed = taskState(task) === 'failed';
  let percent = Math.round((100 * done) / Math.max(1, task.subtasks.length));
  const figures: string[] = [`${count(t.recordsIn)} in`, `${count(t.recordsOut)} out`];
  if (before !== null && before.ms > 0 && job.state === 'RUNNING' && done < task.subtasks.length) figures.push(`${count(((t.recordsOut - before.records) * 1000) / before.ms)} rec/s`);
  const src = task.source;
  if (src !== null && src.bytesTotal !== null && src.bytesTotal > 0) {
    percent = Math.min(100, Math.round((100 * src.bytesRead) / src.bytesTotal));
    figures.push(`${bytes(src.bytesRead)} of ${bytes(src.bytesTotal)}`);
    const elapsed = Date.now() - job.startedAt;
    if (job.state === 'RUNNING' && src.bytesRead > 0 && src.bytesRead < src.bytesTotal) figures.push(`ETA ${seconds((elapsed * (src.bytesTotal - src.bytesRead)) / src.bytesRead)}`);
  }
  if (failed) figures.push('FAILED');
  else if (done === task.subtasks.length) percent = 100;
  const name = task.name.length > 40 ? `${task.name.slice(0, 39)}…` : task.name;
  return { percent, payload: { task: name, figures: figures.join(', ') } };
}

function summary(f: JobFigures): string {
  const ms = (f.endedAt ?? Date.now()) - f.startedAt;
  const records = f.tasks.reduce((n, t) => n + taskTotals(t).recordsOut, 0);
  const retries = f.retries > 0 ? `, ${f.retries} ${f.retries === 1 ? 'retry' : 'retries'}` : '';
  return `tsflink: ${f.jobName} ${f.state === 'FINISHED' ? 'finished' : 'failed'} in ${seconds(ms)} (${count(records)} records out of its tasks${retries})`;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
