/**
 * Where in the user's script an operator was created (`wordcount.ts:12`), for default operator
 * names and error messages. Runs at plan-building time only, never per record.
 */
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/api or src/api → the package's own dist/ and src/ directories are "inside tsflink".
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const internalDirs = [resolve(packageRoot, 'dist') + '/', resolve(packageRoot, 'src') + '/'];

function isInternal(file: string): boolean {
  return file.startsWith('node:') || file.includes('/node_modules/') || internalDirs.some((d) => file.startsWith(d));
}

/** A stack frame in the user's code: its file (a path, file: URLs resolved), line and column. */
export interface UserFrame {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The frames of a stack trace outside tsflink, Node and packages, innermost first. */
export function userFrames(stack: string): UserFrame[] {
  const frames: UserFrame[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (!isInternal(file)) frames.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

/** `file.ts:line` of the first stack frame outside tsflink, or null. */
export function userCallSite(): string | null {
  const stack = new Error().stack;
  const frame = stack ? userFrames(stack)[0] : undefined;
  return frame === undefined ? null : `${basename(frame.file)}:${frame.line}`;
}
