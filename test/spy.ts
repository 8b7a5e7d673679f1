/**
 * A log user functions write to from wherever they run — this thread, a worker thread, a Flink
 * Node worker — for tests that check which functions ran, where and on what: a function captures
 * the log's path (a string travels with it) and calls `record`, which the worker imports from
 * this module. No node:test import here: workers import this module.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new empty log file; `removeSpyLogs` (or the test's temp dir cleanup) removes it. */
export function spyLog(dir: string = spyDir()): string {
  const file = join(dir, `spy-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, '');
  return file;
}

let dirOfProcess: string | null = null;
function spyDir(): string {
  if (dirOfProcess === null || !existsSync(dirOfProcess)) {
    dirOfProcess = mkdtempSync(join(tmpdir(), 'tsflink-spy-'));
    const dir = dirOfProcess;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dirOfProcess;
}

/** Appends one entry (a JSON value) to the log; one short append is atomic for concurrent writers. */
export function record(log: string, entry: unknown): void {
  appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

/** The entries logged so far, in the order they were written. */
export function recorded<T = unknown>(log: string): T[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Empties the log. */
export function clearLog(log: string): void {
  writeFileSync(log, '');
}
