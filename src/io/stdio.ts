/**
 * `-` as a path, as `cat -` and most Unix tools read it: the process's stdin for a source, its
 * stdout for a sink. And inputs that are streams rather than files (`/dev/stdin`, a named pipe,
 * a character device), which have no size to cut into splits and can be read only once.
 *
 * A stream input is read to its end by the client, before any task starts, into a file in
 * io.tmp.dirs that the source then reads like any file (split among its instances). A `-` sink
 * writes staging files in io.tmp.dirs like any file sink; when the job has succeeded the client
 * copies them to its stdout in subtask order, so a failed job writes nothing there. On a remote
 * Flink cluster both need io.tmp.dirs on storage the TaskManagers share, as any local path does.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { InputPathError } from '../errors/index.ts';
import { isRemotePath } from './fs/file-system.ts';
import { resolvePath } from './input-files.ts';
import { staleName } from './stale-files.ts';

/** The path that means stdin (sources) or stdout (sinks). */
export const STDIO_PATH = '-';

/** Names of stdin that open(2) cannot reopen when it is a socket (as a spawned child's pipes are). */
const STDIN_NAMES = new Set([STDIO_PATH, '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

const CHUNK = 1 << 20;

/** Whether a source's path is a stream to read once: `-`, or an existing path that is neither a regular file nor a directory. */
export function isStreamInput(path: string): boolean {
  if (path === STDIO_PATH) return true;
  let absolute: string;
  try {
    absolute = resolvePath(path);
  } catch {
    return false; // the source's own checks say what is wrong with it
  }
  if (isRemotePath(absolute)) return false;
  const st = statSync(absolute, { throwIfNoEntry: false });
  return st !== undefined && !st.isFile() && !st.isDirectory();
}

/**
 * Reads a stream input to its end into a new folder of `tmpDir` (named so that a later run's
 * sweep removes it if this process dies) and returns the file, named `stdin` or after the path.
 */
export function spoolStreamInput(path: string, tmpDir: string): { readonly file: string; readonly dir: string } {
  const dir = mkdtempSync(join(tmpDir, staleName('stdin')));
  const file = join(dir, path === STDIO_PATH ? 'stdin' : 'input');
  try {
    const from = openStream(path);
    const to = openSync(file, 'w');
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const n = readRetrying(from.fd, buf);
        if (n === 0) break;
        writeSync(to, buf, 0, n);
      }
    } finally {
      closeSync(to);
      if (from.close) closeSync(from.fd);
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    if (e instanceof InputPathError) throw e;
    throw new InputPathError(path, `Input path '${path}' cannot be read: ${(e as Error).message}`, { cause: e });
  }
  return { file, dir };
}

/**
 * stdin is reopened through /dev/stdin where it can be (a new, blocking file description even
 * when the program set its own stdin non-blocking by touching `process.stdin`); a socket cannot
 * be reopened, so fd 0 is read as it is.
 */
function openStream(path: string): { fd: number; close: boolean } {
  if (!STDIN_NAMES.has(path)) return { fd: openSync(resolvePath(path), 'r'), close: true };
  try {
    return { fd: openSync('/dev/stdin', 'r'), close: true };
  } catch {
    return { fd: 0, close: false };
  }
}

/** What readRetrying waits on (never notified: Atomics.wait is a synchronous sleep). */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** readSync that waits out EAGAIN (a non-blocking descriptor with nothing to read yet). */
function readRetrying(fd: number, buf: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EOF') return 0;
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(PAUSE, 0, 0, 5);
    }
  }
}

/**
 * The staging of a `-` sink: files 1…p in a folder of io.tmp.dirs, written by the subtasks,
 * copied to stdout in order by `writeTo` once the job has succeeded, then removed.
 */
export class StdoutStaging {
  readonly staging: string;
  private readonly parallelism: number;
  private state: 'created' | 'prepared' | 'committed' | 'done' = 'created';

  constructor(parallelism: number, tmpDir: string, jobId: string) {
    this.parallelism = parallelism;
    this.staging = join(tmpDir, `${staleName('stdout')}${jobId.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  }

  fileForSubtask(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.parallelism) {
      throw new RangeError(`subtask index ${index} is outside 0..${this.parallelism - 1}`);
    }
    return join(this.staging, String(index + 1));
  }

  prepare(): void {
    mkdirSync(this.staging, { recursive: true });
    this.state = 'prepared';
    for (let i = 0; i < this.parallelism; i++) writeFileSync(this.fileForSubtask(i), '');
  }

  /** The output is complete: `writeTo` may copy it. */
  commit(): void {
    if (this.state !== 'prepared') throw new Error(`stdout sink: commit() in state ${this.state}`);
    this.state = 'committed';
  }

  /** Copies the committed output, subtask 1 first, to `write` in chunks of text, then removes the staging. */
  writeTo(write: (text: string) => void): void {
    if (this.state !== 'committed') return;
    this.state = 'done';
    try {
      const decoder = new StringDecoder('utf8');
      const buf = Buffer.allocUnsafe(CHUNK);
      for (let i = 0; i < this.parallelism; i++) {
        const fd = openSync(this.fileForSubtask(i), 'r');
        try {
          for (let n: number; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) write(decoder.write(buf.subarray(0, n)));
        } finally {
          closeSync(fd);
        }
      }
      const rest = decoder.end();
      if (rest !== '') write(rest);
    } finally {
      rmSync(this.staging, { recursive: true, force: true });
    }
  }

  /** Removes the staging; nothing reaches stdout. Safe to call more than once, and after writeTo. */
  abort(): void {
    rmSync(this.staging, { recursive: true, force: true });
    this.state = 'done';
  }
}
