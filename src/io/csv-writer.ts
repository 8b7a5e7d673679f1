/**
 * `writeCsv`'s row format (SPEC §3, §9.7): fields in their text form, quoted (RFC 4180, the
 * quote doubled) only where `readCsv` would otherwise split or misread them.
 */
import { toText, type CustomToText } from './text-form.ts';

/** One CSV row, line delimiter included. A non-array element is written as a single field. */
export function formatCsvRow(tuple: unknown, fieldDelimiter: string, lineDelimiter: string, quote = '"', customToText?: CustomToText): string {
  if (!Array.isArray(tuple)) {
    return formatField(toText(tuple, customToText), lineDelimiter, fieldDelimiter, lineDelimiter, quote, true) + lineDelimiter;
  }
  const last = tuple.length - 1;
  let row = '';
  for (let i = 0; i <= last; i++) {
    if (i > 0) row += fieldDelimiter;
    const follower = i === last ? lineDelimiter : fieldDelimiter;
    row += formatField(toText(tuple[i], customToText), follower, fieldDelimiter, lineDelimiter, quote, last === 0);
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
  if (text.includes(quote) || text.includes('\n') || text.includes('\r')) return true;
  if (fieldDelimiter.length === 1 && lineDelimiter.length === 1) return text.includes(fieldDelimiter) || text.includes(lineDelimiter);
  // A multi-character delimiter may also start inside the field and end in the delimiter after it ('a:' + '::').
  const probe = text + follower;
  const fd = probe.indexOf(fieldDelimiter);
  const ld = probe.indexOf(lineDelimiter);
  return (fd >= 0 && fd < text.length) || (ld >= 0 && ld < text.length);
}
