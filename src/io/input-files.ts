/**
 * Input and output paths: `file:` URLs and plain paths to absolute local paths, and the
 * files a source reads (a file, or the visible files of a directory, like Flink's FileInputFormat).
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import { InputPathError, PlanError } from '../errors/index.ts';

// Two or more letters, so that a Windows drive letter (`C:\x`) is not taken for a scheme.
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;

/** `file:///abs`, `file:/abs`, or a plain relative/absolute path → an absolute local path. */
export function resolvePath(path: string): string {
  const scheme = SCHEME.exec(path);
  if (scheme === null) return resolve(path);
  if (scheme[1]!.toLowerCase() !== 'file') {
    throw new PlanError(`Unsupported file system '${scheme[1]}' in path '${path}': tsflink reads and writes local paths (file:// or plain paths)`);
  }
  try {
    return resolve(fileURLToPath(new URL(path)));
  } catch (e) {
    throw new PlanError(`Invalid file URL '${path}': ${(e as Error).message}`, { cause: e });
  }
}

// Flink's FileInputFormat reads these compressed (by extension); tsflink reads gzip (by its
// magic number, text-chunk-reader.ts), not these yet.
const COMPRESSED = /\.(bz2|xz|zst|deflate)$/i;

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
  let stats: Stats;
  try {
    stats = statSync(absolute);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if ((code === 'ENOENT' || code === 'ENOTDIR') && isGlob(absolute)) return globInputFiles(path, absolute);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputPathError(path, `Input path '${path}' does not exist`, { cause: e });
    throw new InputPathError(path, `Input path '${path}' cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (!stats.isDirectory()) return [checkNotCompressed(path, absolute)];
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
    const stats = statSync(match, { throwIfNoEntry: false });
    if (stats?.isDirectory() === true) files.push(...directoryFiles(path, match.replace(/\/$/, '')));
    else if (stats?.isFile() === true) files.push(checkNotCompressed(path, match));
  }
  if (matches.length === 0) throw new InputPathError(path, `Input path '${path}' matches no files`);
  return files;
}

function directoryFiles(path: string, absolute: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(absolute).sort()) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const file = join(absolute, name);
    // statSync (not the dirent) so that a symbolic link to a file counts as a file.
    if (statSync(file, { throwIfNoEntry: false })?.isFile() === true) files.push(checkNotCompressed(path, file));
  }
  return files;
}

function checkNotCompressed(path: string, file: string): string {
  const compressed = COMPRESSED.exec(file);
  if (compressed === null) return file;
  const where = file === resolvePath(path) ? '' : ` (in input path '${path}')`;
  throw new InputPathError(path, `Input file '${file}'${where} is compressed (.${compressed[1]}); tsflink reads gzip but not this compression yet: decompress it (or gzip it) first`);
}
