/**
 * `readCsv`'s input: RFC 4180 rows of one file, typed into fresh tuples; a bad row (a LONG beyond ±(2^53−1) included) fails with its file and line unless `ignoreInvalidLines` counts and skips it.
 *
 * Hand-written rather than csv-parse: a measurement on this project's machines found this kind of
 * state machine 7× faster than csv-parse, and it gives file + line errors, `includedFields`, comment prefixes and
 * typed fields without a second pass. csv-parse stays as the test oracle.
 */
import { InputFormatError, PlanError, truncateForMessage } from '../errors/index.ts';
import type { CsvSourceOptions, FieldType } from '../plan/nodes.ts';
import { DEFAULT_CHUNK_SIZE, TextChunkReader } from './text-chunk-reader.ts';
import { countLineDelimiters } from './input-splits.ts';
import { csvDialectProblem } from './csv-dialect.ts';
import { compilePlainRows, type PlainRows } from './csv-rows.ts';

// What a file column turns into.
const EXCLUDED = -1;
const INTEGER = 0;
const FLOATING = 1;
const TEXT = 2;
const BOOLEAN = 3;
const INT32 = 4; // INT is Java's int: 32 bits
const BIG = 5;
const DECIMAL = 6;
const DATE = 7;
const TIMESTAMP = 8;

const TYPE_CODES: Readonly<Record<FieldType, number>> = {
  INT: INT32,
  LONG: INTEGER,
  FLOAT: FLOATING,
  DOUBLE: FLOATING,
  STRING: TEXT,
  BOOL: BOOLEAN,
  BIGINT: BIG,
  DECIMAL,
  DATE,
  TIMESTAMP,
};

const INTEGER_TEXT = /^[+-]?[0-9]+$/;
const DECIMAL_TEXT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const DATE_TEXT = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
// Flink SQL's `yyyy-MM-dd HH:mm:ss[.SSS]`, and ISO 8601's `T` and `Z` (what writeCsv writes).
// A date alone is its midnight (writeCsv writes a Date at UTC midnight so).
const TIMESTAMP_TEXT = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,3}))?Z?)?$/;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

// Java's Double.parseDouble forms minus its `d`/`f` suffixes and hex floats; no surrounding spaces (Flink).
const FLOAT_TEXT = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Infinity|NaN)$/;

// Returned by convert() for a field that does not parse; the reason is left in `badReason`.
const BAD: unique symbol = Symbol('bad field');

// An indexOf result cached across fields: the first match at or after the current position; -1 = none up to the end of the buffer.
const NONE = -1;

export interface CsvReaderTuning {
  /** Bytes read per `fs.readSync`; tests use a few bytes to put chunk boundaries everywhere. */
  readonly chunkSize?: number;
  /** Read plain rows with the generated loop (csv-rows.ts) where the dialect allows: a compiled pipeline's head. */
  readonly compiled?: boolean;
}

export class CsvReader {
  private readonly fieldDelimiter: string;
  private readonly lineDelimiter: string;
  private readonly quote: string;
  private readonly quoteCode: number; // -1: no quoting
  private readonly commentPrefix: string | null;
  private readonly toleratesCrlf: boolean;
  private readonly columnCodes: Int8Array; // per file column: EXCLUDED or a type code
  private readonly columnTypes: readonly (FieldType | null)[];
  private readonly expectedColumns: number;
  private readonly extraColumnsAllowed: boolean;
  private readonly ignoreFirstLine: boolean;
  private readonly ignoreInvalidLines: boolean;
  private readonly onInvalidLine: (() => void) | undefined;
  private readonly chunkSize: number;
  private readonly lookahead: number; // characters needed after a closing quote to tell what follows it
  /** The generated loop for rows without quotes (csv-rows.ts), when compiled and the dialect is plain; else null. */
  private readonly plainRows: PlainRows | null;
  private readonly plainLines = { count: 0 };

  // The file being read.
  private file = '';
  private line = 1;
  private headerPending = false;
  private badReason = '';

  constructor(types: readonly FieldType[], options: CsvSourceOptions, onInvalidLine?: () => void, tuning: CsvReaderTuning = {}) {
    const { fieldDelimiter, lineDelimiter, quoteCharacter, includedFields } = options;
    const problem = csvDialectProblem(fieldDelimiter, lineDelimiter, quoteCharacter);
    if (problem !== null) throw new PlanError(`readCsv: ${problem}`);
    if (types.length === 0) throw new PlanError('readCsv: at least one field type is required');
    this.fieldDelimiter = fieldDelimiter;
    this.lineDelimiter = lineDelimiter;
    this.quote = quoteCharacter ?? '';
    this.quoteCode = quoteCharacter === null ? -1 : quoteCharacter.charCodeAt(0);
    this.commentPrefix = options.ignoreComments === null || options.ignoreComments === '' ? null : options.ignoreComments;
    this.toleratesCrlf = lineDelimiter === '\n';
    const columnTypes: (FieldType | null)[] = [];
    if (includedFields === null) {
      columnTypes.push(...types);
    } else {
      const selected = includedFields.filter(Boolean).length;
      if (selected !== types.length) throw new PlanError(`readCsv: includedFields selects ${selected} columns but ${types.length} types were given`);
      let t = 0;
      for (const included of includedFields) columnTypes.push(included ? types[t++]! : null);
    }
    this.columnTypes = columnTypes;
    this.columnCodes = Int8Array.from(columnTypes, (type) => (type === null ? EXCLUDED : TYPE_CODES[type]));
    this.expectedColumns = columnTypes.length;
    this.extraColumnsAllowed = includedFields !== null;
    this.ignoreFirstLine = options.ignoreFirstLine;
    this.ignoreInvalidLines = options.ignoreInvalidLines;
    this.onInvalidLine = onInvalidLine;
    this.chunkSize = tuning.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.lookahead = Math.max(fieldDelimiter.length, lineDelimiter.length, 2);
    const plain = tuning.compiled === true && fieldDelimiter.length === 1 && fieldDelimiter !== '\r' && lineDelimiter === '\n' && this.commentPrefix === null;
    this.plainRows = plain ? compilePlainRows(Array.from(this.columnCodes), fieldDelimiter, this.extraColumnsAllowed, (code, text, column) => this.convert(code, text, column), BAD) : null;
  }

  /**
   * Parses `file` (or only the bytes of `range`, an input split whose ends sit on line
   * boundaries), calling `emit` with a fresh tuple per valid row. Line numbers in errors count
   * from the start of the file in either case.
   */
  readFile(file: string, emit: (tuple: unknown[]) => void, range?: { readonly start: number; readonly end: number }): void {
    if (range && range.start > 0) {
      try {
        this.readRange(file, emit, range);
      } catch (e) {
        if (!(e instanceof InputFormatError)) throw e;
        const before = countLineDelimiters(file, range.start, this.lineDelimiter);
        throw new InputFormatError(e.file, e.line + before, e.field, e.reason);
      }
      return;
    }
    this.readRange(file, emit, range);
  }

  private readRange(file: string, emit: (tuple: unknown[]) => void, range: { readonly start: number; readonly end: number } | undefined): void {
    this.file = file;
    this.line = 1;
    // The header is the first line of the file, in the first split only.
    this.headerPending = this.ignoreFirstLine && (range === undefined || range.start === 0);
    const reader = new TextChunkReader(file, this.chunkSize, range?.start, range?.end);
    let pending = '';
    let waitUntil = 0;
    try {
      for (let chunk = reader.next(); chunk !== null; chunk = reader.next()) {
        pending += chunk;
        // Parse an unfinished row again only once the buffer has doubled: one huge quoted field stays linear.
        if (pending.length < waitUntil) continue;
        pending = pending.slice(this.parse(pending, false, emit));
        waitUntil = 2 * pending.length;
      }
      if (pending.length > 0) this.parse(pending, true, emit);
    } finally {
      reader.close();
    }
  }

  /**
   * Emits every complete row of `text` and returns where the first incomplete one starts
   * (`text.length` when none is). At the end of the file (`atEnd`) every row is complete.
   */
  private parse(text: string, atEnd: boolean, emit: (tuple: unknown[]) => void): number {
    // The rows of a chunk without quotes go through the generated loop; it leaves any row it is not sure of to the loop below.
    let from = 0;
    if (this.plainRows !== null && !this.headerPending && (this.quoteCode === -1 || text.indexOf(this.quote) === -1)) {
      const lines = this.plainLines;
      lines.count = 0;
      from = this.plainRows(text, 0, emit, lines);
      this.line += lines.count;
      if (from === text.length || (!atEnd && text.indexOf('\n', from) === -1)) return from;
    }
    return this.parseFrom(text, from, atEnd, emit);
  }

  /** `parse` from `text[from]` on, one field at a time: every dialect, every row. */
  private parseFrom(text: string, from: number, atEnd: boolean, emit: (tuple: unknown[]) => void): number {
    const { fieldDelimiter, lineDelimiter, quote, quoteCode, commentPrefix, toleratesCrlf, columnCodes, lookahead } = this;
    const fdLength = fieldDelimiter.length;
    const ldLength = lineDelimiter.length;
    const length = text.length;
    let pos = from;
    let line = this.line;
    let ld = -2; // cached indexOf(lineDelimiter); -2 = not searched yet
    let fd = -2; // cached indexOf(fieldDelimiter)

    rows: while (pos < length) {
      const rowStart = pos;
      const rowLine = line;

      // The header line (the first physical line, as in Flink), a comment line or an empty line: skipped whole.
      if (this.headerPending || (commentPrefix !== null && text.startsWith(commentPrefix, pos))) {
        if (ld !== NONE && ld < pos) ld = text.indexOf(lineDelimiter, pos);
        if (ld === NONE && !atEnd) break rows;
        pos = ld === NONE ? length : ld + ldLength;
        line++;
        this.headerPending = false;
        continue;
      }
      if (text.startsWith(lineDelimiter, pos)) {
        pos += ldLength;
        line++;
        continue;
      }
      if (toleratesCrlf && text.charCodeAt(pos) === 13 && (text.charCodeAt(pos + 1) === 10 || (atEnd && pos + 1 === length))) {
        pos += 2;
        line++;
        continue;
      }

      const row: unknown[] = [];
      let column = 0;
      let invalid = false; // the first problem found is reported
      let broken = false; // the row's structure is bad (unclosed quote, text after a closing quote)
      let errorField: number | undefined;
      let errorReason = '';

      fields: for (;;) {
        const code = column < columnCodes.length ? columnCodes[column]! : EXCLUDED;

        if (text.charCodeAt(pos) === quoteCode) {
          let value = '';
          let segment = pos + 1;
          let close = segment;
          for (;;) {
            close = text.indexOf(quote, close);
            if (close === NONE || (!atEnd && close + 1 + lookahead > length)) {
              if (!atEnd) {
                pos = rowStart;
                line = rowLine;
                break rows;
              }
              // Unclosed quote: the rest of the file belongs to this row.
              invalid = broken = true;
              errorField = column + 1;
              errorReason = 'unclosed quote: the quoted field runs to the end of the file';
              pos = length;
              break fields;
            }
            if (text.charCodeAt(close + 1) !== quoteCode) break;
            value += text.slice(segment, close + 1); // a doubled quote stands for one
            segment = close + 2;
            close = segment;
          }
          value = value.length === 0 ? text.slice(segment, close) : value + text.slice(segment, close);
          if (ld !== NONE && ld < pos) ld = text.indexOf(lineDelimiter, pos);
          while (ld !== NONE && ld < close) {
            line++; // a line break inside the quotes
            ld = text.indexOf(lineDelimiter, ld + ldLength);
          }
          column++;
          if (code !== EXCLUDED && !this.addField(row, code, value, column) && !invalid) {
            invalid = true;
            errorField = column;
            errorReason = this.badReason;
          }
          const after = close + 1;
          if (text.startsWith(fieldDelimiter, after)) {
            pos = after + fdLength;
            continue fields;
          }
          if (after === length) {
            pos = length;
            break fields;
          }
          if (ld === after) {
            pos = after + ldLength;
            line++;
            break fields;
          }
          if (toleratesCrlf && text.charCodeAt(after) === 13 && (ld === after + 1 || after + 1 === length)) {
            pos = ld === NONE ? length : ld + ldLength;
            line++;
            break fields;
          }
          invalid = broken = true;
          errorField = column;
          errorReason = `unexpected '${truncateForMessage(text.slice(after, ld === NONE ? length : ld), 20)}' after the closing quote`;
          if (ld === NONE && !atEnd) {
            pos = rowStart;
            line = rowLine;
            break rows;
          }
          pos = ld === NONE ? length : ld + ldLength;
          line++;
          break fields;
        }

        // Unquoted: the field ends at the next field delimiter or at the end of the line.
        if (ld !== NONE && ld < pos) ld = text.indexOf(lineDelimiter, pos);
        if (ld === NONE && !atEnd) {
          pos = rowStart;
          line = rowLine;
          break rows;
        }
        const lineEnd = ld === NONE ? length : ld;
        if (fd !== NONE && fd < pos) fd = text.indexOf(fieldDelimiter, pos);
        const last = fd === NONE || fd >= lineEnd;
        let end = last ? lineEnd : fd;
        if (last && toleratesCrlf && end > pos && text.charCodeAt(end - 1) === 13) end--;
        column++;
        // Integers are read in place, without a string per field.
        if (code !== EXCLUDED && !(code === INTEGER || code === INT32 ? this.addInteger(row, code, text, pos, end, column) : this.addField(row, code, text.slice(pos, end), column)) && !invalid) {
          invalid = true;
          errorField = column;
          errorReason = this.badReason;
        }
        if (!last) {
          pos = fd + fdLength;
          continue fields;
        }
        pos = ld === NONE ? length : ld + ldLength;
        line++;
        break fields;
      }

      // A wrong field count explains a failed conversion better than the conversion error does.
      if (!broken && (column < this.expectedColumns || (column > this.expectedColumns && !this.extraColumnsAllowed))) {
        invalid = true;
        errorField = undefined;
        errorReason = this.wrongCountReason(column);
      }
      if (!invalid) emit(row);
      else if (this.ignoreInvalidLines) this.onInvalidLine?.();
      else throw new InputFormatError(this.file, rowLine, errorField, errorReason);
    }
    this.line = line;
    return pos;
  }

  /** Appends the field converted to its column's type; false (the reason in `badReason`) when it does not parse. */
  private addField(row: unknown[], code: number, text: string, column: number): boolean {
    const value = this.convert(code, text, column);
    if (value === BAD) return false;
    row.push(value);
    return true;
  }

  /** `addField` for an INT/LONG column's unquoted field `text[start, end)`. */
  private addInteger(row: unknown[], code: number, text: string, start: number, end: number, column: number): boolean {
    const n = end - start > 15 ? NaN : parseIntegerRange(text, start, end);
    // Long, bad or (for INT) beyond 32 bits: the general path says which.
    if (n !== n || (code === INT32 && (n > 2147483647 || n < -2147483648))) return this.addField(row, code, text.slice(start, end), column);
    row.push(n);
    return true;
  }

  /** The field as its column's type, or BAD with the reason in `badReason`. `column` is 1-based. */
  private convert(code: number, text: string, column: number): unknown {
    switch (code) {
      case TEXT:
        return text;
      case INT32: {
        const n = parseInteger(text);
        if (n !== n) return this.bad(column, text, 'is not an integer');
        if (n > 2147483647 || n < -2147483648) return this.bad(column, text, 'is outside the 32-bit range of INT [-2147483648, 2147483647]; use LONG');
        return n;
      }
      case INTEGER: {
        const n = parseInteger(text);
        if (n !== n) return this.bad(column, text, 'is not an integer');
        if (n > Number.MAX_SAFE_INTEGER || n < -Number.MAX_SAFE_INTEGER) return this.bad(column, text, 'exceeds ±(2^53−1)');
        return n;
      }
      case FLOATING:
        return FLOAT_TEXT.test(text) ? Number(text) : this.bad(column, text, 'is not a number');
      case BIG: {
        if (!INTEGER_TEXT.test(text)) return this.bad(column, text, 'is not an integer');
        const n = BigInt(text);
        return n < LONG_MIN || n > LONG_MAX ? this.bad(column, text, 'is outside the 64-bit range of BIGINT') : n;
      }
      case DECIMAL:
        return DECIMAL_TEXT.test(text) ? text : this.bad(column, text, 'is not a decimal number');
      case DATE:
      case TIMESTAMP:
        return this.dateField(code, text, column);
      default: {
        const lower = text.length === 4 || text.length === 5 ? text.toLowerCase() : '';
        if (lower === 'true') return true;
        if (lower === 'false') return false;
        return this.bad(column, text, "is not a boolean ('true' or 'false')");
      }
    }
  }

  /** A DATE or TIMESTAMP field as a Date (UTC); BAD for another form or a day or time that does not exist. */
  private dateField(code: number, text: string, column: number): Date | typeof BAD {
    const date = dateFromText(code === DATE ? 'DATE' : 'TIMESTAMP', text);
    return typeof date === 'string' ? this.bad(column, text, date) : date;
  }

  private bad(column: number, text: string, problem: string): typeof BAD {
    this.badReason = `${this.columnTypes[column - 1]} value '${truncateForMessage(text, 60)}' ${problem}`;
    return BAD;
  }

  private wrongCountReason(found: number): string {
    const expected = this.extraColumnsAllowed ? `at least ${this.expectedColumns} fields (the includedFields mask has ${this.expectedColumns} entries)` : `${this.expectedColumns} fields`;
    return `expected ${expected} but found ${found}`;
  }
}

/**
 * An optional sign and at least one decimal digit, nothing else (no spaces: Flink does not trim);
 * NaN otherwise. Up to 15 digits are summed here, exactly: half the cost of Number() on integer columns.
 */
function parseInteger(text: string): number {
  const n = parseIntegerRange(text, 0, text.length);
  if (text.length <= 15 || n !== n) return n;
  // Beyond 15 digits the sum may round; Number() rounds once, correctly.
  const exact = Math.abs(Number(text));
  return text.charCodeAt(0) === 45 && exact !== 0 ? -exact : exact; // no -0
}

/** `parseInteger` of `text[start, end)`, exact up to 15 digits. */
function parseIntegerRange(text: string, start: number, end: number): number {
  const sign = start < end ? text.charCodeAt(start) : 0;
  let i = sign === 43 || sign === 45 ? start + 1 : start; // + -
  if (i === end) return NaN;
  let n = 0;
  for (; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    n = n * 10 + digit;
  }
  return sign === 45 && n !== 0 ? -n : n; // no -0
}

/**
 * A DATE (`yyyy-MM-dd`) or TIMESTAMP (`yyyy-MM-dd HH:mm:ss[.SSS]`, `T` and `Z` allowed) text as a
 * Date (UTC), or what is wrong with it (for readCsv and readJson).
 */
export function dateFromText(type: 'DATE' | 'TIMESTAMP', text: string): Date | string {
  const m = (type === 'DATE' ? DATE_TEXT : TIMESTAMP_TEXT).exec(text);
  if (m === null) return type === 'DATE' ? 'is not a date (yyyy-MM-dd)' : 'is not a timestamp (yyyy-MM-dd HH:mm:ss[.SSS])';
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s, ms));
  date.setUTCFullYear(y!); // Date.UTC maps years 0–99 to 1900–1999
  if (date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d! || h > 23 || mi > 59 || s > 59) return 'is not a day and time that exists';
  return date;
}
