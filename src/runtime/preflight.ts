/** Checks made before any task of a job starts: missing input paths and existing NO_OVERWRITE targets. */
import { isFileSink } from '../plan/nodes.ts';
import { listInputFiles } from '../io/input-files.ts';
import { checkOutputTarget } from '../io/output-committer.ts';
import { STDIO_PATH } from '../io/stdio.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';

/** Missing inputs and existing NO_OVERWRITE outputs fail the job before any task starts. */
export function checkBeforeRunning(plan: PhysicalPlan): void {
  for (const task of plan.tasks) {
    for (const op of task.operators) {
      const p = op.node.params;
      // `-` is stdin or stdout (io/stdio.ts): nothing to check.
      if ((p.kind === 'TextSource' || p.kind === 'CsvSource' || p.kind === 'ParquetSource') && p.path !== STDIO_PATH) listInputFiles(p.path);
      if (isFileSink(p) && p.path !== STDIO_PATH) checkOutputTarget(p.path, p.writeMode, op.node.name);
    }
  }
}
