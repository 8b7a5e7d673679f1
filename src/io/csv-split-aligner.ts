/**
 * Where the input splits of a CSV file begin and end: always between two records, never inside a
 * quoted field, for any parallelism and split size.
 *
 * Why a scan from the start of the file: whether a line delimiter at byte `x` ends a record
 * depends on everything before it (a quote opens a field only at a field's start, a comment or
 * header line ignores quotes, a doubled quote stays inside), and no look at bytes near `x` can
 * tell: a quoted field may itself hold text that looks like complete rows. So, as Flink's
 * readers do for a line format, a split reads from the first record start at or after its offset
 * to the first record start at or after its end; unlike a line format, those record starts are
 * found by running the row structure of `CsvReader.parse` over the bytes from the file's start
 * (`rowEnd` below follows it rule for rule: quotes, doubled quotes, text after a closing quote,
 * header, comments, empty lines). Both ends of every split come from this one function of the
 * file's bytes, and the end offset of one split is the start offset of the next, so every record
 * is read by exactly one split. Searching UTF-8 bytes for the delimiters finds exactly the places
 * where the decoded text holds them (a character's encoding never starts inside another's).
 *
 * Cost: one scan per file and source instance, up to that instance's last split, resumed from
 * split to split (the splits of an instance come in file order). The scan does not decode or
 * convert anything, and with one-byte delimiters it jumps over quote-free stretches with
 * `indexOf` (there, every line delimiter ends a record).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { InputPathError } from '../errors/index.ts';
import type { CsvSourceOptions } from '../plan/nodes.ts';
import type { InputSplit } from './input-splits.ts';
import { utf8BomLength } from './text-chunk-reader.ts';

/** rowEnd's answer when the window ends before the row does. */
const MORE = -1;

const INITIAL_WINDOW = 1 << 20;

export class CsvSplitAligner {
  private readonly fd: Buffer;
  private readonly ld: Buffer;
  private readonly quote: Buffer | null;
  private readonly comment: Buffer | null;
  private readonly ignoreFirstLine: boolean;
  private readonly lookahead: number; // bytes needed after a closing quote to tell what follows it
  private readonly fast: boolean; // one-byte delimiters: outside quotes, every line delimiter ends a row

  // The file being scanned: `rowStart` is a record start (0 = the file's start).
  private file = '';
  private size = 0;
  private rowStart = 0;
  private lastOffset = 0;
  private handle = -1;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  private windowLength = 0;

  constructor(options: CsvSourceOptions) {
    this.fd = Buffer.from(options.fieldDelimiter, 'utf8');
    this.ld = Buffer.from(options.lineDelimiter, 'utf8');
    this.quote = options.quoteCharacter === null ? null : Buffer.from(options.quoteCharacter, 'utf8');
    this.comment = options.ignoreComments === null || options.ignoreComments === '' ? null : Buffer.from(options.ignoreComments, 'utf8');
    this.ignoreFirstLine = options.ignoreFirstLine;
    this.lookahead = Math.max(this.fd.length, this.ld.length, this.quote?.length ?? 0);
    this.fast = this.fd.length === 1 && this.ld.length === 1;
  }

  /** The byte range a split reads: from the first record start at or after its start to the first at or after its end. */
  align(split: InputSplit): { start: number; end: number } {
    if (split.whole) return { start: 0, end: split.size };
    try {
      return { start: this.recordStartAtOrAfter(split.file, split.start), end: this.recordStartAtOrAfter(split.file, split.end) };
    } catch (e) {
      if (e instanceof InputPathError) throw e;
      throw new InputPathError(split.file, `Cannot read input file '${split.file}': ${(e as Error).message}`, { cause: e });
    }
  }

  /** Releases the open file. */
  close(): void {
    if (this.handle >= 0) closeSync(this.handle);
    this.handle = -1;
    this.file = '';
  }

  /** The first record start at or after `offset` (the file's size when no record starts there). */
  recordStartAtOrAfter(file: string, offset: number): number {
    // The scan only moves forward; an offset before the last one asked starts it again.
    if (file !== this.file || offset < this.lastOffset) this.open(file);
    this.lastOffset = Math.max(0, offset);
    if (offset <= 0) return 0;
    if (offset >= this.size) return this.size;
    while (this.rowStart < offset) {
      if (this.rowStart < this.windowStart || this.rowStart >= this.windowStart + this.windowLength) this.load(this.rowStart, this.window.length);
      const next = this.fast && this.rowStart > 0 ? this.skipQuoteFree(offset) : this.rowStart;
      if (next !== this.rowStart) {
        this.rowStart = next;
        continue;
      }
      const end = this.rowEnd(this.rowStart - this.windowStart);
      if (end === MORE) {
        // The row goes on past the window: read it again with a window twice as large (linear in the row's length).
        this.load(this.rowStart, this.rowStart === this.windowStart ? 2 * this.window.length : this.window.length);
        continue;
      }
      this.rowStart = this.windowStart + end;
    }
    return this.rowStart;
  }

  private open(file: string): void {
    this.close();
    this.handle = openSync(file, 'r');
    this.file = file;
    this.size = statSync(file).size;
    this.rowStart = 0;
    this.lastOffset = 0;
    this.windowStart = 0;
    this.windowLength = 0;
    if (this.window.length === 0) this.window = Buffer.allocUnsafe(INITIAL_WINDOW);
  }

  /** Fills the window with the file's bytes from `from`, growing it to `capacity` bytes. */
  private load(from: number, capacity: number): void {
    if (capacity > this.window.length) this.window = Buffer.allocUnsafe(capacity);
    let length = 0;
    while (length < this.window.length && from + length < this.size) {
      const n = readSync(this.handle, this.window, length, this.window.length - length, from + length);
      if (n === 0) break;
      length += n;
    }
    this.windowStart = from;
    this.windowLength = length;
  }

  private get windowAtEnd(): boolean {
    return this.windowStart + this.windowLength >= this.size;
  }

  /**
   * With one-byte delimiters, the record start the scan can move to without reading rows one by
   * one: up to the row holding the next quote character, every line delimiter ends a row (a row
   * without quotes ends at its first line delimiter, whatever it is: header, comment or data).
   * `rowStart` itself when the next row must be read whole (it holds a quote).
   */
  private skipQuoteFree(offset: number): number {
    const w = this.window;
    const from = this.rowStart - this.windowStart;
    const limit = this.windowLength;
    const quoteAt = this.quote === null ? -1 : w.subarray(0, limit).indexOf(this.quote, from);
    const stop = quoteAt < 0 ? limit : quoteAt; // [from, stop) holds no quote
    const ldByte = this.ld[0]!;
    // The row start at or after `offset`, if it lies in the quote-free stretch.
    const target = offset - 1 - this.windowStart; // a line delimiter at offset-1 starts a row at offset
    if (target < stop) {
      const at = w.subarray(0, stop).indexOf(ldByte, Math.max(from, target));
      if (at >= 0) return this.windowStart + at + 1;
    }
    if (quoteAt < 0 && this.windowAtEnd) return this.size; // no further record start
    // Move to the start of the row that holds the quote (or the last row start in the window).
    // (None: this very row holds the quote, or runs past the window; rowEnd reads it.)
    const last = w.subarray(from, stop).lastIndexOf(ldByte);
    return last < 0 ? this.rowStart : this.windowStart + from + last + 1;
  }

  /**
   * Where the row starting at window index `r` ends (just past its line delimiter, or the end of
   * the file), following CsvReader.parse; MORE when the window ends first. The row that starts
   * the file may begin with a byte-order mark, which the reader skips.
   */
  private rowEnd(r: number): number {
    const w = this.window;
    const length = this.windowLength;
    const atEnd = this.windowAtEnd;
    const { fd, ld, quote, comment } = this;
    const fileStart = this.windowStart + r === 0;
    let pos = fileStart ? utf8BomLength(w.subarray(0, length)) : r;

    // The header (first physical line) and comment lines end at their first line delimiter, quotes or not.
    if (fileStart && this.ignoreFirstLine) return this.lineEnd(pos);
    if (comment !== null) {
      const isComment = startsWith(w, length, comment, pos, atEnd);
      if (isComment === null) return MORE;
      if (isComment) return this.lineEnd(pos);
    }
    for (;;) {
      const quoted = quote === null ? false : startsWith(w, length, quote, pos, atEnd);
      if (quoted === null) return MORE;
      if (!quoted) {
        // Unquoted: the field ends at the next field delimiter, or the row at the line delimiter.
        const lineAt = w.subarray(0, length).indexOf(ld, pos);
        if (lineAt < 0 && !atEnd) return MORE;
        const lineEnd = lineAt < 0 ? length : lineAt;
        // The delimiters never overlap (csv-dialect.ts): a field delimiter before the line's end lies wholly before it.
        const fieldAt = w.subarray(0, lineEnd).indexOf(fd, pos);
        if (fieldAt >= 0) {
          pos = fieldAt + fd.length;
          continue;
        }
        return lineAt < 0 ? length : lineAt + ld.length;
      }
      // Quoted: find the closing quote (a doubled quote stays inside).
      const q = quote!;
      let close = pos + q.length;
      for (;;) {
        close = w.subarray(0, length).indexOf(q, close);
        if (close < 0) return atEnd ? length : MORE; // an unclosed quote runs to the end of the file
        if (!atEnd && close + q.length + this.lookahead > length) return MORE;
        if (startsWith(w, length, q, close + q.length, true) !== true) break;
        close += 2 * q.length;
      }
      const after = close + q.length;
      if (startsWith(w, length, fd, after, true) === true) {
        pos = after + fd.length;
        continue;
      }
      if (after >= length) return length; // atEnd here: lookahead guaranteed bytes otherwise
      // A line delimiter right after the quote ends the row; anything else (a CRLF's \r, or text
      // that makes the row invalid) runs to the next line delimiter, as the reader skips it.
      return this.lineEnd(after);
    }
  }

  /** Just past the first line delimiter at or after window index `pos`, the file's end, or MORE. */
  private lineEnd(pos: number): number {
    const at = this.window.subarray(0, this.windowLength).indexOf(this.ld, pos);
    if (at >= 0) return at + this.ld.length;
    return this.windowAtEnd ? this.windowLength : MORE;
  }
}

/** Whether `w[pos..]` starts with `bytes`: true, false, or null when the window ends before it can tell. */
function startsWith(w: Buffer, length: number, bytes: Buffer, pos: number, atEnd: boolean): boolean | null {
  for (let i = 0; i < bytes.length; i++) {
    if (pos + i >= length) return atEnd ? false : null;
    if (w[pos + i] !== bytes[i]) return false;
  }
  return true;
}
