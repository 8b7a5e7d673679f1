/** What the Flink target ships to a remote cluster (src/runners/flink/code-bundle.ts). */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { absoluteModule, inRuntime, relocatedModule, runtimeEntries, shippedPath, stageApp, tsflinkRoot } from '../../src/runners/flink/code-bundle.ts';
import { tempDir } from '../helpers.ts';

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

test('the app holds the modules the shipped code imports, the named modules and every local module they import, in their layout', () => {
  const src = tempDir();
  mkdirSync(join(src, 'jobs'));
  mkdirSync(join(src, 'shared', 'deep'), { recursive: true });
  writeFileSync(join(src, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(src, 'jobs', 'job.ts'), "import { a } from '../shared/a.js';\nimport './b.ts';\nimport 'tsflink';\nconst c = await import('../shared/deep/c');\n");
  writeFileSync(join(src, 'jobs', 'b.ts'), "export * from '../shared/deep/d.mts';\n");
  writeFileSync(join(src, 'shared', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(src, 'shared', 'deep', 'c.ts'), 'export const c = 2;\n');
  writeFileSync(join(src, 'shared', 'deep', 'd.mts'), 'export const d = 3;\n');
  writeFileSync(join(src, 'jobs', 'unused.ts'), 'export const u = 4;\n');
  writeFileSync(join(src, 'extra.txt'), 'named on the command line\n');

  const app = tempDir();
  const staged = stageApp(app, [join(src, 'jobs', 'job.ts'), join(src, 'extra.txt')]);
  assert.equal(staged.get(join(src, 'jobs', 'job.ts')), 'app/jobs/job.ts');
  assert.equal(staged.get(join(src, 'shared', 'deep', 'd.mts')), 'app/shared/deep/d.mts');
  assert.deepEqual(files(app), ['extra.txt', 'jobs/b.ts', 'jobs/job.ts', 'package.json', 'shared/a.ts', 'shared/deep/c.ts', 'shared/deep/d.mts']);
  assert.deepEqual(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')), { private: true, type: 'module' });
});

test("the runtime holds tsflink and the packages it runs with, and paths map to the shipped copy's", () => {
  const entries = runtimeEntries();
  const names = entries.map((e) => e.as);
  for (const n of ['node_modules/tsflink/package.json', 'node_modules/tsflink/dist', 'node_modules/tsx', 'node_modules/esbuild', 'node_modules/yaml']) assert.ok(names.includes(n), n);
  assert.equal(new Set(names).size, names.length, 'each package once');
  const worker = new URL('../../dist/runners/flink/node-worker.js', import.meta.url).href;
  assert.equal(shippedPath(worker), 'node_modules/tsflink/dist/runners/flink/node-worker.js');
  assert.equal(
    shippedPath(import.meta.resolve('tsx/esm/api')),
    `node_modules/tsx/${relative(join(new URL('../../node_modules/tsx/', import.meta.url).pathname), new URL(import.meta.resolve('tsx/esm/api')).pathname)}`,
  );
});

test('tsflink’s own modules and installed packages come with the runtime; the user’s files (even inside the tsflink checkout) with the app', () => {
  const root = tsflinkRoot();
  assert.ok(inRuntime(join(root, 'dist', 'index.js')));
  assert.ok(inRuntime(join(root, 'src', 'index.ts')));
  assert.ok(inRuntime(new URL(import.meta.resolve('yaml')).pathname));
  assert.ok(!inRuntime(join(root, 'test', 'flink', 'fixtures', 'shipped-helper.ts')));
  assert.ok(!inRuntime(join(tempDir(), 'job.ts')));
});

test('shipped code names the app’s and the runtime’s modules relative to the worker’s folder, and the worker makes them absolute again', () => {
  const src = tempDir();
  writeFileSync(join(src, 'helper.ts'), 'export const h = 1;\n');
  writeFileSync(join(src, 'old.cjs'), 'module.exports = 1;\n');
  const staged = stageApp(tempDir(), [join(src, 'helper.ts'), join(src, 'old.cjs')]);
  const esm = pathToFileURL(join(src, 'helper.ts')).href;
  const runtimeUrl = new URL('../../src/index.ts', import.meta.url).href;
  const elsewhere = pathToFileURL('/opt/shared/lib.mjs').href;
  assert.equal(relocatedModule(`${esm}?tsx-namespace=1`, staged), './app/helper.ts');
  assert.equal(relocatedModule(join(src, 'old.cjs'), staged), 'app/old.cjs');
  assert.equal(relocatedModule(runtimeUrl, staged), './node_modules/tsflink/src/index.ts');
  assert.equal(relocatedModule(elsewhere, staged), elsewhere, 'not shipped: left as it is');
  assert.equal(relocatedModule('node:fs', staged), 'node:fs');

  const worker = '/tm/tsflink-work-1';
  assert.equal(absoluteModule('./app/helper.ts', worker), 'file:///tm/tsflink-work-1/app/helper.ts');
  assert.equal(absoluteModule('app/old.cjs', worker), '/tm/tsflink-work-1/app/old.cjs');
  assert.equal(absoluteModule('./node_modules/tsflink/src/index.ts', worker), 'file:///tm/tsflink-work-1/node_modules/tsflink/src/index.ts');
  assert.equal(absoluteModule(elsewhere, worker), elsewhere);
  assert.equal(absoluteModule('/abs/x.cjs', worker), '/abs/x.cjs');
});
