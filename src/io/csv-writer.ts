/**
 * `writeCsv`'s row format: fields in their text form, quoted (RFC 4180, the
 * quote doubled) only where `readCsv` would otherwise split or misread them.
 */
import { TsflinkError, truncateForMessage } from '../errors/index.ts';
import { toText, type CustomToText } from './text-form.ts';
import type { BufferedFileWriter } from './file-writer.ts';

/**
 * A field writeCsv cannot write so that readCsv gives it back: null and undefined (CSV has no
 * null; written as 'null' they came back as the string 'null', or failed an INT column).
 * Refused when the record is written, naming the field, rather than lost silently.
 */
export class UnwritableCsvFieldError extends TsflinkError {}

function unwritable(tuple: unknown, field: number | undefined): UnwritableCsvFieldError {
  const value = field === undefined ? tuple : (tuple as unknown[])[field];
  const which = field === undefined ? 'the record' : `field ${field} (0-based) of the record ${truncateForMessage(toText(tuple), 80)}`;
  return new UnwritableCsvFieldError(`writeCsv cannot write ${which}: it is ${String(value)}, and CSV has no ${String(value)} that readCsv would give back; map it to a value first (e.g. v ?? '')`);
}

// A field starting with U+FEFF is quoted: at the start of a file, readCsv would skip it as a byte-order mark.
const BOM = 0xfeff;

/** A number's CSV text: String(n), but -0 keeps its sign (as Java's "-0.0"), so that a DOUBLE column reads it back. */
function numberText(n: number): string {
  return n === 0 && 1 / n < 0 ? '-0' : String(n);
}

/** The text of a top-level field, refusing null and undefined. */
function fieldText(tuple: unknown, field: number | undefined, customToText: CustomToText | undefined): string {
  const v = field === undefined ? tuple : (tuple as unknown[])[field];
  if (v === null || v === undefined) throw unwritable(tuple, field);
  if (typeof v === 'number') return numberText(v);
  if (v instanceof Date) return customToText?.(v) ?? dateText(v, tuple, field);
  return toText(v, customToText);
}

/**
 * A Date as readCsv's DATE and TIMESTAMP read it back: `yyyy-MM-dd` at UTC midnight, else ISO
 * 8601 in UTC (`2026-12-04T13:05:09.250Z`). An invalid date, or a year outside 0–9999, has no
 * such text: refused.
 */
function dateText(d: Date, tuple: unknown, field: number | undefined): string {
  const t = d.getTime();
  const year = d.getUTCFullYear();
  if (t !== t || year < 0 || year > 9999) {
    const which = field === undefined ? 'the record' : `field ${field} (0-based) of the record ${truncateForMessage(toText(tuple), 80)}`;
    throw new UnwritableCsvFieldError(
      `writeCsv cannot write ${which}: the date ${t !== t ? 'is invalid' : `is in the year ${year}`}, which readCsv's DATE and TIMESTAMP (years 0000–9999) cannot read back`,
    );
  }
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** One CSV row, line delimiter included. A non-array element is written as a single field. */
export function formatCsvRow(tuple: unknown, fieldDelimiter: string, lineDelimiter: string, quote = '"', customToText?: CustomToText): string {
  return new CsvRowFormatter(fieldDelimiter, lineDelimiter, quote, customToText).format(tuple);
}

/** Characters a number's text form can hold (digits, sign, point, exponent, Infinity, NaN). */
const NUMBER_CHARS = /[-+.0-9eEINafinty]/;

/**
 * `formatCsvRow` for one sink: what the delimiters make safe is worked out once. Numbers skip
 * the quoting check when no delimiter or quote character can occur in a number's text; with
 * one-character delimiters a string field is checked by one regular expression, not five scans
 * (measured on the join benchmark: the checks were a fifth of the sink's time).
 */
export class CsvRowFormatter {
  private readonly fieldDelimiter: string;
  private readonly lineDelimiter: string;
  private readonly quote: string;
  private readonly customToText: CustomToText | undefined;
  private readonly plainNumbers: boolean;
  private readonly special: RegExp | null;
  /** For `writeRow`: the one-byte delimiters and quote (ASCII), or -1 when the dialect is not so. */
  private readonly fdCode: number;
  private readonly ldCode: number;
  private readonly quoteCode: number;

  constructor(fieldDelimiter: string, lineDelimiter: string, quote = '"', customToText?: CustomToText) {
    this.fieldDelimiter = fieldDelimiter;
    this.lineDelimiter = lineDelimiter;
    this.quote = quote;
    this.customToText = customToText;
    this.plainNumbers = !NUMBER_CHARS.test(fieldDelimiter + lineDelimiter + quote + '\n\r');
    this.special =
      fieldDelimiter.length === 1 && lineDelimiter.length === 1 && quote.length === 1 ? new RegExp(`[${[quote, '\n', '\r', fieldDelimiter, lineDelimiter].map(escapeClassChar).join('')}]`) : null;
    const ascii = this.special !== null && this.plainNumbers && fieldDelimiter.charCodeAt(0) < 0x80 && lineDelimiter.charCodeAt(0) < 0x80 && quote.charCodeAt(0) < 0x80;
    this.fdCode = ascii ? fieldDelimiter.charCodeAt(0) : -1;
    this.ldCode = ascii ? lineDelimiter.charCodeAt(0) : -1;
    this.quoteCode = ascii ? quote.charCodeAt(0) : -1;
  }

  /**
   * A compiled sink's row (optimizer/compiled-pipelines.ts): a tuple of integers and plain ASCII
   * strings is written as bytes straight into the writer's buffer — digits made from the number,
   * the string's characters copied — with no text of the row built and encoded. Anything else (a
   * field to quote, another type, non-ASCII text, a one-field row) writes nothing and returns
   * false: the caller then writes `format(tuple)`, which gives the same bytes.
   */
  writeRow(tuple: unknown, out: BufferedFileWriter): boolean {
    if (this.fdCode < 0 || !Array.isArray(tuple) || tuple.length < 2) return false;
    let bound = 1;
    for (let i = 0; i < tuple.length; i++) {
      const v = tuple[i];
      bound += typeof v === 'string' ? v.length + 1 : 25;
    }
    const buf = out.room(bound);
    if (buf === null) return false;
    const fd = this.fdCode;
    const ld = this.ldCode;
    const quote = this.quoteCode;
    let p = out.offset;
    for (let i = 0; i < tuple.length; i++) {
      if (i > 0) buf[p++] = fd;
      const v = tuple[i];
      if (typeof v === 'number') {
        if ((v | 0) === v && (v !== 0 || 1 / v > 0)) p = writeInt32(buf, p, v);
        else {
          const text = numberText(v); // ASCII: digits, sign, point, exponent, Infinity, NaN
          for (let j = 0; j < text.length; j++) buf[p++] = text.charCodeAt(j);
        }
      } else if (typeof v === 'string') {
        const n = v.length;
        for (let j = 0; j < n; j++) {
          const c = v.charCodeAt(j);
          if (c >= 0x80 || c === quote || c === 10 || c === 13 || c === fd || c === ld) return false;
          buf[p++] = c;
        }
      } else return false;
    }
    buf[p++] = ld;
    out.commit(p);
    return true;
  }

  format(tuple: unknown): string {
    if (!Array.isArray(tuple)) return formatCsvRowSlow(tuple, this.fieldDelimiter, this.lineDelimiter, this.quote, this.customToText);
    const last = tuple.length - 1;
    const { special, plainNumbers } = this;
    if (special === null || last === 0) return formatCsvRowSlow(tuple, this.fieldDelimiter, this.lineDelimiter, this.quote, this.customToText);
    let row = '';
    for (let i = 0; i <= last; i++) {
      if (i > 0) row += this.fieldDelimiter;
      const v = tuple[i];
      if (typeof v === 'number' && plainNumbers) {
        row += v === 0 && 1 / v < 0 ? '-0' : String(v);
        continue;
      }
      const text = fieldText(tuple, i, this.customToText);
      if (text.length > 0 && (special.test(text) || text.charCodeAt(0) === BOM)) row += this.quote + text.split(this.quote).join(this.quote + this.quote) + this.quote;
      else row += text;
    }
    return row + this.lineDelimiter;
  }
}

/** An int32's decimal digits at `p`; returns the end. */
function writeInt32(buf: Uint8Array, p: number, v: number): number {
  if (v < 0) {
    buf[p++] = 45; // -
    v = -v; // -2^31 stays exact as a double
  }
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  const end = p + digits;
  for (let q = end - 1; q >= p; q--) {
    const d = v % 10;
    buf[q] = 48 + d;
    v = (v - d) / 10;
  }
  return end;
}

function escapeClassChar(c: string): string {
  return c === '\n' ? '\\n' : c === '\r' ? '\\r' : c.replace(/[\\\]^-]/g, '\\$&');
}

function formatCsvRowSlow(tuple: unknown, fieldDelimiter: string, lineDelimiter: string, quote: string, customToText: CustomToText | undefined): string {
  if (!Array.isArray(tuple)) {
    return formatField(fieldText(tuple, undefined, customToText), lineDelimiter, fieldDelimiter, lineDelimiter, quote, true) + lineDelimiter;
  }
  const last = tuple.length - 1;
  let row = '';
  for (let i = 0; i <= last; i++) {
    if (i > 0) row += fieldDelimiter;
    const follower = i === last ? lineDelimiter : fieldDelimiter;
    row += formatField(fieldText(tuple, i, customToText), follower, fieldDelimiter, lineDelimiter, quote, last === 0);
  }
  return row + lineDelimiter;
}

function formatField(text: string, follower: string, fieldDelimiter: string, lineDelimiter: string, quote: string, only: boolean): string {
  // A lone empty field would be an empty line, which readCsv skips.
  if (text.length === 0) return only ? quote + quote : text;
  if (!needsQuotes(text, follower, fieldDelimiter, lineDelimiter, quote)) return text;
  return quote + text.split(quote).join(quote + quote) + quote;
}

function needsQuotes(text: string, follower: string, fieldDelimiter: string, lineDelimiter: string, quote: string): boolean {
  if (text.charCodeAt(0) === BOM) return true;
  if (text.includes(quote) || text.includes('\n') || text.includes('\r')) return true;
  if (fieldDelimiter.length === 1 && lineDelimiter.length === 1) return text.includes(fieldDelimiter) || text.includes(lineDelimiter);
  // A multi-character delimiter may also start inside the field and end in the delimiter after it ('a:' + '::').
  const probe = text + follower;
  const fd = probe.indexOf(fieldDelimiter);
  const ld = probe.indexOf(lineDelimiter);
  return (fd >= 0 && fd < text.length) || (ld >= 0 && ld < text.length);
}
