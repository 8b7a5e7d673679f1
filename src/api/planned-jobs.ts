/**
 * `tsflink plan` runs the script with every execute(), collect() and count() printing its plan
 * instead of running. A script may run several jobs (PageRank counts its vertices first): the CLI
 * asks for the plans to be kept here and prints them as one document once the script has ended,
 * or says that it ran none. On globalThis, so that the CLI's copy of tsflink and the one the
 * script imports (a module graph of its own under a test runner or another install) share it.
 */
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';

const KEY = Symbol.for('tsflink.plannedJobs');

type Holder = { [KEY]?: PhysicalPlan[] };

/** Starts keeping the plans of the jobs this process plans (instead of printing each). */
export function keepPlannedJobs(): PhysicalPlan[] {
  const kept: PhysicalPlan[] = [];
  (globalThis as Holder)[KEY] = kept;
  return kept;
}

/** Keeps `plan` if the CLI asked for it; false when the job's plan should be printed at once. */
export function keepPlannedJob(plan: PhysicalPlan): boolean {
  const kept = (globalThis as Holder)[KEY];
  if (kept === undefined) return false;
  kept.push(plan);
  return true;
}
