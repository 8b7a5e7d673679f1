/** Checks made before any task of a job starts (SPEC §2, §9.9). */
import { listInputFiles } from '../io/input-files.ts';
import { checkOutputTarget } from '../io/output-committer.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';

/** Missing inputs and existing NO_OVERWRITE outputs fail the job before any task starts (SPEC §2, §9.9). */
export function checkBeforeRunning(plan: PhysicalPlan): void {
  for (const task of plan.tasks) {
    for (const op of task.operators) {
      const p = op.node.params;
      if (p.kind === 'TextSource' || p.kind === 'CsvSource') listInputFiles(p.path);
      if (p.kind === 'TextSink' || p.kind === 'CsvSink') checkOutputTarget(p.path, p.writeMode, op.node.name);
    }
  }
}
