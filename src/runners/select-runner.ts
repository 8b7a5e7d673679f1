/** Picks the runner for a target: the embedded engine, or (not yet available) a Flink cluster. */
import type { TsflinkConfig } from '../config/config.ts';
import { PlanError } from '../errors/index.ts';
import { LocalRunner } from './local-runner.ts';
import type { Runner } from './runner.ts';

export function selectRunner(target: string, _config: TsflinkConfig): Runner {
  if (target === 'local') return new LocalRunner();
  if (target === 'flink') throw new PlanError('The Flink target is not available in this version of tsflink yet; run with --target local');
  throw new PlanError(`unknown execution target '${target}' (use local or flink)`);
}
