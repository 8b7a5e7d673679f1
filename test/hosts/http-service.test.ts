/**
 * Issue 10: a long-lived HTTP service that runs a p=2 job per request. The service's top-level
 * code (which listens on a port) runs once; every request's job runs on worker threads with the
 * p=1 answer, three one after another on the same warm workers and two at once; after it closes
 * its server the process exits by itself (the worker pool does not keep it alive) and leaves
 * nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { assertSameMultiset, clientEnv } from '../helpers.ts';
import { RUN_JOB, type Row, answer, assertParallelReport, caseDir, childTmp, esmHeader, leftoversIn, survivorsOf, threadsOf } from './host-run.ts';

function server(dir: string, log: string): string {
  return `import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
${esmHeader(dir)}${RUN_JOB}
appendFileSync(${JSON.stringify(log)}, process.pid + '\\n');
const spec = { n: 200000, multiplier: 1, keep: 1 };
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/close') {
    res.setHeader('connection', 'close');
    res.end('closing');
    server.close();
    return;
  }
  runJob(getEnvironment, where, Number(url.searchParams.get('p')), spec).then(
    (rows) => res.end(JSON.stringify(rows)),
    (error) => {
      res.statusCode = 500;
      res.end(String(error && error.stack ? error.stack : error));
    },
  );
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
`;
}

/** GET on a fresh connection (no agent: nothing stays open afterwards); the body, or a failure for a non-200 status. */
function fetchText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${path}: ${res.statusCode}\n${body}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const job = async (port: number, p: number): Promise<Row[]> => JSON.parse(await fetchText(port, `/job?p=${p}`)) as Row[];

test('an HTTP service runs a p=2 job per request: three in turn, two at once, then closes and exits', { timeout: 120_000 }, async () => {
  const dir = caseDir('http');
  const log = join(dir, 'top-level.log');
  writeFileSync(join(dir, 'server.mjs'), server(dir, log));
  const tmp = childTmp(dir);
  const child = spawn(process.execPath, ['server.mjs'], { cwd: dir, env: clientEnv({ TMPDIR: tmp }), stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  try {
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('close', () => reject(new Error(`the service exited before listening:\n${stderr}`)));
    });
    const { port } = JSON.parse(first) as { port: number };

    const p1 = await job(port, 1);
    const sequential: Row[][] = [];
    for (let i = 0; i < 3; i++) sequential.push(await job(port, 2));
    for (const rows of sequential) assertParallelReport({ pid: child.pid!, p1, p2: rows });
    const threadSets = sequential.map((rows) => threadsOf(rows).threads.join(','));
    assert.deepEqual(threadSets, [threadSets[0], threadSets[0], threadSets[0]], 'the three jobs in turn ran on the same (warm) worker threads');

    const concurrent = await Promise.all([job(port, 2), job(port, 2)]);
    for (const rows of concurrent) {
      assertSameMultiset(answer(rows), answer(p1), 'a job run alongside another gives the p=1 answer');
      const { threads, onMain } = threadsOf(rows);
      assert.equal(onMain, false, 'a job run alongside another ran on the main thread');
      assert.ok(threads.length >= 1, 'no thread ran the map function');
    }

    assert.equal(await fetchText(port, '/close'), 'closing');
    const status = await exited;
    assert.equal(status, 0, `the service did not exit by itself after closing its server (status ${status}: null if killed after 100 s)\n${stderr}`);
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
  assert.doesNotMatch(stderr, /running in this thread/, 'a job fell back to one thread');
  assert.equal(stderr, '');
  assert.equal(readFileSync(log, 'utf8'), `${child.pid}\n`, 'the service’s top-level code ran more than once');
  assert.deepEqual(leftoversIn(tmp), [], 'temp files left in the TMPDIR');
  assert.deepEqual(await survivorsOf(tmp), [], 'processes left running');
});
