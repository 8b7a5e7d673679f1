/** Runs a job's attempts: a failed attempt is retried, up to `setNumberOfExecutionRetries` times, before the job fails. */
import { JobExecutionError } from '../errors/index.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import type { JobOutcome, JobResources } from '../job/contract.ts';

export async function runAttempts(
  plan: PhysicalPlan,
  resources: JobResources,
  /** Runs attempt `n` (1-based). */
  attempt: (n: number) => Promise<Omit<JobOutcome, 'netRuntimeMs'>> | Omit<JobOutcome, 'netRuntimeMs'>,
): Promise<JobOutcome> {
  const started = performance.now();
  for (let n = 0; ; n++) {
    try {
      const outcome = await attempt(n + 1);
      return { ...outcome, netRuntimeMs: Math.round(performance.now() - started) };
    } catch (error) {
      if (n < resources.retries) {
        const msg = error instanceof Error ? error.message : String(error);
        resources.stderr(`tsflink: job '${plan.jobName}' attempt ${n + 1} failed (${msg}); retrying (${n + 1} of ${resources.retries})\n`);
        resources.monitor?.failed(msg, n + 1);
        resources.monitor?.retried();
        continue;
      }
      throw new JobExecutionError(plan.jobName, error);
    }
  }
}
