/**
 * A job's submission: the runner for its target (the embedded engine, or a Flink cluster: a
 * MiniCluster without a JobManager address), and the lifecycle around the run: the job's monitor
 * (announced to observers such as `tsflink run`'s progress and dashboard), the progress display
 * when the program asked for it, and the figures at its end. The API hands a physical plan in;
 * this module is where the API reaches the runners.
 */
import type { TsflinkConfig } from '../config/config.ts';
import { PlanError } from '../errors/index.ts';
import { type JobFigures, JobMonitor } from '../metrics/job-figures.ts';
import { notifyJobObservers } from '../metrics/job-observers.ts';
import { showProgress } from '../metrics/progress.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import { FlinkRunner } from '../runners/flink/flink-runner.ts';
import { LocalRunner } from '../runners/local-runner.ts';
import type { JobOutcome, JobResources, Runner } from './contract.ts';

export function selectRunner(target: string, config: TsflinkConfig): Runner {
  if (target === 'local') return new LocalRunner();
  if (target === 'flink') return new FlinkRunner({ jobmanager: config.jobmanagerAddress, nodeBinary: config.nodeBinaryPath });
  throw new PlanError(`unknown execution target '${target}' (use local or flink)`);
}

/** Runs `plan` on `target`; the outcome carries the job's figures (also when it fails, to the monitor's observers). */
export async function submitJob(plan: PhysicalPlan, target: string, config: TsflinkConfig, resources: Omit<JobResources, 'monitor'>, progress: boolean): Promise<JobOutcome & { figures: JobFigures }> {
  const runner = selectRunner(target, config);
  const monitor = new JobMonitor(plan, target === 'flink' ? 'flink' : 'local');
  notifyJobObservers(monitor);
  if (progress) showProgress(monitor, { stream: process.stderr, live: process.stderr.isTTY === true });
  let outcome: JobOutcome;
  try {
    outcome = await runner.run(plan, { ...resources, monitor });
  } catch (e) {
    monitor.failed(e instanceof Error ? e.message : String(e), monitor.figures.retries + 1);
    monitor.ended(false, {});
    throw e;
  }
  monitor.ended(true, { ...outcome.accumulators });
  return { ...outcome, figures: monitor.snapshot() };
}
