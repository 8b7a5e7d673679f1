/**
 * Checks that every contender gave the same answer: its output (one file, or a directory of
 * part files as tsflink writes at p > 1) read as lines, sorted, and compared with the reference.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The output's non-empty lines, sorted. */
export function sortedLines(path: string): string[] {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => !f.startsWith('.'))
        .map((f) => join(path, f))
    : [path];
  const lines: string[] = [];
  for (const f of files) {
    for (const line of readFileSync(f, 'utf8').split('\n')) if (line.length > 0) lines.push(line);
  }
  return lines.sort();
}

/** null when equal, else a short description of the first differences. */
export function differences(expected: readonly string[], actual: readonly string[]): string | null {
  const notes: string[] = [];
  if (expected.length !== actual.length) notes.push(`${actual.length} lines, expected ${expected.length}`);
  let i = 0;
  let j = 0;
  while ((i < expected.length || j < actual.length) && notes.length < 8) {
    const e = expected[i];
    const a = actual[j];
    if (e === a) {
      i++;
      j++;
    } else if (a === undefined || (e !== undefined && e < a)) {
      notes.push(`missing: ${e}`);
      i++;
    } else {
      notes.push(`unexpected: ${a}`);
      j++;
    }
  }
  return notes.length === 0 ? null : notes.join('\n');
}
