/**
 * The one paragraph the CLI prints for a failed script: `tsflink: <name>: <message>`, then one
 * `  caused by: ` line per error of the `cause` chain that says something new, the line of the
 * user's script the failure comes from, and how to see more. Stack traces only when verbose.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { userFrames } from '../api/call-site.ts';

/** Deep enough for any real chain (job → task → user function → user's error); also stops cycles. */
const MAX_CAUSES = 16;

const BUILT_IN_ERRORS: ReadonlySet<object> = new Set([Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError].map((c) => c.prototype));

export function formatError(error: unknown, verbose = false): string {
  const chain: unknown[] = [error];
  for (let c = causeOf(error); c !== undefined && c !== null && !chain.includes(c) && chain.length <= MAX_CAUSES; c = causeOf(c)) chain.push(c);
  const lines = [`tsflink: ${describe(error, verbose)}`];
  let above = messageOf(error);
  chain.slice(1).forEach((cause, i) => {
    const innermost = i === chain.length - 2;
    // The engine's errors repeat their cause's message: a cause that adds nothing is left out,
    // but the innermost keeps its class (TypeError, RangeError…), which tells what went wrong.
    const message = messageOf(cause);
    if (!verbose && message !== '' && above.includes(message)) {
      if (innermost && cause instanceof Error && cause.name !== 'Error' && !lines[0]!.includes(`${cause.name}: `)) lines.push(`  caused by: ${cause.name}`);
      return;
    }
    lines.push(`  caused by: ${indentContinuation(describe(cause, verbose), '  ')}`);
    above = message;
  });
  if (!verbose) {
    const where = userFrame(chain);
    const hint = ' (--verbose prints the stack traces)';
    // Without a line of the user's, a stack helps only for JavaScript's own errors (a TypeError
    // from a bug); tsflink's errors (a missing script, a bad setting) say all there is.
    const innermost = chain[chain.length - 1];
    // A plan error names the line already (`map at job.ts:3`).
    if (where !== null && lines.join('\n').includes(`${path.basename(where.file)}:${where.line}`)) return lines.join('\n');
    if (where !== null) lines.push(`  at ${where.shown}${hint}`);
    else if (innermost instanceof Error && BUILT_IN_ERRORS.has(Object.getPrototypeOf(innermost) as object)) lines.push(` ${hint}`);
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : '';
}

function causeOf(error: unknown): unknown {
  return error instanceof Error && 'cause' in error ? error.cause : undefined;
}

/**
 * The first stack frame in a file of the user's (not Node's, not a package's, not tsflink's) of
 * the innermost error that has one: where the user's code threw. Shown relative to the working
 * directory when inside it.
 */
function userFrame(chain: readonly unknown[]): { file: string; line: number; shown: string } | null {
  for (const error of [...chain].reverse()) {
    if (!(error instanceof Error) || typeof error.stack !== 'string') continue;
    const frame = userFrames(error.stack).find((f) => path.isAbsolute(f.file) && existsSync(f.file));
    if (frame === undefined) continue;
    const relative = path.relative(process.cwd(), frame.file);
    return { file: frame.file, line: frame.line, shown: `${relative.startsWith('..') ? frame.file : relative}:${frame.line}:${frame.column}` };
  }
  return null;
}

function indentContinuation(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}
