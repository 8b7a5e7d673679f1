/** A physical plan's fingerprint: the coordinator and each worker must have built the same plan. */
import { createHash } from 'node:crypto';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';

export function planFingerprint(plan: PhysicalPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

/**
 * The fingerprint of a plan's shape, without the paths of its sources and sinks: a Flink worker
 * re-runs the script from a copy elsewhere (code shipped to a cluster), where a path the script
 * derives from its own location differs; the worker then runs the client's plan itself.
 */
export function shapeFingerprint(plan: PhysicalPlan): string {
  return createHash('sha256')
    .update(JSON.stringify(plan, (key, value: unknown) => (key === 'path' && typeof value === 'string' ? '' : value)))
    .digest('hex');
}
