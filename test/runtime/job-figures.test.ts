/**
 * The embedded engine reports a job's figures into its JobMonitor: per subtask its start and
 * end, records and bytes in and out, a source's bytes read of its total, spilled bytes; the
 * job's retries and failures.
 */
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getEnvironment } from '../../src/index.ts';
import { type JobFigures, type JobMonitor, taskTotals, type TaskFigures } from '../../src/metrics/job-figures.ts';
import { observeJobs } from '../../src/metrics/job-observers.ts';
import { envAt, tempDir } from '../helpers.ts';

const dir = tempDir('tsflink-figures-');
const input = join(dir, 'words.txt');
const words = ['apple', 'banana', 'cherry', 'date', 'elder', 'fig', 'grape'];
const lines = Array.from({ length: 5000 }, (_, i) => `${words[i % 7]} ${words[(i * 3) % 7]} w${i % 300}`);
writeFileSync(input, `${lines.join('\n')}\n`);
const distinct = new Set(lines.flatMap((l) => l.split(' '))).size;

const headIs = (strategy: string) => (t: TaskFigures) => t.operators[0]!.strategy === strategy;
const lastIs = (strategy: string) => (t: TaskFigures) => t.operators[t.operators.length - 1]!.strategy === strategy;

/** Runs `job`, returning the monitor observeJobs handed over as the job started (and execute()'s error, if any). */
async function watched(job: () => Promise<unknown>): Promise<{ figures: JobFigures; error: unknown }> {
  let monitor: JobMonitor | null = null;
  const stop = observeJobs((m) => (monitor = m));
  let error: unknown = null;
  try {
    await job();
  } catch (e) {
    error = e;
  } finally {
    stop();
  }
  assert.ok(monitor !== null, 'the job was observed');
  return { figures: (monitor as JobMonitor).snapshot(), error };
}

for (const p of [1, 2]) {
  test(`WordCount reports records, bytes, bytes read and every subtask's end (p=${p})`, async () => {
    const env = envAt(p);
    const out = join(dir, `counts-${p}.csv`);
    env
      .readText(input)
      .flatMap((line: string) => line.split(' '))
      .map((w) => [w, 1] as [string, number])
      .groupBy(0)
      .sum(1)
      .writeCsv(out);
    const { figures } = await env.execute();
    assert.equal(figures.state, 'FINISHED');
    const source = figures.tasks.find(headIs('SOURCE'))!;
    const sink = figures.tasks.find(lastIs('SINK'))!;
    for (const t of figures.tasks) for (const s of t.subtasks) assert.equal(s.state, 'finished', `${t.name} finished`);
    // The source task is Source -> FlatMap -> Map -> Combine: what it ships is what the sink task reads.
    assert.ok(taskTotals(source).recordsOut > 0);
    assert.equal(taskTotals(sink).recordsIn, taskTotals(source).recordsOut);
    // A sink task's records out are the records it wrote.
    assert.equal(taskTotals(sink).recordsOut, distinct);
    assert.deepEqual(source.source, { bytesRead: statSync(input).size, bytesTotal: statSync(input).size });
    if (p === 2) {
      assert.ok(taskTotals(source).bytesOut > 0, 'the hash exchange carried bytes');
      assert.equal(taskTotals(sink).bytesIn, taskTotals(source).bytesOut);
    }
    assert.ok(source.subtasks.every((s) => s.startedAt !== null && s.endedAt !== null && s.cpuMs >= 0));
  });

  test(`a source task on its own reports one record out per line (p=${p})`, async () => {
    const env = envAt(p);
    env
      .readText(input)
      .rebalance()
      .map((l: string) => l.length)
      .writeText(join(dir, `lengths-${p}`));
    const { figures } = await env.execute();
    const source = figures.tasks.find(headIs('SOURCE'))!;
    assert.equal(source.operators.length, 1);
    assert.equal(taskTotals(source).recordsOut, lines.length);
    assert.equal(taskTotals(figures.tasks.find(lastIs('SINK'))!).recordsOut, lines.length);
  });

  test(`a throwing map fails its subtask with the error (p=${p})`, async () => {
    const env = envAt(p);
    env
      .generateSequence(1, 100)
      .map((n: number) => {
        if (n === 42) throw new Error('no 42 here');
        return n;
      })
      .writeText(join(dir, `fails-${p}`));
    const { figures, error } = await watched(() => env.execute());
    assert.ok(error instanceof Error);
    assert.equal(figures.state, 'FAILED');
    const failed = figures.tasks.flatMap((t) => t.subtasks.filter((s) => s.state === 'failed'));
    assert.ok(failed.length >= 1);
    assert.ok(
      figures.failures.some((f) => f.subtask !== null && /no 42 here/.test(f.error)),
      JSON.stringify(figures.failures),
    );
  });
}

test('at p=1 the figures reach listeners while the one thread runs a subtask (as its source reads)', async () => {
  // Four 1 MiB chunks; the map stalls on every 4000th line, so reading takes about a second.
  const big = join(dir, 'big.txt');
  const line = `${'x'.repeat(99)}\n`;
  writeFileSync(big, line.repeat(42_000));
  const spin = (ms: number): void => {
    const until = Date.now() + ms;
    while (Date.now() < until);
  };
  const env = envAt(1);
  env
    .readText(big)
    .filter(
      (() => {
        let n = 0;
        return (_l: string) => (++n % 4000 === 0 && spin(120), true);
      })(),
    )
    .rebalance()
    .map((l: string) => l.length)
    .writeText(join(dir, 'lengths'));
  const seen: JobFigures[] = [];
  const stop = observeJobs((m) => m.onUpdate((f) => seen.push(f)));
  try {
    await env.execute();
  } finally {
    stop();
  }
  const running = seen.filter((f) => f.state === 'RUNNING');
  const total = statSync(big).size;
  const source = (f: JobFigures) => f.tasks.find(headIs('SOURCE'))!;
  const consumer = (f: JobFigures) => f.tasks.find((t) => !headIs('SOURCE')(t))!;
  assert.ok(
    running.some((f) => source(f).source!.bytesRead > 0 && source(f).source!.bytesRead < total),
    `bytes read while running: ${running.map((f) => source(f).source!.bytesRead).join(', ')}`,
  );
  assert.ok(
    running.some((f) => taskTotals(consumer(f)).recordsIn > 0 && taskTotals(consumer(f)).recordsIn < 42_000),
    `records in while running: ${running.map((f) => taskTotals(consumer(f)).recordsIn).join(', ')}`,
  );
  const last = seen[seen.length - 1]!;
  assert.equal(last.state, 'FINISHED');
  assert.equal(source(last).source!.bytesRead, total);
  assert.equal(taskTotals(consumer(last)).recordsIn, 42_000);
  assert.equal(taskTotals(source(last)).recordsOut, 42_000);
});

test('a retried attempt counts as a retry (p=1)', async () => {
  const env = envAt(1);
  env.setNumberOfExecutionRetries(1);
  env
    .generateSequence(1, 50)
    .map((n: number) => n * 2)
    .name('Doubler')
    .writeText(join(dir, 'retried'));
  process.env.TSFLINK_FAULT = JSON.stringify({ kind: 'throw', task: 'Doubler', subtask: 0, attempt: 1, record: 10 });
  try {
    const { figures } = await env.execute();
    assert.equal(figures.retries, 1);
    assert.equal(figures.state, 'FINISHED');
    assert.ok(figures.failures.some((f) => f.attempt === 1));
    for (const t of figures.tasks) for (const s of t.subtasks) assert.deepEqual([s.state, s.attempt], ['finished', 2]);
  } finally {
    delete process.env.TSFLINK_FAULT;
  }
});

for (const p of [1, 2]) {
  test(`a spilling group-by reports spilled bytes (p=${p})`, async () => {
    const tmp = tempDir('tsflink-figures-spill-');
    const conf = join(tmp, 'tsflink.yaml');
    writeFileSync(conf, `taskmanager.memory: 512k\nio.tmp.dirs: ${tmp}\n`);
    const saved = process.env.TSFLINK_CONF;
    process.env.TSFLINK_CONF = conf;
    let env: ReturnType<typeof getEnvironment>;
    try {
      env = getEnvironment();
    } finally {
      if (saved === undefined) delete process.env.TSFLINK_CONF;
      else process.env.TSFLINK_CONF = saved;
    }
    env.setParallelism(p);
    env
      .generateSequence(0, 59_999)
      .map((i: number) => [`key-${i % 20_000}-${'x'.repeat(40)}`, 1] as [string, number])
      .groupBy(0)
      .sum(1)
      .writeCsv(join(tmp, 'out.csv'));
    const { figures } = await env.execute();
    const spilled = figures.tasks.reduce((n, t) => n + taskTotals(t).spilledBytes, 0);
    assert.ok(spilled > 0, `spilled ${spilled}`);
  });
}

test('print the figures of a WordCount run (for the report)', { skip: process.env.PRINT_FIGURES !== '1' }, async () => {
  for (const p of [1, 2]) {
    const env = envAt(p);
    env
      .readText(input)
      .flatMap((line: string) => line.split(' '))
      .map((w) => [w, 1] as [string, number])
      .groupBy(0)
      .sum(1)
      .writeCsv(join(dir, `print-${p}.csv`));
    const { figures } = await env.execute();
    console.log(
      `p=${p}`,
      JSON.stringify(
        figures.tasks.map((t) => ({
          name: t.name.slice(0, 40),
          source: t.source,
          subtasks: t.subtasks.map(({ state, recordsIn, recordsOut, bytesIn, bytesOut, cpuMs, wallMs, spilledBytes }) => ({
            state,
            recordsIn,
            recordsOut,
            bytesIn,
            bytesOut,
            cpuMs,
            wallMs,
            spilledBytes,
          })),
        })),
        null,
        1,
      ),
    );
  }
});
