/**
 * The fuzz driver (`npm run fuzz`): checks every target of bench/fuzz/targets/ (or the named ones)
 * for --runs cases per property, prints each target's cases, failures and time, and exits 1 when
 * any property failed. Not part of `npm test` (test/fuzz/fuzz.test.ts runs the targets briefly).
 *
 *   npm run fuzz -- [--runs N] [--seed S] [--dir <targets folder>] [target…]
 *
 * --runs defaults to 10,000; --seed to a fresh one, printed so that a failure can be replayed.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatResult, loadTargets, runTarget } from './harness.ts';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    dir: { type: 'string' },
  },
});

const runs = Number(flags.runs);
if (!(Number.isInteger(runs) && runs > 0)) fail(`--runs must be a positive integer, got '${flags.runs}'`);
const seed = flags.seed === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(flags.seed);
if (!Number.isInteger(seed)) fail(`--seed must be an integer, got '${flags.seed}'`);
const dir = flags.dir === undefined ? join(dirname(fileURLToPath(import.meta.url)), 'targets') : resolve(flags.dir);

const all = await loadTargets(dir);
const unknown = positionals.filter((n) => !all.some((t) => t.name === n));
if (unknown.length > 0) fail(`unknown fuzz target(s) ${unknown.join(', ')}; known: ${all.map((t) => t.name).join(', ')}`);
const selected = positionals.length === 0 ? all : all.filter((t) => positionals.includes(t.name));
if (selected.length === 0) fail(`no fuzz targets in ${dir}`);

console.log(`fuzz: ${selected.length} targets, ${runs} runs per property, seed ${seed}`);
let failures = 0;
let cases = 0;
const started = performance.now();
for (const target of selected) {
  console.log(`${target.name}: ${target.description}`);
  const result = await runTarget(target, { runs, seed });
  console.log(formatResult(result));
  failures += result.failures.length;
  cases += result.cases;
}
console.log(`fuzz: ${cases} cases, ${failures} failures, ${((performance.now() - started) / 1000).toFixed(1)} s (replay with --seed ${seed})`);
process.exitCode = failures === 0 ? 0 : 1;

function fail(message: string): never {
  console.error(`fuzz: ${message}`);
  process.exit(2);
}
