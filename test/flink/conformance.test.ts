/**
 * Conformance of the Flink target: the same cases run on the embedded engine and on a Flink
 * MiniCluster give the same results, compared as multisets (order only where tsflink promises
 * it, which the cases encode in their lines). The cases — every DataSet operation — live in
 * one script, test/flink/fixtures/conformance-job.ts, built as the sinks of few jobs, so Flink
 * starts few jobs; it runs once per target and parallelism (1, 2 and 4, as the independent suite
 * checks 1 and 4) and prints one JSON line per case.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertSameMultiset, clientEnv, runNode, tempDir } from '../helpers.ts';
import { takeFlinkTestLock } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const fixture = 'test/flink/fixtures/conformance-job.ts';
const TIMEOUT = 600_000;

interface Case {
  readonly case: string;
  readonly lines: readonly string[];
  readonly layout?: readonly string[];
}

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly cases: ReadonlyMap<string, Case>;
  /** Lines of output(), printed among the cases' JSON lines. */
  readonly printed: readonly string[];
}

async function run(target: 'local' | 'flink', p: number, inputDir: string, outDir: string): Promise<Run> {
  const { status, stdout, stderr } = await runNode([cli, 'run', '--target', target, '-p', String(p), fixture, '-', inputDir, outDir], { cwd: root, env: clientEnv(), timeoutMs: TIMEOUT });
  const cases = new Map<string, Case>();
  const printed: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('{"case":')) {
      const c = JSON.parse(line) as Case;
      cases.set(c.case, c);
    } else if (line !== '') printed.push(line);
  }
  return { status, stderr, cases, printed };
}

await takeFlinkTestLock();

execFileSync('bash', [join(root, 'scripts/install-flink-deps.sh')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const dir = tempDir('tsflink-conformance-');
const inputDir = join(dir, 'input');
mkdirSync(inputDir);
writeFileSync(join(inputDir, 'lines.txt'), 'alpha\nbeta gamma\n\nlast, line\n');
writeFileSync(join(inputDir, 'rows.csv'), 'name,n,x\na,1,1.5\n"b,c",2,2.25\nd,3,-1\n');

// Every run first (the temp folder goes when the file's tests end), then the tests.
const runs: [number, Run, Run][] = [];
for (const p of [1, 2, 4]) {
  mkdirSync(join(dir, `local-${p}`));
  mkdirSync(join(dir, `flink-${p}`));
  runs.push([p, ...(await Promise.all([run('local', p, inputDir, join(dir, `local-${p}`)), run('flink', p, inputDir, join(dir, `flink-${p}`))]))]);
}

for (const [p, local, flink] of runs) {
  describe(`at p=${p}`, () => {
    test('the conformance job runs on both targets', () => {
      assert.equal(local.status, 0, `embedded engine:\n${local.stderr}`);
      assert.equal(flink.status, 0, `Flink:\n${flink.stderr}`);
      assert.ok(local.cases.size >= 55, `only ${local.cases.size} cases`);
      assert.deepEqual([...flink.cases.keys()].sort(), [...local.cases.keys()].sort());
    });

    for (const [name, expected] of local.cases) {
      test(`Flink = embedded: ${name}`, () => {
        const actual = flink.cases.get(name);
        assert.ok(actual, `no result for ${name} from Flink`);
        assert.ok(expected.lines.length > 0, `the case ${name} has no result`);
        assertSameMultiset(actual.lines, expected.lines);
        assert.deepEqual(actual.layout, expected.layout);
      });
    }

    test('Flink = embedded: output()', () => {
      assert.equal(local.printed.length, 5);
      assertSameMultiset(flink.printed, local.printed);
    });

    test('the layouts of file sinks at p=1 and p=2', () => {
      assert.deepEqual(local.cases.get('writeText p=1')?.layout, ['file']);
      assert.deepEqual(local.cases.get('writeText p=2')?.layout, ['1', '2']);
      assert.deepEqual(local.cases.get('writeCsv p=2')?.layout, ['1', '2']);
    });
  });
}
