/**
 * The tsflink package as a user installs it (package.json and a `dist/` built from the current
 * `src/`), for hosts that run plain `node` and cannot load TypeScript. The repository itself when
 * its `dist/` is newer than every file in `src/` (as after `npm test`'s build); otherwise a
 * private build in a temp dir removed when the test process exits, so that the others' `dist/` is
 * never written to from a test.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let built: string | null = null;

/** The root of a built tsflink package: `<root>/dist/index.js`, `<root>/dist/cli/main.js`. */
export function builtPackage(): string {
  if (built !== null) return built;
  const cli = join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(cli) && statSync(cli).mtimeMs >= newestMtime(join(ROOT, 'src'))) return (built = ROOT);
  // Removed when the test process exits: called inside a test, tempDir would remove it when that test ends.
  const pkg = mkdtempSync(join(tmpdir(), 'tsflink-test-pkg-'));
  process.once('exit', () => rmSync(pkg, { recursive: true, force: true }));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json'), '--outDir', join(pkg, 'dist'), '--declaration', 'false', '--declarationMap', 'false'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Type errors still emit JavaScript (as `npm run build` would); only a build that wrote nothing fails.
    if (!existsSync(join(pkg, 'dist', 'cli', 'main.js'))) throw error;
  }
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  return (built = pkg);
}
