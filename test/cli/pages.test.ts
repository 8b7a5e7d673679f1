/**
 * Every page tsflink writes or serves, opened in headless Chromium (Debian's chromium, driven by
 * playwright-core; scripts/install-browser.sh installs it): the plan page (`tsflink plan --format
 * html`), the run report (`--report out.html`) and the live dashboard (`--ui`). Each shows every
 * task's box, logs no error, and its numbers are the job's real counts; the dashboard's counts
 * rise while the job runs and end at the final figures. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { JobFigures } from '../../src/index.ts';
import { tempDir } from '../helpers.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const artifacts = join(root, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';

let browser: Browser;
before(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
});

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.TSFLINK_PARALLELISM;
  return env;
}

function run(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A page that fails the test on any console error or uncaught exception. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

/** Every `<g class="node">` of the page's plan picture, each visible. */
async function assertBoxesVisible(page: Page, expected: number): Promise<void> {
  const boxes = page.locator('svg g.node');
  assert.equal(await boxes.count(), expected);
  for (let i = 0; i < expected; i++) assert.ok(await boxes.nth(i).isVisible(), `box ${i} is visible`);
  // Each box holds its text (Graphviz sizes boxes by its own font metrics; a font it does not
  // know gets the wrong ones, and the text runs out of the box).
  // (A string, run in the page: this file is compiled without the DOM's types.)
  const overflowing = (await page.evaluate(`[...document.querySelectorAll('svg g.node')].flatMap((g) => {
      const shape = g.querySelector('polygon, path, ellipse').getBoundingClientRect();
      return [...g.querySelectorAll('text')].filter((t) => {
        const r = t.getBoundingClientRect();
        return r.left < shape.left - 1 || r.right > shape.right + 1;
      }).map((t) => t.textContent);
    })`)) as string[];
  assert.deepEqual(overflowing, [], 'text outside its box');
}

test('the plan page (tsflink plan --format html) shows every operator box, with no error', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const r = run(['plan', '--format', 'html', 'examples/wordcount.ts']);
  assert.equal(r.status, 0, r.stderr);
  const file = join(dir, 'plan.html');
  (await import('node:fs')).writeFileSync(file, r.stdout);
  const json = JSON.parse(run(['plan', '--format', 'json', 'examples/wordcount.ts']).stdout) as { nodes: { name: string; task: number }[] };
  const { page, errors } = await open(`file://${file}`);
  // A box per task, each listing its chained operators.
  await assertBoxesVisible(page, new Set(json.nodes.map((n) => n.task)).size);
  const drawn = (await page.locator('svg').first().textContent()) ?? '';
  // (A combiner is drawn as the aggregation it combines for: `Combine (Count)` as `Aggregate "Count" COMBINE`.)
  for (const node of json.nodes) assert.ok(drawn.includes(node.name.replace(/^Combine \((.*)\)$/, '$1')), `operator '${node.name}' is in the picture`);
  await page.screenshot({ path: join(artifacts, 'plan.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the run report (--report) shows every task box and the job’s real counts, with no error', { timeout: 90_000 }, async () => {
  const dir = tempDir();
  const input = join(root, 'examples/data/hamlet.txt');
  const out = join(dir, 'counts.csv');
  for (const ext of ['html', 'json']) {
    const r = run(['run', '-p', '2', '--quiet', '--report', join(dir, `report.${ext}`), 'examples/wordcount.ts', '-', input, ext === 'json' ? out : join(dir, 'first.csv')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', '--quiet: nothing on stderr');
  }
  const figures = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JobFigures;
  const lines = readFileSync(input, 'utf8').split('\n');
  const words = readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
  const source = figures.tasks.find((t) => t.operators[0]!.kind === 'TextSource')!;
  const sink = figures.tasks.find((t) => t.operators.some((o) => o.kind === 'CsvSink'))!;
  const sum = (t: typeof source, k: 'recordsIn' | 'recordsOut') => t.subtasks.reduce((n, s) => n + s[k], 0);
  // The source reads every line of the file (the last, empty one after the final newline is none).
  assert.equal(source.source!.bytesRead, readFileSync(input).length);
  assert.ok(sum(source, 'recordsOut') > 0);
  assert.equal(sum(sink, 'recordsIn'), words.length, 'the sink got one record per distinct word written');
  assert.ok(lines.length > 0);

  const { page, errors } = await open(`file://${join(dir, 'report.html')}`);
  await assertBoxesVisible(page, figures.tasks.length);
  const drawn = (await page.locator('svg').first().textContent()) ?? '';
  for (const op of figures.tasks.flatMap((t) => t.operators)) assert.ok(drawn.includes(op.name), `operator '${op.name}' is in the picture`);
  for (const task of figures.tasks) {
    const row = page.locator(`#tasks tr[data-task="${task.id}"]`);
    assert.equal(await row.getAttribute('data-records-in'), String(sum(task, 'recordsIn')));
    assert.equal(await row.getAttribute('data-records-out'), String(sum(task, 'recordsOut')));
  }
  assert.equal(await page.locator('#summary').getAttribute('data-state'), 'FINISHED');
  await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the dashboard (--ui): counts rise while the job runs and end at its final figures; it stays up until stopped', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const child = spawn(process.execPath, [cli, 'run', '-p', '2', '--ui', 'test/cli/fixtures/slow-count.ts', '-', join(dir, 'out.csv'), '6000000'], {
    cwd: root,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    let url: string | null = null;
    for (let i = 0; i < 200 && url === null; i++) {
      url = /dashboard at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)?.[1] ?? null;
      if (url === null) await sleep(50);
    }
    assert.ok(url, `the dashboard's address on stderr: ${stderr}`);
    const { page, errors } = await open(url);
    // The records into the counting task (after the rebalance), sampled while the job runs.
    const samples: number[] = [];
    for (let i = 0; i < 120; i++) {
      const state = await page
        .locator('.job-state')
        .first()
        .textContent()
        .catch(() => null);
      const out = await page
        .locator('table.tasks tr[data-task="1"]')
        .getAttribute('data-records-in', { timeout: 1000 })
        .catch(() => null);
      if (out !== null) samples.push(Number(out));
      if (state === 'FINISHED') break;
      await sleep(250);
    }
    await page.locator('.job-state', { hasText: 'FINISHED' }).first().waitFor({ timeout: 60_000 });
    const final = (await (await fetch(`${url}api/jobs`)).json()) as JobFigures[];
    const generator = final[0]!.tasks[0]!;
    assert.equal(
      generator.subtasks.reduce((n, s) => n + s.recordsOut, 0),
      6_000_000,
      'the generator task sent every number',
    );
    const counting = final[0]!.tasks[1]!;
    const total = counting.subtasks.reduce((n, s) => n + s.recordsIn, 0);
    assert.equal(total, 6_000_000, 'the counting task got every number');
    const running = samples.filter((n) => n < total);
    assert.ok(running.length >= 2 && running.some((n, i) => i > 0 && n > running[i - 1]!), `counts rose while it ran: ${samples.join(' ')}`);
    for (let i = 1; i < samples.length; i++) assert.ok(samples[i]! >= samples[i - 1]!, `never fell: ${samples.join(' ')}`);
    assert.equal(await page.locator('table.tasks tr[data-task="1"]').getAttribute('data-records-in'), String(total));
    await assertBoxesVisible(page, final[0]!.tasks.length);
    await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
    // The finished job's page stays until the user stops tsflink.
    await sleep(500);
    assert.equal(child.exitCode, null, 'still serving after the job');
    assert.match(stderr, /the dashboard stays at/);
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.ok(existsSync(join(dir, 'out.csv')));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
