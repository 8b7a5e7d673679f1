/**
 * The fuzz targets of bench/fuzz/targets/ with few cases and a fixed seed (CI stays deterministic;
 * `npm run fuzz` runs 10,000 per property), and the harness itself: a false property is reported
 * with its shrunk counterexample and seed, and makes `npm run fuzz` exit non-zero.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { formatResult, loadTargets, runTarget } from '../../bench/fuzz/harness.ts';
import type { FuzzTarget } from '../../bench/fuzz/target.ts';

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const TARGETS = join(ROOT, 'bench', 'fuzz', 'targets');
const FIXTURES = join(ROOT, 'test', 'fuzz', 'fixtures', 'targets');
const TSX = import.meta.resolve('tsx');
const RUNS = 200;
const SEED = 20261203;

describe('fuzz targets (200 cases per property, fixed seed)', async () => {
  const targets = await loadTargets(TARGETS);
  it('the serde-record, serde-corrupt and key-codec targets are there', () => {
    const names = targets.map((t) => t.name);
    for (const n of ['serde-record', 'serde-corrupt', 'key-codec']) assert.ok(names.includes(n), `${n} missing from ${names.join(', ')}`);
  });
  for (const target of targets) {
    it(`${target.name}: every property holds`, async () => {
      const result = await runTarget(target, { runs: RUNS, seed: SEED });
      assert.deepEqual(result.failures, [], formatResult(result));
      assert.equal(result.cases, RUNS * result.properties);
      assert.ok(result.properties > 0);
    });
  }
});

describe('fuzz harness', () => {
  it('reports a false property with its shrunk counterexample, the seed and the error; a true one passes', async () => {
    const [broken] = (await loadTargets(FIXTURES)).filter((t) => t.name === 'broken');
    assert.ok(broken);
    const result = await runTarget(broken, { runs: 500, seed: 1 });
    assert.equal(result.properties, 2);
    assert.deepEqual(
      result.failures.map((f) => [f.property, f.counterexample, f.seed]),
      [
        ['below 100', [100], 1],
        ['throws for long strings', ['   '], 1],
      ],
    );
    assert.match(result.failures[0]!.report, /Counterexample: \[100\]/);
    assert.match(result.failures[1]!.report, /Error: too long: 3/);
    assert.ok(result.cases < 1000, `a failing property stops at its first failure, ${result.cases} cases`);
    const text = formatResult(result);
    assert.match(text, /^broken: \d+ cases \(2 properties\), 2 failures, /);
    assert.match(text, /FAILED broken \/ below 100 \(seed 1, path "[\d:]+"\)/);
  });

  it('a target whose properties() throws is one failure, not a crash', async () => {
    const target: FuzzTarget = {
      name: 'no-setup',
      description: 'throws while building',
      properties: () => {
        throw new Error('no writer today');
      },
    };
    const result = await runTarget(target, { runs: 10, seed: 1 });
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0]!.property, '(setup)');
    assert.match(result.failures[0]!.report, /no writer today/);
  });

  it('the same seed gives the same cases', async () => {
    const seen: number[][] = [[], []];
    for (const i of [0, 1]) {
      const target: FuzzTarget = {
        name: 'record',
        description: 'records what it is given',
        properties: () => [{ name: 'p', property: fc.property(fc.integer(), (n) => void seen[i]!.push(n)) }],
      };
      await runTarget(target, { runs: 50, seed: 99 });
    }
    assert.equal(seen[0]!.length, 50);
    assert.deepEqual(seen[0], seen[1]);
  });

  it('loadTargets refuses a module that exports no target', async () => {
    await assert.rejects(loadTargets(join(ROOT, 'test', 'fuzz', 'fixtures')), /not-a-target\.ts: its default export is not a FuzzTarget/);
  });

  it('npm run fuzz exits 1 on a failure and prints it, 0 when all hold, 2 for an unknown target', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'bench', 'fuzz', 'run.ts'), '--dir', FIXTURES, ...args], { encoding: 'utf8', cwd: ROOT });
    const failing = run('--runs', '300', '--seed', '5', 'broken');
    assert.equal(failing.status, 1, failing.stderr);
    assert.match(failing.stdout, /broken: \d+ cases \(2 properties\), 2 failures/);
    assert.match(failing.stdout, /Counterexample: \[100\]/);
    assert.match(failing.stdout, /replay with --seed 5/);
    const passing = run('--runs', '300', '--seed', '5', 'sound');
    assert.equal(passing.status, 0, passing.stdout + passing.stderr);
    assert.match(passing.stdout, /^sound: 600 cases \(2 properties\), 0 failures, [\d.]+ s$/m);
    const unknown = run('nope');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown fuzz target\(s\) nope; known: broken, sound/);
  });
});
