/**
 * tsflink from a CommonJS package (no `"type": "module"`, the npm default): `tsflink run` of a
 * .ts or .js script with top-level await and `import … from 'tsflink'` works, a helper module it
 * imports stays CommonJS; `require('tsflink')` and `await import('tsflink')` both work.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientEnv, tempDir } from '../helpers.ts';
import { builtPackage } from '../hosts/built-package.ts';

function commonJsProject(): string {
  const dir = tempDir('tsflink-test-cjs-');
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'cjs-user', private: true })}\n`);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(builtPackage(), join(dir, 'node_modules', 'tsflink'), 'dir');
  writeFileSync(join(dir, 'helper.ts'), `export function double(n: number): number {\n  return n * 2;\n}\nexport const where = typeof module === 'object' ? 'commonjs' : 'esm';\n`);
  const job = (ext: string): string => `import { getEnvironment } from 'tsflink';
${ext === 'ts' ? "import { double, where } from './helper.ts';" : "const double = (n) => n * 2; const where = 'none';"}
const env = getEnvironment();
const sum = (await env.generateSequence(1, 100).map((n${ext === 'ts' ? ': number' : ''}) => double(n)).reduce((a, b) => a + b).collect())[0];
console.log(JSON.stringify({ sum, where }));
`;
  writeFileSync(join(dir, 'job.ts'), job('ts'));
  writeFileSync(join(dir, 'job.js'), job('js'));
  return dir;
}

const cli = (): string => join(builtPackage(), 'dist', 'cli', 'main.js');

for (const script of ['job.ts', 'job.js']) {
  for (const p of [1, 2]) {
    test(`tsflink run ${script} in a CommonJS package: top-level await and import from 'tsflink' work, at p=${p}`, () => {
      const dir = commonJsProject();
      const r = spawnSync(process.execPath, [cli(), 'run', '-p', String(p), script], { cwd: dir, env: clientEnv(), encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim()) as { sum: number; where: string };
      assert.equal(out.sum, 10100);
      assert.equal(out.where, script === 'job.ts' ? 'commonjs' : 'none');
    });
  }
}

test("require('tsflink') and await import('tsflink') both load the package from CommonJS", () => {
  const dir = commonJsProject();
  for (const code of ["console.log(typeof require('tsflink').getEnvironment)", "import('tsflink').then((t) => console.log(typeof t.getEnvironment))"]) {
    const r = spawnSync(process.execPath, ['-e', code], { cwd: dir, env: clientEnv(), encoding: 'utf8' });
    assert.equal(r.stdout.trim(), 'function', r.stderr);
  }
});
