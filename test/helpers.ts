/** Shared test helpers: multiset comparison, temp directories, running a case at several parallelisms. */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Runs `node …args` to the end and gives its exit status and output; SIGKILLed after
 * `timeoutMs` (status null then). For tests that must not block the event loop while it runs.
 */
export function runNode(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** This process's environment for a child `tsflink` client: no test-runner marker, no target from outside. */
export function clientEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_TARGET;
  delete env.TSFLINK_JOBMANAGER;
  return env;
}

/** Writes `content` to `dir/name` and returns the path. */
export function writeTestFile(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The first cause of class `C` in an error's cause chain. */
export function causeOf<C>(e: unknown, C: abstract new (...args: never[]) => C): C {
  for (let c: unknown = e; c instanceof Error; c = c.cause) if (c instanceof C) return c;
  assert.fail(`no ${C.name} in ${String(e)}`);
}

/** What `run` rejects with (a test failure if it resolves). */
export async function failure(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => assert.fail('no error'),
    (e: unknown) => e,
  );
}
