/** The embedded runner: runs the physical plan in this process. */
import { executeLocally } from '../runtime/local-executor.ts';
import type { JobOutcome, JobResources, Runner } from './runner.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';

export class LocalRunner implements Runner {
  async run(plan: PhysicalPlan, resources: JobResources): Promise<JobOutcome> {
    return executeLocally(plan, resources);
  }
}
