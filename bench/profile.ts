/**
 * Profiles one workload's tsflink job with `node --cpu-prof` and prints where the time goes,
 * mapped to src/ lines. At p = 1 the job runs in-process, so one profile holds everything; at
 * p > 1 each worker thread writes its own profile, summarised one after another.
 *
 *   node --import tsx bench/profile.ts <workload> [--sizes small|default] [-p 1|N] [--top 25] [--seed S]
 *
 * Profiles are kept in bench/data/profiles/ (open them in Chrome DevTools or speedscope).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeConf } from './harness/conf.ts';
import { formatSummary, summarizeProfile } from './harness/cpu-profile.ts';
import { type BenchContext, DEFAULT_SEED, type SizeName, WORKLOADS } from './harness/workloads.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DATA = join(ROOT, 'bench', 'data');

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sizes: { type: 'string', default: 'default' },
    parallelism: { type: 'string', short: 'p', default: '1' },
    top: { type: 'string', default: '25' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
  },
});

const workload = WORKLOADS.find((w) => w.name === positionals[0]);
if (!workload) {
  console.error(`usage: bench/profile.ts <workload> [--sizes small|default] [-p 1|N]; workloads: ${WORKLOADS.map((w) => w.name).join(', ')}`);
  process.exit(2);
}
const ctx: BenchContext = {
  root: ROOT,
  tsflinkHome: ROOT,
  dataDir: DATA,
  sizes: flags.sizes as SizeName,
  seed: Number(flags.seed),
  // The p > 1 contender runs at the requested parallelism.
  cores: flags.parallelism === '1' ? Math.max(2, os.availableParallelism()) : Number(flags.parallelism),
  peers: { version: () => null, path: () => undefined, ensure: () => null },
  confFor: (budget) => writeConf(DATA, budget),
  log: (line) => console.log(line),
};
mkdirSync(DATA, { recursive: true });
const data = workload.prepare(ctx);
const id = flags.parallelism === '1' ? 'tsflink-p1' : 'tsflink-pN';
const contender = workload.contenders(ctx, data).find((c) => c.id === id)!;

const dir = join(DATA, 'profiles', `${workload.name}-${flags.sizes}-p${flags.parallelism}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const output = join(DATA, 'out', 'profile');
rmSync(output, { recursive: true, force: true });
const args = contender.args(output);

console.log(`profiling ${contender.label} on ${data.description}`);
const started = performance.now();
const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...args], { cwd: ROOT, stdio: 'inherit' });
console.log(`exit ${r.status} after ${((performance.now() - started) / 1000).toFixed(2)} s; profiles in ${dir}\n`);
rmSync(output, { recursive: true, force: true });

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()) {
  const summary = summarizeProfile(join(dir, file), ROOT);
  const idleMs = summary.functions.find((f) => f.name === '(idle)')?.selfMs ?? 0;
  // The coordinator at p > 1 and tsx's module-loader threads mostly wait: one line each.
  if (idleMs > 0.9 * summary.totalMs) {
    console.log(`== ${file}: ${((100 * idleMs) / summary.totalMs).toFixed(0)}% idle (a coordinator or module-loader thread)\n`);
    continue;
  }
  console.log(`== ${file}`);
  console.log(formatSummary(summary, Number(flags.top)));
  console.log('');
}
