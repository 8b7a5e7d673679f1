/** The tsflink configuration the bench runs with: a memory budget (or the default), spilling into bench/data/tmp. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes bench/data/conf/<budget>.yaml and returns its path; `budget` null keeps the default (a quarter of RAM). */
export function writeConf(dataDir: string, budget: string | null): string {
  const dir = join(dataDir, 'conf');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${budget ?? 'default'}.yaml`);
  const lines = [`io.tmp.dirs: ${JSON.stringify(join(dataDir, 'tmp'))}`];
  if (budget !== null) lines.push(`taskmanager.memory: ${budget}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
