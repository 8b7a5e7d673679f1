/**
 * Checks that every contender gave the same answer: its output (one file, or a directory of
 * part files as tsflink writes at p > 1) read as lines, sorted, and compared with the reference.
 * An output past LINES_LIMIT (the 1 GiB join writes over a GB; one V8 string holds at most
 * 512 MiB, and sorting 45 M lines takes minutes) is compared by a digest of its lines as a
 * multiset instead: their count and two sums of per-line hashes, which no order changes.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Outputs up to this many bytes are compared line by line. */
const LINES_LIMIT = 256 * 1024 * 1024;

export type Answer = { readonly kind: 'lines'; readonly lines: readonly string[] } | { readonly kind: 'digest'; readonly count: number; readonly sums: readonly [number, number] };

function outputFiles(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => !f.startsWith('.'))
        .map((f) => join(path, f))
    : [path];
}

/** The answer in an output (null: there is none): its sorted lines, or the digest of a large one; read as `reference` was, when given. */
export function readAnswer(path: string | null, reference: Answer | null = null): Answer {
  const files = path === null ? [] : outputFiles(path);
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const digest = reference === null ? bytes > LINES_LIMIT : reference.kind === 'digest';
  return digest ? { kind: 'digest', ...lineDigest(files) } : { kind: 'lines', lines: sortedLines(files) };
}

/** The files' non-empty lines, sorted. */
function sortedLines(files: readonly string[]): string[] {
  const lines: string[] = [];
  for (const f of files) {
    for (const line of readFileSync(f, 'utf8').split('\n')) if (line.length > 0) lines.push(line);
  }
  return lines.sort();
}

/** The non-empty lines' count, and the sums (mod 2³²) of two hashes of each line's bytes (FNV-1a and a multiply-rotate hash). */
function lineDigest(files: readonly string[]): { count: number; sums: [number, number] } {
  const chunk = Buffer.allocUnsafe(1 << 20);
  let count = 0;
  let sum1 = 0;
  let sum2 = 0;
  for (const f of files) {
    const fd = openSync(f, 'r');
    try {
      let h1 = 0x811c9dc5;
      let h2 = 0x2545f491;
      let length = 0;
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
        for (let i = 0; i < n; i++) {
          const b = chunk[i]!;
          if (b === 10) {
            if (length > 0) {
              count++;
              sum1 = (sum1 + h1) >>> 0;
              sum2 = (sum2 + (h2 ^ length)) >>> 0;
            }
            h1 = 0x811c9dc5;
            h2 = 0x2545f491;
            length = 0;
          } else {
            h1 = Math.imul(h1 ^ b, 0x01000193);
            h2 = Math.imul((h2 << 5) | (h2 >>> 27), 0x9e3779b1) ^ b;
            length++;
          }
        }
      }
      if (length > 0) {
        count++;
        sum1 = (sum1 + h1) >>> 0;
        sum2 = (sum2 + (h2 ^ length)) >>> 0;
      }
    } finally {
      closeSync(fd);
    }
  }
  return { count, sums: [sum1, sum2] };
}

/** null when the answers are the same, else a short description of how they differ. */
export function answerDifferences(expected: Answer, actual: Answer): string | null {
  if (expected.kind === 'lines' && actual.kind === 'lines') return differences(expected.lines, actual.lines);
  if (expected.kind !== 'digest' || actual.kind !== 'digest') throw new Error('answers read in two ways: read the others as the reference (readAnswer)');
  const [e, a] = [expected, actual];
  if (e.count === a.count && e.sums[0] === a.sums[0] && e.sums[1] === a.sums[1]) return null;
  return e.count !== a.count ? `${a.count} lines, expected ${e.count}` : 'the same number of lines, but other lines (the digests of the lines differ)';
}

/** null when equal, else a short description of the first differences. */
function differences(expected: readonly string[], actual: readonly string[]): string | null {
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
