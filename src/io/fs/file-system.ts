/**
 * The file systems sources and sinks read and write, chosen by the path's scheme: plain paths and
 * `file:` URLs are local (node:fs); `hdfs://namenode:port/…` and `webhdfs://namenode:httpPort/…` are
 * a Hadoop file system, reached over WebHDFS (webhdfs.ts).
 *
 * The interface is synchronous, as the readers and writers that use it are: a source's loop over
 * records reads a chunk, then parses it, with no promise per record or chunk. A remote file
 * system does its I/O on a thread of its own (sync-bridge.ts) while the caller waits.
 *
 * Paths are strings throughout: an absolute local path, or a URL `scheme://authority/abs/path`
 * with no trailing slash. `childPath`, `parentPath` and `baseName` work on both.
 */
import { PlanError } from '../../errors/index.ts';
import { localFileSystem } from './local-fs.ts';
import { webHdfsFileSystem } from './webhdfs.ts';

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface FileStatus {
  readonly type: EntryType;
  readonly size: number;
  /** The file system's block size for the file (HDFS), 0 where blocks mean nothing (local files). */
  readonly blockSize: number;
}

/** A file open for reading at any position (reads that follow one another stream). */
export interface ReadHandle {
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; 0 at the end of the file. */
  read(buffer: Uint8Array, offset: number, length: number, position: number): number;
  close(): void;
}

/** A file being written, start to end. */
export interface WriteHandle {
  write(bytes: Uint8Array): void;
  /** Ends the file: after it returns the bytes are in the file system. Throws what went wrong. */
  close(): void;
}

export interface FileSystem {
  /** For messages: `local`, `HDFS`. */
  readonly name: string;
  /** Where a file or directory is, or undefined when nothing is there (or a parent is a file). `follow`: through a symbolic link. */
  stat(path: string, follow?: boolean): FileStatus | undefined;
  /** The names in a directory (not sorted). Throws when it is not one. */
  list(dir: string): string[];
  openRead(path: string): ReadHandle;
  /** Creates (or, unless `exclusive`, truncates) a file and its parent directories. */
  create(path: string, options?: { readonly exclusive?: boolean }): WriteHandle;
  /** Creates a file holding `text`, failing with `false` when something is there already. */
  createExclusive(path: string, text: string): boolean;
  readText(path: string): string;
  /** Moves `from` to `to`, where nothing may be. */
  rename(from: string, to: string): void;
  /** Removes a file or a directory with what it holds; nothing there is no error. */
  remove(path: string): void;
  mkdirs(path: string): void;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;

/** The scheme of a URL path in lower case (`hdfs`), or null for a plain path. */
export function schemeOf(path: string): string | null {
  const m = SCHEME.exec(path);
  return m === null ? null : m[1]!.toLowerCase();
}

/** Whether a (resolved) path is on a remote file system, not this machine's. */
export function isRemotePath(path: string): boolean {
  const scheme = schemeOf(path);
  return scheme !== null && scheme !== 'file';
}

/** The file system of a resolved path (see input-files.ts resolvePath). */
export function fileSystemOf(path: string): FileSystem {
  const scheme = schemeOf(path);
  if (scheme === null || scheme === 'file') return localFileSystem;
  if (scheme === 'hdfs' || scheme === 'webhdfs') return webHdfsFileSystem(path);
  throw new PlanError(`Unsupported file system '${scheme}' in path '${path}': tsflink reads and writes local paths (file:// or plain), hdfs:// and webhdfs://`);
}

/** `dir`/`name`, for a local path or a URL. */
export function childPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** The directory holding `path`; a root is its own parent (`/`, `hdfs://nn:8020/`). */
export function parentPath(path: string): string {
  const root = rootOf(path);
  const rest = path.slice(root.length).replace(/\/+$/, '');
  const i = rest.lastIndexOf('/');
  return i <= 0 ? root : root + rest.slice(0, i);
}

/** The last name of a path. */
export function baseName(path: string): string {
  const rest = path.slice(rootOf(path).length).replace(/\/+$/, '');
  return rest.slice(rest.lastIndexOf('/') + 1);
}

/** `/` for a local path, `scheme://authority/` for a URL. */
function rootOf(path: string): string {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]+:\/\/[^/]*\//.exec(path);
  if (m !== null) return m[0];
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:\/\/[^/]*$/.test(path) ? `${path}/` : '/';
}
