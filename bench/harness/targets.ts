/**
 * The issue's targets, each judged from one workload's summary: PASS, MISS (with by how much),
 * or n/a when a contender it needs did not run.
 */
export interface ContenderSummary {
  readonly id: string;
  readonly label: string;
  readonly medianWallMs: number | null;
  /** Median user + system CPU seconds of the successful runs. */
  readonly medianCpuSeconds: number | null;
  readonly maxRssMiB: number | null;
  readonly failures: number;
  readonly wrong: boolean;
}

export interface Verdict {
  readonly target: string;
  readonly value: string;
  readonly verdict: 'PASS' | 'MISS' | 'n/a';
}

export interface Target {
  judge(summaries: readonly ContenderSummary[]): Verdict;
}

function byId(summaries: readonly ContenderSummary[], id: string): ContenderSummary | undefined {
  return summaries.find((s) => s.id === id);
}

/** Every tsflink run finished with the reference answer (other contenders' failures are reported by the driver). */
export function allCorrect(): Target {
  return {
    judge(all) {
      const summaries = all.filter((s) => s.id.startsWith('tsflink'));
      const bad = summaries.filter((s) => s.failures > 0 || s.wrong);
      const what = (s: ContenderSummary): string => `${s.label}: ${s.failures > 0 ? `${s.failures} failed run(s)` : 'wrong answer'}`;
      return {
        target: "tsflink completes with the baseline's answer",
        value: bad.length === 0 ? `${summaries.length} of ${summaries.length} agree` : bad.map(what).join('; '),
        verdict: bad.length === 0 ? 'PASS' : 'MISS',
      };
    },
  };
}

/** Median wall time of `id` at most `limit` × that of `reference`. */
export function ratioAtMost(id: string, reference: string, limit: number): Target {
  return {
    judge(summaries) {
      const a = byId(summaries, id);
      const b = byId(summaries, reference);
      const target = `${a?.label ?? id} wall time ≤ ${limit}× ${b?.label ?? reference}`;
      if (!a?.medianWallMs || !b?.medianWallMs) return { target, value: 'not measured', verdict: 'n/a' };
      const ratio = a.medianWallMs / b.medianWallMs;
      // CPU time is steadier than wall time on a machine shared with other work: shown beside it.
      const cpu = a.medianCpuSeconds && b.medianCpuSeconds ? ` (CPU time ${(a.medianCpuSeconds / b.medianCpuSeconds).toFixed(2)}×)` : '';
      return { target, value: `${ratio.toFixed(2)}×${cpu}`, verdict: ratio <= limit ? 'PASS' : 'MISS' };
    },
  };
}

/** Median wall time of `id` below that of `reference` (a peer; not measured when it did not run). */
export function fasterThan(id: string, reference: string): Target {
  return {
    judge(summaries) {
      const a = byId(summaries, id);
      const b = byId(summaries, reference);
      const target = `${a?.label ?? id} faster than ${b?.label ?? reference}`;
      if (!a?.medianWallMs || !b?.medianWallMs) return { target, value: 'not measured', verdict: 'n/a' };
      const ratio = a.medianWallMs / b.medianWallMs;
      const cpu = a.medianCpuSeconds && b.medianCpuSeconds ? ` (CPU time ${(a.medianCpuSeconds / b.medianCpuSeconds).toFixed(2)}×)` : '';
      return { target, value: `${ratio.toFixed(2)}× its wall time${cpu}`, verdict: ratio < 1 ? 'PASS' : 'MISS' };
    },
  };
}

/** Median wall time of `slower` at least `limit` × that of `faster`. */
export function speedupAtLeast(faster: string, slower: string, limit: number, cores: number): Target {
  return {
    judge(summaries) {
      const f = byId(summaries, faster);
      const s = byId(summaries, slower);
      const target = `p=${cores} at least ${limit}× faster than p=1`;
      if (!f?.medianWallMs || !s?.medianWallMs) return { target, value: 'not measured', verdict: 'n/a' };
      const speedup = s.medianWallMs / f.medianWallMs;
      return { target, value: `${speedup.toFixed(2)}×`, verdict: speedup >= limit ? 'PASS' : 'MISS' };
    },
  };
}

/** The highest peak RSS of any run of `id` at most `limitMiB`, and every run correct. */
export function maxRssAtMost(id: string, limitMiB: number): Target {
  return {
    judge(summaries) {
      const a = byId(summaries, id);
      const target = `${a?.label ?? id} peak RSS ≤ ${limitMiB} MiB`;
      if (a?.maxRssMiB === null || a === undefined) return { target, value: 'not measured', verdict: 'n/a' };
      const ok = a.maxRssMiB <= limitMiB && a.failures === 0 && !a.wrong;
      const note = a.failures > 0 ? ' (failed)' : a.wrong ? ' (wrong answer)' : '';
      return { target, value: `${Math.round(a.maxRssMiB)} MiB${note}`, verdict: ok ? 'PASS' : 'MISS' };
    },
  };
}

/** The highest peak RSS of `id`, shown without a verdict (small sizes: the limits are for the default ones). */
export function peakRss(id: string): Target {
  return {
    judge(summaries) {
      const a = byId(summaries, id);
      const value = a?.maxRssMiB == null ? 'not measured' : `${Math.round(a.maxRssMiB)} MiB`;
      return { target: `${a?.label ?? id} peak RSS (limit set for default sizes)`, value, verdict: 'n/a' };
    },
  };
}
