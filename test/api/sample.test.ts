/**
 * `sample` and `sampleWithSize` (after Flink's DataSetUtilsITCase and the samplers' tests): the
 * sizes a sample must have, its elements drawn from the input, repeatability with a seed, and
 * the distribution roughly uniform (a coarse check with wide margins, never a timing).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PlanError } from '../../src/index.ts';
import { PARALLELISMS, envAt } from '../helpers.ts';

const N = 2000;

for (const p of PARALLELISMS) {
  describe(`sampling at p=${p}`, () => {
    test('sample without replacement: a subset of the input of about fraction · n, repeatable with a seed', async () => {
      const env = envAt(p);
      const data = env.generateSequence(1, N);
      const a = await data.sample(false, 0.3, 42).collect();
      const b = await data.sample(false, 0.3, 42).collect();
      assert.deepEqual(
        [...a].sort((x, y) => x - y),
        [...b].sort((x, y) => x - y),
      );
      assert.equal(new Set(a).size, a.length, 'no element twice');
      assert.ok(a.every((x) => x >= 1 && x <= N));
      assert.ok(a.length > 0.3 * N * 0.8 && a.length < 0.3 * N * 1.2, String(a.length));
      assert.deepEqual(await data.sample(false, 0).collect(), []);
      assert.equal((await data.sample(false, 1).collect()).length, N);
    });

    test('sample with replacement: elements repeat, about fraction · n of them', async () => {
      const s = await envAt(p).generateSequence(1, N).sample(true, 1.5, 7).collect();
      assert.ok(s.length > 1.5 * N * 0.85 && s.length < 1.5 * N * 1.15, String(s.length));
      assert.ok(new Set(s).size < s.length);
    });

    test('sampleWithSize: exactly size distinct elements without replacement (all when fewer), size with replacement', async () => {
      const env = envAt(p);
      const data = env.generateSequence(1, N);
      const s = await data.sampleWithSize(false, 50, 3).collect();
      assert.equal(s.length, 50);
      assert.equal(new Set(s).size, 50);
      assert.deepEqual([...(await data.sampleWithSize(false, 50, 3).collect())].sort(), [...s].sort());
      assert.equal((await env.generateSequence(1, 10).sampleWithSize(false, 50).collect()).length, 10);
      const r = await data.sampleWithSize(true, 300, 5).collect();
      assert.equal(r.length, 300);
      assert.ok(r.every((x) => x >= 1 && x <= N));
      assert.deepEqual(await data.sampleWithSize(false, 0).collect(), []);
    });

    test('sampleWithSize draws every element about equally often (each half of the input gets about half of the picks)', async () => {
      const env = envAt(p);
      const data = env.generateSequence(1, 200);
      let low = 0;
      let total = 0;
      for (let seed = 0; seed < 20; seed++) {
        for (const x of await data.sampleWithSize(false, 20, seed).collect()) {
          total++;
          if (x <= 100) low++;
        }
      }
      assert.equal(total, 400);
      assert.ok(low > 150 && low < 250, `${low} of 400 picks from the lower half`);
    });
  });
}

test('bad arguments are plan errors', () => {
  const ds = envAt(1).generateSequence(1, 10);
  assert.throws(() => ds.sample(false, 1.5), PlanError);
  assert.throws(() => ds.sample(true, -1), /fraction must be a finite number ≥ 0/);
  assert.throws(() => ds.sampleWithSize(false, -1), /size must be a non-negative integer/);
  assert.throws(() => ds.sample(false, 0.5, 1.5), /seed must be an integer/);
});
