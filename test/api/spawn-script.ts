/**
 * Runs a small tsflink program in a child `node --import tsx` process, for what only a separate
 * process shows: what `output()` writes on stdout and stderr, and settings read at start-up.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The absolute path of the public API, for scripts outside the repository to import. */
export const INDEX_TS = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

// tsx resolved from this repository, so that the child can run in any directory.
const TSX = import.meta.resolve('tsx');

export interface ScriptResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Writes `body` to `<dir>/<name>.mts` after an import line for `{ names }` from the API and runs
 * it with cwd `dir`. `.mts` so that top-level await works.
 */
export function runScript(dir: string, name: string, names: readonly string[], body: string, env: NodeJS.ProcessEnv = {}): ScriptResult {
  const file = join(dir, `${name}.mts`);
  writeFileSync(file, `import { ${names.join(', ')} } from ${JSON.stringify(INDEX_TS)};\n${body}\n`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // The test runner's own variables must not make the child behave like a test.
  delete childEnv.NODE_TEST_CONTEXT;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(process.execPath, ['--import', TSX, file], { cwd: dir, env: childEnv, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The lines of a stream's text (no trailing empty line). */
export function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}
