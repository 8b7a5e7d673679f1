/**
 * The Flink test files take turns: each starts JVMs and many Node workers, and on a small
 * machine two of them at once starve each other (heartbeat timeouts, workers that start too
 * late). A file holds this lock (a folder in the temp dir, with its pid) from its start until
 * its process exits; a lock whose process is gone is taken over.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before } from 'node:test';

/** What a Flink test file does first: take the lock, and before its tests make sure Flink's jars and the runner jar are there. */
export async function setUpFlinkTests(): Promise<void> {
  await takeFlinkTestLock();
  const root = new URL('../../', import.meta.url).pathname;
  before(() => {
    execFileSync('bash', [join(root, 'scripts/install-flink-deps.sh')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  });
}

export async function takeFlinkTestLock(): Promise<void> {
  const lock = join(tmpdir(), 'tsflink-flink-tests.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let pid = Number.NaN;
      try {
        pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // being written
      }
      if (Number.isInteger(pid) && pid > 0) {
        try {
          process.kill(pid, 0);
        } catch {
          rmSync(lock, { recursive: true, force: true });
          continue;
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  process.once('exit', () => rmSync(lock, { recursive: true, force: true }));
}
