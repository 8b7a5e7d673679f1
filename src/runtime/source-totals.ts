/** A file source's input size for the job's monitor: the sum of its files' sizes (null when they cannot be listed). */
import { listInputFiles } from '../io/input-files.ts';
import { fileSystemOf } from '../io/fs/file-system.ts';
import type { JobMonitor } from '../metrics/job-figures.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';

export function reportSourceTotals(plan: PhysicalPlan, monitor: JobMonitor | undefined): void {
  if (monitor === undefined) return;
  for (const task of plan.tasks) {
    const p = task.operators[0]!.node.params;
    if (task.operators[0]!.strategy !== 'SOURCE' || (p.kind !== 'TextSource' && p.kind !== 'CsvSource' && p.kind !== 'ParquetSource')) continue;
    let total: number | null = 0;
    try {
      for (const file of listInputFiles(p.path)) total += fileSystemOf(file).stat(file, true)?.size ?? 0;
    } catch {
      total = null; // (reading it reports the problem)
    }
    monitor.sourceTotal(task.id, total);
  }
}
