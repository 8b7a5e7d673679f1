/**
 * The one paragraph the CLI prints for a failed script: `tsflink: <name>: <message>`, then one
 * `  caused by: ` line per error of the `cause` chain. Stack traces only when verbose.
 */
import { inspect } from 'node:util';

/** Deep enough for any real chain (job → task → user function → user's error); also stops cycles. */
const MAX_CAUSES = 16;

export function formatError(error: unknown, verbose = false): string {
  const lines = [`tsflink: ${describe(error, verbose)}`];
  const seen = new Set<unknown>([error]);
  let current = causeOf(error);
  while (current !== undefined && current !== null && !seen.has(current) && seen.size <= MAX_CAUSES) {
    seen.add(current);
    lines.push(`  caused by: ${indentContinuation(describe(current, verbose), '  ')}`);
    current = causeOf(current);
  }
  return lines.join('\n');
}

function describe(error: unknown, verbose: boolean): string {
  if (error instanceof Error) {
    // A stack starts with `Name: message` already, then the frames.
    if (verbose && typeof error.stack === 'string' && error.stack !== '') return error.stack;
    return error.message === '' ? error.name : `${error.name}: ${error.message}`;
  }
  if (typeof error === 'string') return error;
  return `thrown value ${inspect(error, { depth: 2, breakLength: Infinity })}`;
}

function causeOf(error: unknown): unknown {
  return error instanceof Error && 'cause' in error ? error.cause : undefined;
}

function indentContinuation(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}
