/** Argument checks shared by the environment, data sets and sinks. */
import { PlanError } from '../errors/index.ts';

export function checkParallelism(parallelism: number): number {
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new PlanError(`setParallelism: ${parallelism} is not a positive integer`);
  return parallelism;
}
