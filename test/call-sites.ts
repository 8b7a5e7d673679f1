/**
 * The line a call site in a message names (`map at job.ts:12`), found in the test's own text.
 *
 * A call site is the line of the method's name, and the formatter may break a chain so that the
 * name stands lines below the start of its statement. So a test does not count lines from where
 * it stands (`here() + 1`); it asks for the line of the next call of the method.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The 1-based line of the first `method(` (or `method<…>(`) at or after the line this is called from, in the
 * caller's file. `depth` 2 means the caller's caller (for a helper whose caller made the call).
 */
export function lineOfNextCall(method: string, depth: 1 | 2 = 1): number {
  const frame = new Error().stack!.split('\n')[1 + depth]!;
  const [, file, from] = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?\s*$/.exec(frame)!;
  const lines = readFileSync(file!.startsWith('file://') ? fileURLToPath(file!) : file!, 'utf8').split('\n');
  const call = new RegExp(`(?<![\\w$])${method.replace(/\$/g, '\\$')}(<.*?>)?\\(`);
  for (let i = Number(from) - 1; i < lines.length; i++) if (call.test(lines[i]!)) return i + 1;
  throw new Error(`no call of ${method}() at or after line ${from} of ${file}`);
}
