#!/usr/bin/env node
/**
 * The `tsflink` executable (package `bin`). Splits off the script's arguments, parses the rest
 * with commander, and turns every failure into one paragraph on stderr and exit code 1.
 */
import { readFileSync } from 'node:fs';
import { launchScript } from './launch.ts';
import { installFatalHandlers, reportFatal } from './fatal.ts';
import { createProgram } from './program.ts';
import { splitArgs } from './split-args.ts';

installFatalHandlers();

try {
  const { cliArgs, scriptArgs } = splitArgs(process.argv.slice(2));
  const program = createProgram({ version: packageVersion(), scriptArgs, launch: (request) => launchScript(request) });
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
