/**
 * Runs fuzz targets (target.ts) through fast-check and reports, per target, the cases run, the
 * failures (fast-check's shrunk counterexample, with the seed and path that replay it) and the
 * time taken. Used by `npm run fuzz` (run.ts) and by test/fuzz/fuzz.test.ts with few runs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { FuzzTarget } from './target.ts';

export interface RunOptions {
  /** Cases per property. */
  readonly runs: number;
  /** fast-check's seed: the same seed generates the same cases. */
  readonly seed: number;
}

export interface PropertyFailure {
  readonly property: string;
  /** fast-check's report: the shrunk counterexample, the error, and how to replay it. */
  readonly report: string;
  readonly counterexample: unknown;
  readonly seed: number;
  readonly path: string | null;
}

export interface TargetResult {
  readonly name: string;
  /** Cases run over all the target's properties (up to and including a failing one). */
  readonly cases: number;
  readonly properties: number;
  readonly failures: readonly PropertyFailure[];
  readonly ms: number;
}

/** Checks every property of `target` for `runs` cases; never throws for a failing property. */
export async function runTarget(target: FuzzTarget, options: RunOptions): Promise<TargetResult> {
  const started = performance.now();
  const failures: PropertyFailure[] = [];
  let cases = 0;
  let properties: ReturnType<FuzzTarget['properties']>;
  try {
    properties = target.properties();
  } catch (err) {
    const report = `building the properties threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    return { name: target.name, cases: 0, properties: 0, failures: [{ property: '(setup)', report, counterexample: null, seed: options.seed, path: null }], ms: performance.now() - started };
  }
  for (const p of properties) {
    const details = await fc.check(p.property, { numRuns: options.runs, seed: options.seed });
    cases += details.numRuns;
    if (details.failed) {
      failures.push({
        property: p.name,
        report: `${fc.defaultReportMessage(details) ?? `failed (seed ${details.seed})`}${errorText(details.errorInstance)}`,
        counterexample: details.counterexample,
        seed: details.seed,
        path: details.counterexamplePath,
      });
    }
  }
  return { name: target.name, cases, properties: properties.length, failures, ms: performance.now() - started };
}

/** Every target in `dir`: the default export of each `*.ts` module, sorted by name. */
export async function loadTargets(dir: string): Promise<FuzzTarget[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  const targets: FuzzTarget[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default?: unknown };
    if (!isTarget(mod.default)) throw new Error(`${join(dir, f)}: its default export is not a FuzzTarget ({ name, description, properties() }); see bench/fuzz/README.md`);
    targets.push(mod.default);
  }
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new Error(`two fuzz targets in ${dir} are named '${t.name}'`);
    seen.add(t.name);
  }
  return targets;
}

/** The error a failing case threw (fast-check's report leaves its message out unless verbose). */
function errorText(err: unknown): string {
  if (err === null || err === undefined) return '';
  const text = err instanceof Error ? err.message : String(err);
  return `\nError: ${text}`;
}

function isTarget(v: unknown): v is FuzzTarget {
  const t = v as Partial<FuzzTarget> | null | undefined;
  return typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.description === 'string' && typeof t.properties === 'function';
}

/** The lines `npm run fuzz` prints for one target. */
export function formatResult(r: TargetResult): string {
  const head = `${r.name}: ${r.cases} cases (${r.properties} properties), ${r.failures.length} failures, ${(r.ms / 1000).toFixed(1)} s`;
  const lines = [head];
  for (const f of r.failures) {
    lines.push(`  FAILED ${r.name} / ${f.property} (seed ${f.seed}${f.path === null ? '' : `, path "${f.path}"`})`);
    for (const l of f.report.split('\n')) lines.push(`    ${l}`);
  }
  return lines.join('\n');
}
