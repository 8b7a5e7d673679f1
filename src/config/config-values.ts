/**
 * Parsers for the configuration values that can come from a file, an environment variable or
 * a CLI flag; each returns null for a value it cannot use, and the caller says where it came from.
 */

export type ExecutionTarget = 'local' | 'flink';

export const EXECUTION_TARGETS: readonly ExecutionTarget[] = ['local', 'flink'];

/** A positive integer, given as a number or as decimal digits. */
export function parsePositiveInteger(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return parsePositiveInteger(Number(value));
  return null;
}

export function parseExecutionTarget(value: unknown): ExecutionTarget | null {
  if (typeof value !== 'string') return null;
  const target = value.trim().toLowerCase();
  return EXECUTION_TARGETS.find((t) => t === target) ?? null;
}

/** `host:port` (an IPv6 host in brackets: `[::1]:8081`), port 1–65535; returned trimmed. */
export function parseHostPort(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const address = value.trim();
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(address);
  if (match === null) return null;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? address : null;
}
