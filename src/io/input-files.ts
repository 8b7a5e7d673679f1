/**
 * Input and output paths: `file:` URLs and plain paths to absolute local paths, and the
 * files a source reads (a file, or the visible files of a directory, like Flink's FileInputFormat).
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * The files a source reads: a file → [it]; a directory → its regular files in name order,
 * skipping hidden names (`.`, `_` prefixes, as Flink does) and subdirectories.
 */
export function listInputFiles(path: string): string[] {
  const absolute = resolvePath(path);
  let stats: Stats;
  try {
    stats = statSync(absolute);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputPathError(path, `Input path '${path}' does not exist`, { cause: e });
    throw new InputPathError(path, `Input path '${path}' cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (!stats.isDirectory()) return [absolute];
  const files: string[] = [];
  for (const name of readdirSync(absolute).sort()) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const file = join(absolute, name);
    // statSync (not the dirent) so that a symbolic link to a file counts as a file.
    if (statSync(file, { throwIfNoEntry: false })?.isFile() === true) files.push(file);
  }
  return files;
}
