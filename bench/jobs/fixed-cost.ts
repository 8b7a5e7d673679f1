/**
 * The fixed cost of a parallel job (issue 10), measured inside one process: the same small job
 * at p=1 (in this thread) and at p=2 (on worker threads), alternating, after a warm-up of each.
 * What p=2 costs beyond p=1 here is shipping the functions and running subtasks on a warm pool,
 * not starting a process or threads.
 *
 *   tsflink run bench/jobs/fixed-cost.ts - <rounds> <output>
 *
 * Writes `<output>/answer` (the count, the same for every job) and `<output>/.timings.json`:
 * `{ runs: [{ id, wallMs, cpuSeconds }] }`, ids `tsflink-p1`, `tsflink-p2` and, for the process's
 * first parallel job (which may start the pool), `tsflink-p2-first`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getEnvironment } from 'tsflink';

const [roundsArg, output] = process.argv.slice(2) as [string, string];
const rounds = Number(roundsArg);
const N = 2_000_000;
// x * 2 is a multiple of 3 exactly when x is.
const EXPECTED = Math.floor(N / 3);

interface Timing {
  readonly id: string;
  readonly wallMs: number;
  /** User + system CPU of the whole process (worker threads included) during the job. */
  readonly cpuSeconds: number;
}

async function job(id: string, p: number): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const env = getEnvironment();
  env.setParallelism(p);
  const n = await env
    .generateSequence(1, N)
    .map((x) => x * 2)
    .filter((x) => x % 3 === 0)
    .count();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (n !== EXPECTED) throw new Error(`count at p=${p} was ${n}, expected ${EXPECTED}`);
  return { id, wallMs, cpuSeconds: (used.user + used.system) / 1e6 };
}

const runs: Timing[] = [await job('tsflink-p2-first', 2)];
await job('warm-up', 1);
await job('warm-up', 2);
for (let i = 0; i < rounds; i++) {
  runs.push(await job('tsflink-p1', 1));
  runs.push(await job('tsflink-p2', 2));
}

mkdirSync(output, { recursive: true });
writeFileSync(join(output, 'answer'), `${EXPECTED}\n`);
writeFileSync(join(output, '.timings.json'), `${JSON.stringify({ runs })}\n`);
