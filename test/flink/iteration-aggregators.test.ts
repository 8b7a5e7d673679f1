/**
 * Iteration aggregators and convergence criteria on the Flink target (a MiniCluster), at p=1
 * and p=2: test/flink/fixtures/iteration-aggregators.ts runs cases of Flink's AggregatorsITCase
 * and AggregatorConvergenceITCase in one job; its results must be Flink's expected ones (the
 * embedded engine's tests are test/api/iteration-aggregators.test.ts). The client runs in a
 * sandbox (test/leaks.ts): the job, its convergence checks included, leaves only its output.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertSameMultiset, clientEnv, runNode } from '../helpers.ts';
import { assertUnchanged, sandbox, snapshot } from '../leaks.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const fixture = 'test/flink/fixtures/iteration-aggregators.ts';
const TIMEOUT = 300_000;

await setUpFlinkTests();

/** A sink's lines: one file at p=1, a directory of files at p>1. */
function sinkLines(path: string): string[] {
  const files = statSync(path).isDirectory() ? readdirSync(path).map((f) => join(path, f)) : [path];
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  );
}

const box = sandbox('tsflink-flink-aggregators-');
const COMPONENTS_AT_THRESHOLD = ['(1,1)', '(2,1)', '(3,1)', '(4,1)', '(5,2)', '(6,1)', '(7,7)', '(8,7)', '(9,7)'];

for (const p of [1, 2]) {
  test(`bulk and delta iterations with aggregators and convergence criteria on Flink (p=${p})`, { timeout: TIMEOUT }, async () => {
    const before = snapshot(box);
    const out = join(box.data, `out-${p}`);
    const r = await runNode([cli, 'run', '--target', 'flink', '-p', String(p), fixture, '-', out], { cwd: root, env: clientEnv({ TMPDIR: box.tmp }), timeoutMs: TIMEOUT });
    assert.equal(r.status, 0, r.stderr);
    // A user-defined aggregator and criterion: the superstep that converged (the 4th) gives the result.
    assertSameMultiset(sinkLines(join(out, 'bulk-convergence')), ['-3', '-2', '-2', '-1', '-1', '-1', '0', '0', '0', '0', '1', '1', '1', '1', '1']);
    // Each superstep's function checked the previous superstep's merged count (null in the first).
    assertSameMultiset(sinkLines(join(out, 'delta-aggregator')), ['1', '2', '2', '3', '3', '3', '4', '4', '4', '4', '5', '5', '5', '5', '5']);
    assertSameMultiset(sinkLines(join(out, 'delta-convergence')), COMPONENTS_AT_THRESHOLD);
    assertSameMultiset(sinkLines(join(out, 'bulk-convergence-and-termination')), COMPONENTS_AT_THRESHOLD);
    // What subtask 0 saw of the previous supersteps' counts: 6 changed in superstep 1, 3 in the 2nd, then converged.
    assert.deepEqual(JSON.parse(r.stdout.trim()), { 'changed-2': 6, 'changed-3': 3, 'changed-bulk-2': 6, 'changed-bulk-3': 3 });
    // (and tsx's compile cache: the client and the workers run the TypeScript fixture through tsx)
    await assertUnchanged(box, before, { allow: /^(data\/out-\d|tmp\/tsx-\d+)(\/.*)?$/, what: `the job at p=${p}` });
  });
}
