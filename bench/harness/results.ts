/**
 * What a bench run records: per workload, every run of every contender. Kept as JSON in
 * bench/data (local, not in git). The report is written from the records of the workloads just
 * run; the others keep their sections of the existing report (run.ts, `parseSections`), and only
 * one the report lacks is rendered from this JSON.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ContenderSummary, Verdict } from './targets.ts';

export interface RunRecord {
  readonly rep: number;
  readonly ok: boolean;
  readonly wallMs: number;
  readonly cpuSeconds: number | null;
  readonly peakRssMiB: number | null;
  /** How the answer differed from the reference; null when it was the same. */
  readonly wrong: string | null;
  /** The machine's one-minute load average when the run started (other work on it skews the figures). */
  readonly load?: number;
}

export interface ContenderRecord {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  readonly runs: RunRecord[];
}

export interface WorkloadRecord {
  readonly name: string;
  readonly title: string;
  readonly sizes: string;
  readonly seed: number;
  readonly data: string;
  readonly ranAt: string;
  readonly commit: string;
  readonly loadAverage: readonly [number, number];
  readonly contenders: ContenderRecord[];
  verdicts: Verdict[];
  readonly plan: string | null;
}

export interface ResultsFile {
  workloads: Record<string, WorkloadRecord>;
}

export function loadResults(path: string): ResultsFile {
  if (!existsSync(path)) return { workloads: {} };
  return JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
}

export function saveResults(path: string, results: ResultsFile): void {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(c: ContenderRecord): ContenderSummary {
  const ok = c.runs.filter((r) => r.ok);
  const rss = c.runs.map((r) => r.peakRssMiB).filter((v): v is number => v !== null);
  return {
    id: c.id,
    label: c.label,
    medianWallMs: median(ok.map((r) => r.wallMs)),
    medianCpuSeconds: median(ok.map((r) => r.cpuSeconds).filter((v): v is number => v !== null)),
    maxRssMiB: rss.length > 0 ? Math.max(...rss) : null,
    failures: c.runs.length - ok.length,
    wrong: c.runs.some((r) => r.wrong !== null),
  };
}
