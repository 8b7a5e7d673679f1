/**
 * Input and output paths: `file:` URLs and plain paths to absolute local paths (`hdfs://` and
 * `webhdfs://` URLs stay URLs, normalized), and the files a source reads (a file, or the visible
 * files of a directory, like Flink's FileInputFormat), on whichever file system holds them.
 */
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { globSync } from 'tinyglobby';
import { InputPathError, PlanError } from '../errors/index.ts';
import { childPath, fileSystemOf, isRemotePath, type FileStatus } from './fs/file-system.ts';

// Two or more letters, so that a Windows drive letter (`C:\x`) is not taken for a scheme.
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;

/**
 * `file:///abs`, `file:/abs`, or a plain relative/absolute path → an absolute local path;
 * `hdfs://nn:port/a/b/` → `hdfs://nn:port/a/b` (likewise `webhdfs://`).
 */
export function resolvePath(path: string): string {
  const scheme = SCHEME.exec(path);
  if (scheme === null) return resolve(path);
  const name = scheme[1]!.toLowerCase();
  if (name === 'hdfs' || name === 'webhdfs') return resolveUrlPath(path, name);
  if (name !== 'file') {
    throw new PlanError(`Unsupported file system '${scheme[1]}' in path '${path}': tsflink reads and writes local paths (file:// or plain paths), hdfs:// and webhdfs://`);
  }
  try {
    return resolve(fileURLToPath(new URL(path)));
  } catch (e) {
    throw new PlanError(`Invalid file URL '${path}': ${(e as Error).message}`, { cause: e });
  }
}

function resolveUrlPath(path: string, scheme: string): string {
  let url: URL;
  try {
    url = new URL(path);
  } catch (e) {
    throw new PlanError(`Invalid ${scheme} URL '${path}': ${(e as Error).message}`, { cause: e });
  }
  if (url.host === '') throw new PlanError(`Invalid ${scheme} URL '${path}': it names no NameNode (write ${scheme}://host:port/path)`);
  if (url.search !== '' || url.hash !== '') throw new PlanError(`Invalid ${scheme} URL '${path}': a path has no query or fragment`);
  // Glob characters stay as written (URL would escape `{`, `}`, `[`, `]`).
  const rest = path.slice(path.indexOf('//') + 2);
  const slash = rest.indexOf('/');
  const p = slash < 0 ? '/' : rest.slice(slash).replace(/\/+/g, '/');
  const normalized = resolve('/', p);
  return `${scheme}://${url.host}${normalized === '/' ? '' : normalized}`;
}

// Flink's FileInputFormat reads these compressed (by extension); tsflink reads gzip and zstd (by
// their magic numbers, text-chunk-reader.ts), not these yet.
const COMPRESSED = /\.(bz2|xz|deflate)$/i;

/**
 * The files a source reads: a file → [it]; a glob pattern that is not itself a path → what it
 * matches (see globInputFiles); a directory → its regular files in name order,
 * skipping hidden names (`.`, `_` prefixes, as Flink does). A subdirectory is skipped too, with
 * what it holds, as Flink does unless `recursive.file.enumeration` is set (tsflink has no such
 * option): a directory of directories reads as no input. A compressed file (by its extension, as
 * Flink tells them) is an error naming it, rather than bytes read as text.
 */
export function listInputFiles(path: string): string[] {
  const absolute = resolvePath(path);
  const fs = fileSystemOf(absolute);
  let stats: FileStatus | undefined;
  try {
    stats = fs.stat(absolute);
  } catch (e) {
    throw new InputPathError(path, `Input path '${path}' cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (stats === undefined) {
    if (isGlob(absolute)) return isRemotePath(absolute) ? remoteGlobFiles(path, absolute) : globInputFiles(path, absolute);
    throw new InputPathError(path, `Input path '${path}' does not exist`);
  }
  if (stats.type !== 'directory') return [checkNotCompressed(path, absolute)];
  return directoryFiles(path, absolute);
}

/** Whether a path that does not exist is a glob pattern (`*`, `?`, `[…]`, `{a,b}`). */
function isGlob(path: string): boolean {
  return /[*?[{]/.test(path);
}

/**
 * The files a glob pattern matches (`logs/2026-*\/part-*`), in name order: each matched file,
 * and the files of each matched directory, hidden names (`.`, `_`) skipped as in a directory.
 */
function globInputFiles(path: string, pattern: string): string[] {
  // tinyglobby: a small, well-kept matcher (picomatch) and directory walker (fdir).
  const matches = globSync(pattern, { absolute: true, onlyFiles: false, dot: false, expandDirectories: false }).sort();
  const files: string[] = [];
  for (const match of matches) {
    const name = basename(match.replace(/\/$/, ''));
    if (name.startsWith('_')) continue;
    const stats = fileSystemOf(match).stat(match);
    if (stats?.type === 'directory') files.push(...directoryFiles(path, match.replace(/\/$/, '')));
    else if (stats?.type === 'file') files.push(checkNotCompressed(path, match));
  }
  if (matches.length === 0) throw new InputPathError(path, `Input path '${path}' matches no files`);
  return files;
}

/**
 * A glob on a remote file system: the directories of the pattern's fixed prefix are listed one
 * level per name of the pattern, each level's names matched by picomatch (no `**`).
 */
function remoteGlobFiles(path: string, pattern: string): string[] {
  const fs = fileSystemOf(pattern);
  const root = /^[a-z]+:\/\/[^/]*/.exec(pattern)![0];
  const parts = pattern
    .slice(root.length)
    .split('/')
    .filter((p) => p !== '');
  if (parts.includes('**')) throw new PlanError(`Input path '${path}': '**' is not supported in ${fs.name} paths; name each level ('logs/*/part-*')`);
  let level: string[] = [root];
  for (const part of parts) {
    const next: string[] = [];
    for (const dir of level) {
      if (!isGlob(part)) {
        next.push(childPath(dir, part));
        continue;
      }
      if (fs.stat(dir)?.type !== 'directory') continue;
      const match = picomatch(part, { dot: false });
      for (const name of fs.list(dir).sort()) if (match(name)) next.push(childPath(dir, name));
    }
    level = next;
  }
  const files: string[] = [];
  let matched = 0;
  for (const match of level) {
    if (basename(match).startsWith('_')) continue;
    const stats = fs.stat(match);
    if (stats === undefined) continue;
    matched++;
    if (stats.type === 'directory') files.push(...directoryFiles(path, match));
    else if (stats.type === 'file') files.push(checkNotCompressed(path, match));
  }
  if (matched === 0) throw new InputPathError(path, `Input path '${path}' matches no files`);
  return files;
}

function directoryFiles(path: string, absolute: string): string[] {
  const fs = fileSystemOf(absolute);
  const files: string[] = [];
  for (const name of fs.list(absolute).sort()) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const file = childPath(absolute, name);
    // stat (not the directory entry) so that a symbolic link to a file counts as a file.
    if (fs.stat(file)?.type === 'file') files.push(checkNotCompressed(path, file));
  }
  return files;
}

function checkNotCompressed(path: string, file: string): string {
  const compressed = COMPRESSED.exec(file);
  if (compressed === null) return file;
  const where = file === resolvePath(path) ? '' : ` (in input path '${path}')`;
  throw new InputPathError(path, `Input file '${file}'${where} is compressed (.${compressed[1]}); tsflink reads gzip and zstd but not this compression yet: decompress it (or gzip it) first`);
}
