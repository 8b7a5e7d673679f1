/**
 * `readText`'s input: the lines of one file, streamed synchronously.
 * Empty lines are kept; with the default `\n` delimiter a CRLF's `\r` is dropped.
 */
import { PlanError } from '../errors/index.ts';
import { DEFAULT_CHUNK_SIZE, TextChunkReader } from './text-chunk-reader.ts';

export interface LineReaderOptions {
  readonly lineDelimiter?: string;
  /** Bytes read per `fs.readSync`; tests use a few bytes to put chunk boundaries everywhere. */
  readonly chunkSize?: number;
  /** Only these bytes of the file: an input split whose ends sit on line boundaries (input-splits.ts). */
  readonly range?: { readonly start: number; readonly end: number };
}

/** Calls `onLine(line, lineNumber)` (1-based) for every line of `file`, without the terminator. */
export function readLines(file: string, onLine: (line: string, lineNumber: number) => void, options: LineReaderOptions = {}): void {
  const delimiter = options.lineDelimiter ?? '\n';
  if (delimiter.length === 0) throw new PlanError('The line delimiter must not be empty');
  const dropCr = delimiter === '\n';
  const reader = new TextChunkReader(file, options.chunkSize ?? DEFAULT_CHUNK_SIZE, options.range?.start, options.range?.end);
  let lineNumber = 0;
  let pending = '';
  let scanned = 0; // a prefix of `pending` already searched: no delimiter starts inside it
  try {
    for (let chunk = reader.next(); ; chunk = reader.next()) {
      const atEnd = chunk === null;
      if (!atEnd) pending += chunk;
      // Scan again only once the unfinished line has doubled, so one huge line costs linear, not quadratic, time.
      if (!atEnd && pending.length < 2 * scanned) continue;
      let start = 0;
      let end = pending.indexOf(delimiter, Math.max(0, scanned - delimiter.length + 1));
      for (; end >= 0; end = pending.indexOf(delimiter, start)) {
        const stop = dropCr && end > start && pending.charCodeAt(end - 1) === 13 ? end - 1 : end;
        onLine(pending.slice(start, stop), ++lineNumber);
        start = end + delimiter.length;
      }
      if (start > 0) pending = pending.slice(start);
      scanned = pending.length;
      if (atEnd) break;
    }
    if (pending.length > 0) {
      const stop = dropCr && pending.charCodeAt(pending.length - 1) === 13 ? pending.length - 1 : pending.length;
      onLine(pending.slice(0, stop), ++lineNumber);
    }
  } finally {
    reader.close();
  }
}
