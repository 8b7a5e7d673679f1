/**
 * Memory sizes as Flink writes them (`512m`, `1g`, `256 MiB`, `1024`): units are binary
 * (k = 1024), a bare number is bytes.
 */

const UNIT_EXPONENTS: ReadonlyMap<string, number> = new Map([
  ['', 0],
  ['b', 0],
  ['bytes', 0],
  ['k', 1],
  ['kb', 1],
  ['kib', 1],
  ['kibibytes', 1],
  ['m', 2],
  ['mb', 2],
  ['mib', 2],
  ['mebibytes', 2],
  ['g', 3],
  ['gb', 3],
  ['gib', 3],
  ['gibibytes', 3],
  ['t', 4],
  ['tb', 4],
  ['tib', 4],
  ['tebibytes', 4],
]);

/**
 * Parses a memory size to a whole number of bytes, or returns null when `value` is not one
 * (no number, unknown unit, zero or negative, beyond `Number.MAX_SAFE_INTEGER`).
 */
export function parseMemorySize(value: number | string): number | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? value : null;
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (match === null) return null;
  const exponent = UNIT_EXPONENTS.get(match[2]!.toLowerCase());
  if (exponent === undefined) return null;
  const bytes = Math.round(Number(match[1]) * 1024 ** exponent);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}
