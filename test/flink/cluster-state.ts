/**
 * A state directory for scripts/flink-cluster.sh in a test: when the test ends, the cluster
 * started in it is stopped first and the directory removed after (the other way round, `stop`
 * would find no pid files and leave the JVMs running).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export const clusterScript = join(new URL('../../', import.meta.url).pathname, 'scripts/flink-cluster.sh');

/** `existing`: a directory to use and keep (for looking at its logs afterwards); else a fresh one. */
export function clusterState(prefix: string, existing?: string): { state: string; env: NodeJS.ProcessEnv } {
  const state = existing ?? mkdtempSync(join(tmpdir(), prefix));
  const env = { ...process.env, TSFLINK_FLINK_CLUSTER_DIR: state };
  after(() => {
    spawnSync('bash', [clusterScript, 'stop'], { env, encoding: 'utf8' });
    if (existing === undefined) rmSync(state, { recursive: true, force: true });
  });
  return { state, env };
}
