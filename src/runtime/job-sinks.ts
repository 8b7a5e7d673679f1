/**
 * The sinks' side of a job, kept by whoever coordinates it: output committers (staging files,
 * commit on success, abort on failure), the results of collect()/count(), the lines of output().
 */
import { OutputCommitter } from '../io/output-committer.ts';
import type { PhysicalPlan, Task } from '../optimizer/physical-plan.ts';
import type { JobResources } from '../runners/runner.ts';
import type { JobServices } from './job-services.ts';

/** Sinks' side of the job: output committers, results for collect/count, lines for output(). */
export class JobSinks implements JobServices {
  readonly results = new Map<string, unknown[] | number>();
  private readonly committers = new Map<number, OutputCommitter>();
  private readonly printed: { toError: boolean; subtask: number; lines: string[] }[] = [];
  private readonly partial = new Map<string, (unknown[] | number)[]>();
  private readonly csvSources: { id: number; name: string }[] = [];

  constructor(plan: PhysicalPlan, jobId: string) {
    for (const task of plan.tasks) {
      for (const op of task.operators) {
        const p = op.node.params;
        if (p.kind === 'TextSink' || p.kind === 'CsvSink') {
          const c = new OutputCommitter(p.path, task.parallelism, p.writeMode, jobId);
          c.prepare();
          this.committers.set(op.node.id, c);
        }
        if (p.kind === 'CsvSource' && p.options.ignoreInvalidLines) this.csvSources.push({ id: op.node.id, name: op.node.name });
      }
    }
  }

  sinkFile(nodeId: number, subtask: number): string {
    return this.committers.get(nodeId)!.fileForSubtask(subtask);
  }

  /** The staging file of every file sink in a task, by node id, for one subtask. */
  sinkFilesOf(task: Task, subtask: number): Record<number, string> {
    const files: Record<number, string> = {};
    for (const op of task.operators) {
      const k = op.node.params.kind;
      if (k === 'TextSink' || k === 'CsvSink') files[op.node.id] = this.sinkFile(op.node.id, subtask);
    }
    return files;
  }

  /** The accumulator that counts skipped lines, for every CSV source in a task, by node id. */
  invalidLinesNamesOf(task: Task): Record<number, string> {
    const names: Record<number, string> = {};
    for (const op of task.operators) if (op.node.params.kind === 'CsvSource') names[op.node.id] = this.invalidLinesAccumulator(op.node.id);
    return names;
  }

  addResult(resultId: string, subtask: number, value: unknown[] | number): void {
    let parts = this.partial.get(resultId);
    if (!parts) this.partial.set(resultId, (parts = []));
    parts[subtask] = value;
  }

  addPrinted(toError: boolean, subtask: number, lines: string[]): void {
    this.printed.push({ toError, subtask, lines });
  }

  invalidLinesAccumulator(nodeId: number): string {
    if (this.csvSources.length <= 1) return 'invalidLines';
    return `invalidLines:${this.csvSources.find((s) => s.id === nodeId)!.name}`;
  }

  commit(): void {
    for (const c of this.committers.values()) c.commit();
    for (const [id, parts] of this.partial) {
      if (typeof parts.find((p) => p !== undefined) === 'number') this.results.set(id, parts.reduce<number>((a, p) => a + ((p as number) ?? 0), 0));
      else this.results.set(id, parts.flatMap((p) => (p as unknown[]) ?? []));
    }
  }

  abort(): void {
    for (const c of this.committers.values()) c.abort();
  }

  print(resources: JobResources): void {
    for (const p of this.printed) {
      if (p.lines.length === 0) continue;
      const text = `${p.lines.join('\n')}\n`;
      if (p.toError) resources.stderr(text);
      else resources.stdout(text);
    }
  }

  reportInvalidLines(accumulators: Record<string, unknown>, resources: JobResources): void {
    for (const s of this.csvSources) {
      const n = accumulators[this.invalidLinesAccumulator(s.id)];
      if (typeof n === 'number' && n > 0) resources.stderr(`tsflink: skipped ${n} invalid line${n === 1 ? '' : 's'} in ${s.name}\n`);
    }
  }
}
