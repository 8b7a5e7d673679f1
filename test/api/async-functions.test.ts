/**
 * An async function (one that returns a Promise) where tsflink calls a function is a clear error
 * naming the operator, at every parallelism: not pending promises collected at p=1, not every
 * record kept by a filter (a Promise is truthy), not a "register Promise as a custom type" at p=2.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobExecutionError } from '../../src/index.ts';
import { envAt } from '../helpers.ts';

const cases: [string, (p: number) => Promise<unknown>, RegExp][] = [
  ['map', (p) => envAt(p).fromElements(1, 2, 3).map(async (x) => x + 1).collect(), /'Map at/],
  // @ts-expect-error: an async function here is a compile error too
  ['filter', (p) => envAt(p).fromElements(1, 2, 3).filter(async (x) => x > 1).collect(), /'Filter at/],
  // @ts-expect-error: an async function here is a compile error too
  ['flatMap', (p) => envAt(p).fromElements(1, 2, 3).flatMap(async (x) => [x]).collect(), /'FlatMap at/],
  // @ts-expect-error: an async function here is a compile error too
  ['reduce', (p) => envAt(p).fromElements(1, 2, 3).reduce(async (a, b) => (await a) + b).collect(), /Reduce at/],
  // @ts-expect-error: an async function here is a compile error too
  ['reduceGroup', (p) => envAt(p).fromElements(1, 2, 3).reduceGroup(async (xs) => [...xs]).collect(), /'GroupReduce at/],
  [
    'join',
    (p) => {
      const env = envAt(p);
      const right = env.fromElements([1, 'b'] as [number, string]);
      return env.fromElements([1, 'a'] as [number, string]).join(right).where(0).equalTo(0).using(async (l, r) => [l[1], r[1]]).collect();
    },
    /'Join at/,
  ],
];

for (const p of [1, 2]) {
  for (const [what, run, operator] of cases) {
    test(`an async ${what} function is an error naming the operator and saying why, at p=${p}`, async () => {
      await assert.rejects(run(p), (e: unknown) => {
        assert.ok(e instanceof JobExecutionError, String(e));
        const text = `${(e as Error).message}\n${String((e as Error).cause)}`;
        assert.match(text, /returned a Promise \(is it async\?\)/);
        assert.match(text, operator);
        return true;
      });
    });
  }
}
