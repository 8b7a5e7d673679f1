/**
 * JSON Lines (https://jsonlines.org): one JSON value per line. `readJson` parses each line
 * (blank lines are skipped), optionally checking and converting the fields a schema names;
 * `writeJson` writes each element as one line of JSON. Bad lines are errors naming the file, the
 * line and the field, as readCsv's are, unless `ignoreInvalidLines` counts them instead.
 */
import { InputFormatError, truncateForMessage } from '../errors/index.ts';
import type { FieldType, JsonSourceOptions } from '../plan/nodes.ts';
import { dateFromText } from './csv-reader.ts';
import { countLineDelimiters } from './input-splits.ts';
import { readLines } from './line-reader.ts';

const INTEGER_TEXT = /^[+-]?[0-9]+$/;
const DECIMAL_TEXT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Why a line is not what the schema says: the field and the reason. */
class BadField {
  readonly field: string | undefined;
  readonly reason: string;
  constructor(field: string | undefined, reason: string) {
    this.field = field;
    this.reason = reason;
  }
}

export class JsonLineReader {
  private readonly schema: readonly (readonly [string, FieldType])[] | null;
  private readonly ignoreInvalidLines: boolean;
  private readonly onInvalidLine: (() => void) | undefined;

  constructor(options: JsonSourceOptions, onInvalidLine?: () => void) {
    this.schema = options.schema === undefined ? null : Object.entries(options.schema);
    this.ignoreInvalidLines = options.ignoreInvalidLines === true;
    this.onInvalidLine = onInvalidLine;
  }

  /** Emits the value of every non-blank line of `file` (or of its byte range, a split aligned to lines). */
  readFile(file: string, emit: (value: unknown) => void, range?: { readonly start: number; readonly end: number }): void {
    readLines(
      file,
      (line, lineNumber) => {
        if (isBlank(line)) return;
        const value = this.parse(line);
        if (!(value instanceof BadField)) {
          emit(value);
          return;
        }
        if (this.ignoreInvalidLines) {
          this.onInvalidLine?.();
          return;
        }
        // Line numbers count from the file's start, also in a split that starts later.
        const before = range === undefined || range.start === 0 ? 0 : countLineDelimiters(file, range.start, '\n');
        throw new InputFormatError(file, before + lineNumber, undefined, value.field === undefined ? value.reason : `field '${value.field}': ${value.reason}`);
      },
      range === undefined ? {} : { range },
    );
  }

  /** The line's value (converted by the schema), or what is wrong with it. */
  private parse(line: string): unknown {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      return new BadField(undefined, `invalid JSON (${(e as Error).message}): ${truncateForMessage(line, 80)}`);
    }
    if (this.schema === null) return value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return new BadField(undefined, `expected a JSON object for the schema, got ${truncateForMessage(line, 80)}`);
    const record = value as Record<string, unknown>;
    for (const [field, type] of this.schema) {
      const converted = convert(type, record[field]);
      if (converted instanceof BadField) return new BadField(field, converted.reason);
      record[field] = converted;
    }
    return record;
  }
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** A field's JSON value as its schema type; a missing field or null is null. */
function convert(type: FieldType, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  const bad = (what: string) => new BadField(undefined, `${type} value ${truncateForMessage(JSON.stringify(v), 60)} ${what}`);
  switch (type) {
    case 'STRING':
      return typeof v === 'string' ? v : bad('is not a string');
    case 'BOOL':
      return typeof v === 'boolean' ? v : bad('is not a boolean');
    case 'INT':
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad('is not an integer');
      return v > 2147483647 || v < -2147483648 ? bad('is outside the 32-bit range of INT [-2147483648, 2147483647]; use LONG') : v;
    case 'LONG':
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad('is not an integer');
      return Number.isSafeInteger(v) ? v : bad('exceeds ±(2^53−1); use BIGINT');
    case 'FLOAT':
    case 'DOUBLE':
      return typeof v === 'number' ? v : bad('is not a number');
    case 'BIGINT': {
      // A number JSON.parse kept exactly, or the digits as a string (how writeJson writes a bigint).
      const text = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' && INTEGER_TEXT.test(v) ? v : null;
      if (text === null) return bad(typeof v === 'number' ? 'is not an exact integer (write large integers as strings)' : 'is not an integer');
      const n = BigInt(text);
      return n < LONG_MIN || n > LONG_MAX ? bad('is outside the 64-bit range of BIGINT') : n;
    }
    case 'DECIMAL': {
      const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : null;
      return text !== null && DECIMAL_TEXT.test(text) ? text : bad('is not a decimal number');
    }
    default: {
      if (typeof v !== 'string') return bad(type === 'DATE' ? 'is not a date string (yyyy-MM-dd)' : 'is not a timestamp string');
      const date = dateFromText(type, v);
      return typeof date === 'string' ? bad(date) : date;
    }
  }
}

/** Why an element has no JSON form. */
export class UnwritableJsonError extends Error {}

/**
 * One element as a line of JSON (with its `\n`). Dates as their ISO text (JSON's own), a bigint
 * as its digits in a string (readJson's BIGINT reads it back), a Set or typed array as an array,
 * a Map with string keys as an object, bytes as an array of numbers; what JSON cannot hold
 * (a function, a symbol, undefined as the element, a Map with other keys, a cycle) is an error.
 */
export function jsonLine(record: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(record, replacer);
  } catch (e) {
    throw new UnwritableJsonError(`cannot be written as JSON: ${(e as Error).message}`);
  }
  if (text === undefined) throw new UnwritableJsonError(`${typeof record === 'undefined' ? 'undefined' : typeof record} has no JSON form`);
  return `${text}\n`;
}

function replacer(this: unknown, _key: string, v: unknown): unknown {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'function':
    case 'symbol':
      throw new TypeError(`a ${typeof v} has no JSON form`);
    case 'object':
      if (v === null || Array.isArray(v)) return v;
      if (v instanceof Set) return [...v];
      if (v instanceof Map) {
        const o: Record<string, unknown> = {};
        for (const [k, x] of v) {
          if (typeof k !== 'string') throw new TypeError(`a Map with a ${typeof k} key has no JSON form`);
          o[k] = x;
        }
        return o;
      }
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x.toString() : x));
      return v;
    default:
      return v;
  }
}
