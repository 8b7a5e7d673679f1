/**
 * Sources that read a stream (`-` for stdin, `/dev/stdin`, a named pipe: io/stdio.ts) cannot be
 * cut into splits nor read again by every subtask and retry: before the job starts, the client
 * reads each to its end into a file of io.tmp.dirs, and the job runs on a plan whose source reads
 * that file. The files go when the job ends, and with the process ('exit'); a later run's sweep
 * removes what a killed process left.
 */
import { rmSync } from 'node:fs';
import { isStreamInput, spoolStreamInput } from '../io/stdio.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import type { NodeParams } from '../plan/nodes.ts';
import { checkBeforeRunning } from './preflight.ts';

/** Runs `run` on `plan`, or on a copy whose stream sources read what was spooled from them; synchronous up to `run`. */
export function withStreamInputs<T>(plan: PhysicalPlan, tmpDir: string, run: (plan: PhysicalPlan) => Promise<T>): Promise<T> {
  const streams = new Set<string>();
  for (const task of plan.tasks) {
    for (const op of task.operators) {
      const p = op.node.params;
      if ((p.kind === 'TextSource' || p.kind === 'CsvSource') && isStreamInput(p.path)) streams.add(p.path);
    }
  }
  if (streams.size === 0) return run(plan);
  checkBeforeRunning(plan); // before stdin is consumed: a job that cannot run leaves it unread
  const dirs: string[] = [];
  const remove = (): void => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', remove);
  const done = (): void => {
    process.off('exit', remove);
    remove();
  };
  try {
    const spooled = new Map<string, string>();
    for (const path of streams) {
      const { file, dir } = spoolStreamInput(path, tmpDir);
      dirs.push(dir);
      spooled.set(path, file);
    }
    const reading = (p: NodeParams): NodeParams => ((p.kind === 'TextSource' || p.kind === 'CsvSource') && spooled.has(p.path) ? { ...p, path: spooled.get(p.path)! } : p);
    const rewritten: PhysicalPlan = {
      ...plan,
      tasks: plan.tasks.map((task) => ({
        ...task,
        operators: task.operators.map((op) => {
          const params = reading(op.node.params);
          return params === op.node.params ? op : { ...op, node: { ...op.node, params } };
        }),
      })),
    };
    return run(rewritten).finally(done);
  } catch (e) {
    done();
    throw e;
  }
}
