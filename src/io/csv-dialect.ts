/**
 * The delimiters and quote character that `readCsv` and `writeCsv` accept: one rule for both,
 * checked when the program builds the plan, so that whatever `writeCsv` writes `readCsv` can read
 * back with the same options (and a dialect that cannot be read is refused before anything runs).
 */

/** Why the dialect cannot be read unambiguously, or null when it can. `quote` null: no quoting. */
export function csvDialectProblem(fieldDelimiter: unknown, lineDelimiter: unknown, quote: unknown): string | null {
  if (typeof fieldDelimiter !== 'string' || typeof lineDelimiter !== 'string') return 'the field and line delimiters must be strings';
  if (fieldDelimiter.length === 0 || lineDelimiter.length === 0) return 'the field and line delimiters must not be empty';
  // Overlapping delimiters ('a;' and ';b' in 'xa;b') would make where a field ends depend on how far ahead the reader looks.
  if (overlap(fieldDelimiter, lineDelimiter)) {
    return `the delimiters must not overlap: neither may contain the other or begin with the other's end (field ${show(fieldDelimiter)}, line ${show(lineDelimiter)})`;
  }
  if (quote === null) return null;
  if (typeof quote !== 'string' || quote.length !== 1) return `the quote character must be one character (one UTF-16 unit), got ${show(String(quote))}`;
  if (fieldDelimiter.includes(quote)) return `the field delimiter ${show(fieldDelimiter)} contains the quote character ${show(quote)}; choose another delimiter or quote character`;
  if (lineDelimiter.includes(quote)) return `the line delimiter ${show(lineDelimiter)} contains the quote character ${show(quote)}; choose another delimiter or quote character`;
  return null;
}

/** Whether one delimiter contains the other, or a proper end of one begins the other. */
function overlap(a: string, b: string): boolean {
  if (a.includes(b) || b.includes(a)) return true;
  for (let k = 1; k < Math.min(a.length, b.length); k++) {
    if (a.endsWith(b.slice(0, k)) || b.endsWith(a.slice(0, k))) return true;
  }
  return false;
}

/** A delimiter as it reads in a message: control characters escaped (`'\n'`, `'\t'`). */
function show(text: string): string {
  return `'${text.replace(/[\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))}'`;
}
