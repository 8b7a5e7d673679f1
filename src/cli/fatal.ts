/**
 * The CLI's last word on a failure: one paragraph on stderr (see `formatError`) and exit code 1,
 * whether the script threw at top level, rejected a promise nobody awaited (an `execute()`
 * without `await`), or threw from a callback.
 */
import { verboseFromEnv } from '../config/env-vars.ts';
import { formatError } from './format-error.ts';

let reported = false;

export function installFatalHandlers(): void {
  process.on('uncaughtException', reportFatal);
  process.on('unhandledRejection', reportFatal);
  // `tsflink plan … | head`, `tsflink run … | head`: the reader has gone, as for any Unix tool
  // that is not an error to report; the command ends quietly (the job, if one runs, with it).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    reportFatal(error);
  });
}

/** Prints the first failure only (later ones are usually its echoes) and exits. */
export function reportFatal(error: unknown): never {
  if (!reported) {
    reported = true;
    // `--verbose` has set TSFLINK_VERBOSE by the time a script can fail.
    process.stderr.write(`${formatError(error, verboseFromEnv())}\n`);
  }
  process.exit(1);
}
