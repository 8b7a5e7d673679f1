/**
 * Is `taskmanager.memory` a limit? (`npm run bench:memory`) A group-reduce, an aggregation and a
 * sortPartition over N distinct 30-character keys (3 million by default) run at p=1 with budgets
 * of 16, 64 and 256 MiB, each first in V8's default heap (peak RSS: what a user sees) and then in
 * a heap of budget + 96 MiB (`--max-old-space-size`: does the live data stay near the budget,
 * or does the job die of an out-of-memory crash?). The baseline, measured in the same run, is the
 * same client over 1,000 keys: the report gives each run's peak RSS above it as a ratio of the
 * budget.
 *
 *   node --import tsx bench/memory-budget.ts [--keys N] [--modes group,sum,sort] [--budgets 16,64,256]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure } from './harness/measure.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CLI = join(ROOT, 'dist/cli/main.js');
const JOB = join(ROOT, 'test/fixtures/exhaustion-job.ts');

const { values: flags } = parseArgs({
  options: {
    keys: { type: 'string', default: '3000000' },
    modes: { type: 'string', default: 'group,sum,sort' },
    budgets: { type: 'string', default: '16,64,256' },
  },
});
const keys = Number(flags.keys);
const modes = flags.modes.split(',');
const budgets = flags.budgets.split(',').map(Number);

const box = mkdtempSync(join(tmpdir(), 'tsflink-bench-memory-'));
process.on('exit', () => rmSync(box, { recursive: true, force: true }));
const spill = join(box, 'spill');
mkdirSync(spill);

async function run(mode: string, n: number, budgetMiB: number, heapMiB: number | null): Promise<{ ok: boolean; rss: number | null; seconds: number; tail: string }> {
  const work = mkdtempSync(join(box, 'work-'));
  writeFileSync(join(work, 'tsflink.yaml'), `io.tmp.dirs: ${JSON.stringify(spill)}\ntaskmanager.memory: ${budgetMiB}m\n`);
  const heap = heapMiB === null ? [] : [`--max-old-space-size=${heapMiB}`];
  const m = await measure([...heap, CLI, 'run', JOB, '-p', '1', '-', mode, String(n)], { cwd: work, timeoutMs: 30 * 60_000, env: { ...process.env, TMPDIR: box } });
  rmSync(work, { recursive: true, force: true });
  return { ok: m.ok, rss: m.peakRssMiB, seconds: m.wallMs / 1000, tail: m.stderrTail };
}

const baseline = await run('group', 1000, 16, null);
if (!baseline.ok || baseline.rss === null) throw new Error(`the baseline failed: ${baseline.tail}`);
console.log(`baseline (1,000 keys): peak RSS ${baseline.rss.toFixed(0)} MiB`);
console.log(`\n| job | budget | peak RSS | above baseline / budget | in a heap of budget + 96 MiB |`);
console.log(`|---|---|---|---|---|`);
let failures = 0;
for (const mode of modes) {
  for (const budget of budgets) {
    const free = await run(mode, keys, budget, null);
    const capped = await run(mode, keys, budget, budget + 96);
    if (!free.ok || !capped.ok) failures++;
    const rss = free.rss === null ? '?' : `${free.rss.toFixed(0)} MiB`;
    const ratio = free.rss === null ? '?' : `${((free.rss - baseline.rss) / budget).toFixed(2)}×`;
    const heap = capped.ok ? `finished (${capped.rss?.toFixed(0) ?? '?'} MiB RSS, ${capped.seconds.toFixed(1)} s)` : `FAILED: ${capped.tail.split('\n').slice(-2).join(' ')}`;
    console.log(`| ${mode} ${keys.toLocaleString('en')} keys | ${budget} MiB | ${free.ok ? rss : 'FAILED'} (${free.seconds.toFixed(1)} s) | ${ratio} | ${heap} |`);
  }
}
if (failures > 0) {
  console.log(`\n${failures} run(s) failed`);
  process.exitCode = 1;
}
