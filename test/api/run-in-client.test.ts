/**
 * `runInClient()`: an operator whose functions stay in the client process (they may capture
 * what cannot travel), while the rest of the job runs on worker threads as usual.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import workerThreads, { isMainThread } from 'node:worker_threads';
import { PlanError } from '../../src/index.ts';
import { formatPlan } from '../../src/optimizer/explain.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';

const expected = Array.from({ length: 100 }, (_, i) => [(i + 1) * 2, true]);

describe('runInClient', () => {
  for (const p of PARALLELISMS) {
    test(`an operator marked runInClient() runs in the main thread with its own captured values (p=${p})`, async () => {
      const env = envAt(p);
      // An EventEmitter cannot be shipped to a worker; in the client it is just used.
      const events = new EventEmitter();
      let seen = 0;
      events.on('record', () => seen++);
      const result = await env
        .generateSequence(1, 100)
        .rebalance()
        .map((x) => {
          events.emit('record');
          return [x * 2, isMainThread] as [number, boolean];
        })
        .runInClient()
        .collect();
      assertSameMultiset(result, expected);
      assert.equal(seen, 100, 'the client’s own emitter saw every record');
    });
  }

  test('the tasks around it still run on worker threads (p=4)', async () => {
    const env = envAt(4);
    const threads = await env
      .generateSequence(1, 100)
      .rebalance()
      .map(() => workerThreads.threadId)
      .rebalance()
      .map((t) => [t, workerThreads.threadId] as [number, number])
      .runInClient()
      .collect();
    assert.equal(threads.length, 100);
    // Another task (a rebalance between): the first map ran on worker threads, the marked one in the main thread (0).
    assert.ok(
      threads.every(([before]) => before !== 0),
      `first map on workers: ${[...new Set(threads.map(([b]) => b))]}`,
    );
    assert.ok(threads.every(([, after]) => after === 0));
  });

  test('without runInClient() a function capturing what cannot travel is a PlanError at collect()', async () => {
    const env = envAt(4);
    const events = new EventEmitter();
    await assert.rejects(
      env
        .generateSequence(1, 10)
        .map((x) => {
          events.emit('record');
          return x;
        })
        .collect(),
      (e: unknown) => e instanceof PlanError && /EventEmitter/.test(e.message) && /runInClient\(\)/.test(e.message),
    );
  });

  test('the plan shows the operator as running in the client', () => {
    const env = envAt(2);
    const marked = env
      .generateSequence(1, 10)
      .map((x) => x + 1)
      .name('Client side')
      .runInClient();
    marked.output();
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { name: string; runInClient?: boolean }[] };
    assert.deepEqual(
      plan.nodes.filter((n) => n.runInClient === true).map((n) => n.name),
      ['Client side'],
    );
    const text = formatPlan(env.collectPlan(marked.id), 'text');
    assert.match(text, /^ {2}Map "Client side" MAP \(runs in client\)$/m);
    assert.equal(text.match(/runs in client/g)!.length, 1);
  });

  test('the Flink target rejects a plan with an operator that runs in the client, with a PlanError', async () => {
    const env = envAt(2);
    env
      .generateSequence(1, 10)
      .map((x) => x + 1)
      .name('Client side')
      .runInClient()
      .output();
    await assert.rejects(env.execute({ local: false }), (e: unknown) => e instanceof PlanError && /^Client side runs in the client process, which the Flink target cannot do; /.test(e.message));
  });
});
