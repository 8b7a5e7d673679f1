/** Picks the runner for a target: the embedded engine, or a Flink cluster (a MiniCluster without a JobManager address). */
import type { TsflinkConfig } from '../config/config.ts';
import { PlanError } from '../errors/index.ts';
import { FlinkRunner } from './flink/flink-runner.ts';
import { LocalRunner } from './local-runner.ts';
import type { Runner } from './runner.ts';

export function selectRunner(target: string, config: TsflinkConfig): Runner {
  if (target === 'local') return new LocalRunner();
  if (target === 'flink') return new FlinkRunner({ jobmanager: config.jobmanagerAddress, nodeBinary: config.nodeBinaryPath });
  throw new PlanError(`unknown execution target '${target}' (use local or flink)`);
}
