/**
 * The Flink target's figures (flink-figures.ts): what Flink's REST API reports of the job's
 * vertices, mapped onto tsflink's tasks, and the link to the job in Flink's web UI.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getEnvironment } from '../../src/index.ts';
import { taskTotals } from '../../src/metrics/job-figures.ts';
import { observeJobs } from '../../src/metrics/job-observers.ts';
import { flinkWebUiLink, tasksOfVertex } from '../../src/runners/flink/flink-figures.ts';
import { tempDir } from '../helpers.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const TIMEOUT = 300_000;
const hamlet = new URL('../../examples/data/hamlet.txt', import.meta.url).pathname;

await setUpFlinkTests();

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter((w) => w.length > 0);
}

test('a vertex runs the tasks whose MapPartition it chains, in chain order; the web UI link', () => {
  const tasks = [
    { id: 0, name: 'Tokenizer' },
    { id: 1, name: 'Count' },
    { id: 2, name: 'Tok' },
  ];
  assert.deepEqual(tasksOfVertex('CHAIN MapPartition (Count) -> Filter (Output 0 of task 1) -> Map (Input 0 of Tokenizer)', tasks), [1]);
  assert.deepEqual(tasksOfVertex('CHAIN MapPartition (Tokenizer) -> Filter (x) -> MapPartition (Count)', tasks), [0, 1]);
  assert.deepEqual(tasksOfVertex('DataSource (Start Tokenizer)', tasks), []);
  assert.equal(flinkWebUiLink('http://localhost:8081/', 'abc', false), 'http://localhost:8081/#/job/running/abc/overview');
  assert.equal(flinkWebUiLink('http://localhost:8081', 'abc', true), 'http://localhost:8081/#/job/completed/abc/overview');
});

test('WordCount on a MiniCluster at p=2: Flink’s figures per task and subtask, and a web UI that answers', { timeout: TIMEOUT }, async () => {
  const answered: Promise<number>[] = [];
  let seen: string | null = null;
  const stop = observeJobs((monitor) =>
    monitor.onUpdate((f) => {
      if (f.flinkWebUi === null || seen !== null || f.state !== 'RUNNING') return;
      seen = f.flinkWebUi;
      // The REST endpoint serves the web UI (flink-runtime-web) and the job's REST resource.
      const origin = new URL(f.flinkWebUi).origin;
      const jobId = /\/job\/running\/([0-9a-f]{32})\/overview$/.exec(f.flinkWebUi)![1];
      answered.push(fetch(`${origin}/`).then((r) => r.status));
      answered.push(fetch(`${origin}/jobs/${jobId}`).then((r) => r.status));
    }),
  );
  try {
    const env = getEnvironment();
    env.setParallelism(2);
    const counts = env
      .readText(hamlet)
      .flatMap((line: string) => words(line))
      .name('Tokenizer')
      .map((w) => [w, 1] as [string, number])
      .groupBy(0)
      .sum(1)
      .name('Count');
    const out = join(tempDir(), 'counts.csv');
    counts.writeCsv(out);
    const result = await env.execute({ jobName: 'WordCount figures', local: false });
    const all = words(readFileSync(hamlet, 'utf8'));
    const lines = readdirSync(out).flatMap((p) =>
      readFileSync(join(out, p), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    assert.equal(lines.length, new Set(all).size);

    const f = result.figures;
    assert.equal(f.target, 'flink');
    assert.equal(f.state, 'FINISHED');
    assert.equal(f.retries, 0);
    assert.match(f.flinkWebUi!, /^http:\/\/[^/]+:\d+\/#\/job\/completed\/[0-9a-f]{32}\/overview$/);
    assert.ok(seen !== null, 'the link is set while the job runs');
    assert.deepEqual(await Promise.all(answered), [200, 200]);

    for (const t of f.tasks) {
      assert.equal(t.subtasks.length, 2);
      for (const s of t.subtasks) {
        assert.equal(s.state, 'finished', `${t.name}: every subtask finished`);
        assert.ok(s.startedAt !== null && s.endedAt !== null && s.endedAt >= s.startedAt);
      }
    }
    const tokenizer = f.tasks.find((t) => t.name.includes('Tokenizer'))!;
    const count = f.tasks.find((t) => t.name.startsWith('Count'))!;
    const from = taskTotals(tokenizer);
    const into = taskTotals(count);
    // Flink counts what crosses its vertices: the tokenizer's task ends in the sum's combiner,
    // whose (word, partial count) records go to the Count task one keyed record each: at least
    // one per distinct word, at most one per word; the source reads only its trigger.
    assert.equal(from.recordsIn, 0);
    assert.ok(from.recordsOut >= new Set(all).size && from.recordsOut <= all.length, `tokenizer out ${from.recordsOut}`);
    assert.equal(into.recordsIn, from.recordsOut);
    // Bytes count Flink's buffers, events included (a producer of no records still writes some).
    assert.ok(into.bytesIn > 0 && into.bytesIn <= from.bytesOut);
    assert.ok(from.bytesOut > 0);
    // A file sink's task sends nothing on (its vertex ends in a discarding sink).
    assert.equal(into.recordsOut, 0);
  } finally {
    stop();
  }
});
