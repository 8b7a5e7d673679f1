/**
 * Durations as Flink writes them (`5 s`, `500ms`, `2 min`, `1 h`, `30000`): a bare number is
 * milliseconds.
 */

const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['', 1],
  ['ms', 1],
  ['milli', 1],
  ['millis', 1],
  ['millisecond', 1],
  ['milliseconds', 1],
  ['s', 1000],
  ['sec', 1000],
  ['secs', 1000],
  ['second', 1000],
  ['seconds', 1000],
  ['m', 60_000],
  ['min', 60_000],
  ['mins', 60_000],
  ['minute', 60_000],
  ['minutes', 60_000],
  ['h', 3_600_000],
  ['hour', 3_600_000],
  ['hours', 3_600_000],
  ['d', 86_400_000],
  ['day', 86_400_000],
  ['days', 86_400_000],
]);

/** Parses a duration to whole milliseconds (at least 1), or returns null when `value` is not one. */
export function parseDuration(value: number | string): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (match === null) return null;
  const unit = UNIT_MS.get(match[2]!.toLowerCase());
  if (unit === undefined) return null;
  const ms = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

/** A duration as messages show it: `5 s`, `1.5 s`, `2 min`, `250 ms`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))} s`;
  return `${ms} ms`;
}
