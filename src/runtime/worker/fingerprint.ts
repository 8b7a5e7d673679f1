/** A physical plan's fingerprint: the coordinator and each worker must have built the same plan. */
import { createHash } from 'node:crypto';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';

export function planFingerprint(plan: PhysicalPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}
