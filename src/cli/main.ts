#!/usr/bin/env node
/**
 * The `tsflink` executable (package `bin`). Splits off the script's arguments, parses the rest
 * with commander, and turns every failure into one paragraph on stderr and exit code 1.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from './cli-error.ts';
import { launchScript } from './launch.ts';
import { installFatalHandlers, reportFatal } from './fatal.ts';
import { createProgram } from './program.ts';
import { splitArgs } from './split-args.ts';

installFatalHandlers();

try {
  const { cliArgs, scriptArgs } = splitArgs(process.argv.slice(2));
  const program = createProgram({ version: packageVersion(), scriptArgs, launch: (request) => launchScript(request), installFlink });
  await program.parseAsync(cliArgs, { from: 'user' });
} catch (error) {
  reportFatal(error);
}

/** From the package.json two levels up: the same from src/cli/main.ts and dist/cli/main.js. */
function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const version = pkg !== null && typeof pkg === 'object' && 'version' in pkg ? pkg.version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}

/** Runs the package's own scripts/install-flink-deps.sh (its Java tests are not in the package). */
function installFlink(): Promise<void> {
  const script = fileURLToPath(new URL('../../scripts/install-flink-deps.sh', import.meta.url));
  // Its output is about the installation: on stderr, like every message of tsflink's own.
  const r = spawnSync('bash', [script, '--skip-tests'], { stdio: ['inherit', 2, 2] });
  if (r.error) return Promise.reject(new CliError(`cannot run ${script}: ${r.error.message}`));
  if (r.status !== 0)
    return Promise.reject(new CliError(`installing the Flink target failed (${script} exited with ${r.status ?? r.signal}); it needs java (17) and mvn on the PATH and Maven Central reachable`));
  process.stderr.write('tsflink: the Flink target is installed: run a job with --target flink\n');
  return Promise.resolve();
}
