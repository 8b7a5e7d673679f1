/**
 * The Flink test files take turns: each starts JVMs and many Node workers, and on a small
 * machine two of them at once starve each other (heartbeat timeouts, workers that start too
 * late). A file holds this lock (a folder in the temp dir, with its pid) from its start until
 * its process exits; a lock whose process is gone is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
