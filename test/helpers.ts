/** Shared test helpers: multiset comparison, temp directories, running a case at several parallelisms. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { type ExecutionEnvironment, getEnvironment } from '../src/index.ts';

/** The parallelisms every behaviour is checked at (Flink's ITCases run at 1 and 4). */
export const PARALLELISMS = [1, 4] as const;

/** A canonical string for any element, so that multisets of elements can be sorted and compared. */
export function canonical(v: unknown): string {
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    const name = proto && proto !== Object.prototype ? `${proto.constructor?.name}` : '';
    return `${name}{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? String(v);
}

/** Asserts that two collections hold the same elements with the same multiplicities, in any order. */
export function assertSameMultiset(actual: readonly unknown[], expected: readonly unknown[], message?: string): void {
  assert.deepEqual(actual.map(canonical).sort(), expected.map(canonical).sort(), message);
}

/** A fresh environment at parallelism p. */
export function envAt(p: number): ExecutionEnvironment {
  const env = getEnvironment();
  env.setParallelism(p);
  return env;
}

/** A temp directory removed when the test file ends. */
export function tempDir(prefix = 'tsflink-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
