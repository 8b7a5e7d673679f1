/**
 * The text form of an element: what `output()`, `writeText` and `writeCsv` print.
 * Runs once per record, so strings, numbers and tuples take the shortest path.
 */
import { TsflinkError } from '../errors/index.ts';

const objectToString = Object.prototype.toString;

/** A hook for registered custom types: the text of `v`, or undefined to use the default rules. */
export type CustomToText = (v: object) => string | undefined;

export function toText(value: unknown, customToText?: CustomToText): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return tupleText(value, customToText);
  return otherText(value, customToText);
}

function tupleText(tuple: readonly unknown[], customToText: CustomToText | undefined): string {
  let text = '(';
  for (let i = 0; i < tuple.length; i++) {
    if (i > 0) text += ',';
    text += toText(tuple[i], customToText);
  }
  return text + ')';
}

function otherText(value: unknown, customToText: CustomToText | undefined): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'object':
      return value === null ? 'null' : objectText(value, customToText);
    default:
      // bigint, symbol, function
      return String(value);
  }
}

function objectText(value: object, customToText: CustomToText | undefined): string {
  if (value instanceof Uint8Array) return bytesToHex(value);
  if (customToText !== undefined) {
    const custom = customToText(value);
    if (custom !== undefined) return custom;
  }
  const ownToString = (value as { toString?: unknown }).toString;
  if (typeof ownToString === 'function' && ownToString !== objectToString) return String(value);
  return JSON.stringify(value, jsonReplacer) ?? String(value);
}

/** Lower-case hex, no prefix. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

// Reads the holder's original value: a Buffer's toJSON() has already run when the replacer sees `value`.
function jsonReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  if (original instanceof Uint8Array) return bytesToHex(original);
  if (typeof value === 'bigint') return String(value);
  return value;
}

/**
 * A record's line for `writeText`: its text form and `\n`. A `\r` just before a line break or
 * at the end would be taken by readText for part of a CRLF line end and dropped ("abc\r" read
 * back as "abc"), so such a record is refused rather than changed; so is a leading U+FEFF on a
 * file's first line (`first`). (A record whose text holds
 * `\n` reads back as several lines, as in Flink: writeText writes lines, not escaped values.)
 */
export function textLine(record: unknown, first = false, customToText?: CustomToText): string {
  const text = typeof record === 'string' ? record : toText(record, customToText);
  // The first line of a file: readText would skip a leading U+FEFF as a byte-order mark.
  if (first && text.charCodeAt(0) === 0xfeff) {
    throw new UnwritableTextError(
      `writeText cannot write the record ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)} first in a file: readText would skip its leading U+FEFF as a byte-order mark`,
    );
  }
  const cr = text.indexOf('\r');
  if (cr >= 0 && (text.endsWith('\r') || text.includes('\r\n', cr))) {
    throw new UnwritableTextError(
      `writeText cannot write the record ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}: readText would drop its \\r before a line break as part of a CRLF line end; remove or replace the \\r first`,
    );
  }
  return `${text}\n`;
}

/** A record writeText cannot write so that readText gives it back (see textLine). */
export class UnwritableTextError extends TsflinkError {}
