/**
 * The sinks' side of a job, kept by whoever coordinates it: output committers (staging files,
 * commit on success, abort on failure), the results of collect()/count(), the lines of output().
 */
import { isFileSink } from '../plan/nodes.ts';
import { TaskError, TsflinkError } from '../errors/index.ts';
import { parentPath } from '../io/fs/file-system.ts';
import { resolvePath } from '../io/input-files.ts';
import { OutputCommitter } from '../io/output-committer.ts';
import { STDIO_PATH, StdoutStaging } from '../io/stdio.ts';
import { sweepStale } from '../io/stale-files.ts';
import type { PhysicalPlan, Task } from '../optimizer/physical-plan.ts';
import type { JobResources } from '../job/contract.ts';
import type { JobServices } from './job-services.ts';

/** Sinks' side of the job: output committers, results for collect/count, lines for output(). */
export class JobSinks implements JobServices {
  readonly results = new Map<string, unknown[] | number>();
  private readonly committers = new Map<number, OutputCommitter | StdoutStaging>();
  private readonly printed: { toError: boolean; subtask: number; lines: string[] }[] = [];
  private readonly partial = new Map<string, (unknown[] | number)[]>();
  private readonly lineSources: { id: number; name: string }[] = [];

  /**
   * Prepares every file sink's staging (and takes its lock); on failure, what was prepared is
   * removed again. A `-` sink (stdout) stages in `tmpDir` (io.tmp.dirs).
   */
  constructor(plan: PhysicalPlan, jobId: string, tmpDir: string) {
    try {
      for (const task of plan.tasks) {
        for (const op of task.operators) {
          const p = op.node.params;
          if (isFileSink(p)) {
            const c = p.path === STDIO_PATH ? new StdoutStaging(task.parallelism, tmpDir, jobId) : new OutputCommitter(p.path, task.parallelism, p.writeMode, jobId);
            this.committers.set(op.node.id, c);
            try {
              c.prepare();
            } catch (e) {
              if (e instanceof TsflinkError) throw e;
              throw new TaskError(op.node.name, `cannot prepare output '${p.path}' (staging ${c.staging}): ${(e as Error).message}`, { cause: e });
            }
          }
          if ((p.kind === 'CsvSource' && p.options.ignoreInvalidLines) || (p.kind === 'TextSource' && p.json?.ignoreInvalidLines === true))
            this.lineSources.push({ id: op.node.id, name: op.node.name });
        }
      }
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Every folder a file sink of the plan writes next to (its target's parent). */
  static targetParents(plan: PhysicalPlan): string[] {
    const dirs = new Set<string>();
    for (const task of plan.tasks) {
      for (const op of task.operators) {
        const p = op.node.params;
        if (isFileSink(p) && p.path !== STDIO_PATH) dirs.add(parentPath(resolvePath(p.path)));
      }
    }
    return [...dirs];
  }

  sinkFile(nodeId: number, subtask: number): string {
    return this.committers.get(nodeId)!.fileForSubtask(subtask);
  }

  /** The staging file of every file sink in a task, by node id, for one subtask. */
  sinkFilesOf(task: Task, subtask: number): Record<number, string> {
    const files: Record<number, string> = {};
    for (const op of task.operators) {
      if (isFileSink(op.node.params)) files[op.node.id] = this.sinkFile(op.node.id, subtask);
    }
    return files;
  }

  /** The accumulator that counts skipped lines, for every CSV or JSON source in a task, by node id. */
  invalidLinesNamesOf(task: Task): Record<number, string> {
    const names: Record<number, string> = {};
    for (const op of task.operators) {
      const p = op.node.params;
      if (p.kind === 'CsvSource' || (p.kind === 'TextSource' && p.json !== undefined)) names[op.node.id] = this.invalidLinesAccumulator(op.node.id);
    }
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
    if (this.lineSources.length <= 1) return 'invalidLines';
    return `invalidLines:${this.lineSources.find((s) => s.id === nodeId)!.name}`;
  }

  commit(): void {
    for (const c of this.committers.values()) c.commit();
    for (const [id, parts] of this.partial) {
      if (typeof parts.find((p) => p !== undefined) === 'number')
        this.results.set(
          id,
          parts.reduce<number>((a, p) => a + ((p as number) ?? 0), 0),
        );
      else
        this.results.set(
          id,
          parts.flatMap((p) => (p as unknown[]) ?? []),
        );
    }
  }

  /** Removes every staging area (a committed one is kept); the targets are left as they were. Never throws. */
  abort(): void {
    for (const c of this.committers.values()) {
      try {
        c.abort();
      } catch {
        // best effort: the next run's sweep removes what is left
      }
    }
  }

  /** Prints the lines of output() sinks, then the committed output of `-` sinks. */
  print(resources: JobResources): void {
    for (const p of this.printed) {
      if (p.lines.length === 0) continue;
      const text = `${p.lines.join('\n')}\n`;
      if (p.toError) resources.stderr(text);
      else resources.stdout(text);
    }
    for (const c of this.committers.values()) if (c instanceof StdoutStaging) c.writeTo(resources.stdout);
  }

  reportInvalidLines(accumulators: Record<string, unknown>, resources: JobResources): void {
    for (const s of this.lineSources) {
      const n = accumulators[this.invalidLinesAccumulator(s.id)];
      if (typeof n === 'number' && n > 0) resources.stderr(`tsflink: skipped ${n} invalid line${n === 1 ? '' : 's'} in ${s.name}\n`);
    }
  }
}

/**
 * Before a job starts: removes what runs that did not finish left (convention 2) in io.tmp.dirs
 * and next to every file sink's target, saying so on stderr.
 */
export function sweepBeforeJob(plan: PhysicalPlan, resources: JobResources): void {
  sweepStale(resources.tmpDir, resources.stderr);
  for (const dir of JobSinks.targetParents(plan)) sweepStale(dir, resources.stderr);
}
