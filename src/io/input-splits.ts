/**
 * Input splits: how the files of a text or CSV source are shared among its parallel instances.
 * Small files are read whole; a large file is cut into byte ranges whose ends are moved forward
 * to the next record start, so that every record is read by exactly one instance (as Hadoop and
 * Flink do); a gzip file is never cut. For lines (`readText`) that is just after the next `\n` (`alignSplit`); a CSV
 * record may hold quoted line breaks, and csv-split-aligner.ts finds its starts.
 */
import { fileSystemOf, type ReadHandle } from './fs/file-system.ts';
import { isCompressedFile } from './text-chunk-reader.ts';

/** No split is smaller than this: below it a file is read whole by one instance. */
export const MIN_SPLIT_BYTES = 8 * 1024 * 1024;

export interface InputSplit {
  readonly file: string;
  /** Byte range [start, end) before alignment; `readSplit` moves both to line boundaries. */
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly whole: boolean;
}

/**
 * The splits of instance `subtask` of `parallelism`. Every instance computes the same plan from
 * the same files: splits are dealt largest first to the instance with the fewest bytes so far.
 */
export function splitsFor(files: readonly string[], parallelism: number, subtask: number, minSplitBytes = MIN_SPLIT_BYTES): InputSplit[] {
  const stats = files.map((f) => fileSystemOf(f).stat(f));
  const sizes = stats.map((s) => s?.size ?? 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  const target = Math.max(minSplitBytes, Math.ceil(total / parallelism));
  const splits: InputSplit[] = [];
  files.forEach((file, i) => {
    const size = sizes[i]!;
    const block = stats[i]?.blockSize ?? 0;
    // A gzip file cannot be cut: one instance reads it whole.
    const cut = size > target * 1.5 && !isCompressedFile(file);
    if (cut && block > 0) {
      // A file in blocks (HDFS) is cut at block boundaries, whole blocks per split, as Hadoop's
      // FileInputFormat does: each split's bytes lie in as few blocks as they can.
      const step = Math.max(1, Math.round(target / block)) * block;
      for (let start = 0; start < size; start += step) splits.push({ file, start, end: Math.min(size, start + step), size, whole: start === 0 && step >= size });
      return;
    }
    const pieces = cut ? Math.ceil(size / target) : 1;
    for (let k = 0; k < pieces; k++) {
      const start = Math.floor((k * size) / pieces);
      const end = Math.floor(((k + 1) * size) / pieces);
      splits.push({ file, start, end, size, whole: pieces === 1 });
    }
  });
  const load = new Array<number>(parallelism).fill(0);
  const mine: InputSplit[] = [];
  const order = splits.map((_s, i) => i).sort((a, b) => splits[b]!.end - splits[b]!.start - (splits[a]!.end - splits[a]!.start) || a - b);
  for (const i of order) {
    let best = 0;
    for (let t = 1; t < parallelism; t++) if (load[t]! < load[best]!) best = t;
    const s = splits[i]!;
    load[best]! += Math.max(1, s.end - s.start);
    if (best === subtask) mine.push(s);
  }
  // Read in file order, whatever the dealing order was.
  return mine.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.start - b.start);
}

/** The first position at or after `pos` that directly follows a line delimiter (or the file's end). */
function lineBoundary(fd: ReadHandle, pos: number, size: number, delimiter: Buffer): number {
  if (pos <= 0) return 0;
  if (pos >= size) return size;
  const chunk = Buffer.allocUnsafe(64 * 1024);
  let at = Math.max(0, pos - delimiter.length);
  let carry = Buffer.alloc(0);
  let carryStart = at;
  for (;;) {
    const n = fd.read(chunk, 0, chunk.length, at);
    if (n === 0) return size;
    const window = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    const i = window.indexOf(delimiter);
    if (i >= 0) return carryStart + i + delimiter.length;
    at += n;
    carry = Buffer.from(window.subarray(Math.max(0, window.length - delimiter.length + 1)));
    carryStart = at - carry.length;
  }
}

/** The byte range of a split, both ends moved to line boundaries (for a delimiter that cannot overlap itself, such as `\n`). */
export function alignSplit(split: InputSplit, delimiter: string): { start: number; end: number } {
  if (split.whole) return { start: 0, end: split.size };
  const fd = fileSystemOf(split.file).openRead(split.file);
  try {
    const d = Buffer.from(delimiter, 'utf8');
    return { start: lineBoundary(fd, split.start, split.size, d), end: lineBoundary(fd, split.end, split.size, d) };
  } finally {
    fd.close();
  }
}

/** How many line delimiters the file holds before byte `end` (for line numbers in a split's errors). */
export function countLineDelimiters(file: string, end: number, delimiter: string): number {
  const d = Buffer.from(delimiter, 'utf8');
  const fd = fileSystemOf(file).openRead(file);
  const chunk = Buffer.allocUnsafe(1 << 20);
  let count = 0;
  let carry = Buffer.alloc(0);
  try {
    for (let at = 0; at < end; ) {
      const n = fd.read(chunk, 0, Math.min(chunk.length, end - at), at);
      if (n === 0) break;
      const window = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let i = window.indexOf(d);
      let last = -1;
      while (i >= 0) {
        count++;
        last = i + d.length;
        i = window.indexOf(d, last);
      }
      at += n;
      carry = Buffer.from(window.subarray(Math.max(last, window.length - d.length + 1)));
    }
  } finally {
    fd.close();
  }
  return count;
}
