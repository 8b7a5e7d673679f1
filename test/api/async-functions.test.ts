/**
 * An async function (one that returns a Promise) where tsflink calls a function is a clear error
 * naming the operator, at every parallelism: not pending promises collected at p=1, not every
 * record kept by a filter (a Promise is truthy), not a "register Promise as a custom type" at p=2.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobExecutionError } from '../../src/index.ts';
import { envAt } from '../helpers.ts';

const numbers = (p: number) => envAt(p).fromElements(1, 2, 3);

// Each case is one call on numbers(p): so short a chain stays on one line when formatted, the line
// after its @ts-expect-error.
const cases: [string, (p: number) => { collect(): Promise<unknown> }, RegExp][] = [
  ['map', (p) => numbers(p).map(async (x) => x + 1), /'Map at/],
  // @ts-expect-error: an async function here is a compile error too
  ['filter', (p) => numbers(p).filter(async (x) => x > 1), /'Filter at/],
  // @ts-expect-error: an async function here is a compile error too
  ['flatMap', (p) => numbers(p).flatMap(async (x) => [x]), /'FlatMap at/],
  // @ts-expect-error: an async function here is a compile error too
  ['reduce', (p) => numbers(p).reduce(async (a, b) => (await a) + b), /Reduce at/],
  // @ts-expect-error: an async function here is a compile error too
  ['reduceGroup', (p) => numbers(p).reduceGroup(async (xs) => [...xs]), /'GroupReduce at/],
  [
    'join',
    (p) => {
      const env = envAt(p);
      const right = env.fromElements([1, 'b'] as [number, string]);
      return env
        .fromElements([1, 'a'] as [number, string])
        .join(right)
        .where(0)
        .equalTo(0)
        .using(async (l, r) => [l[1], r[1]]);
    },
    /'Join at/,
  ],
];

for (const p of [1, 2]) {
  for (const [what, run, operator] of cases) {
    test(`an async ${what} function is an error naming the operator and saying why, at p=${p}`, async () => {
      await assert.rejects(run(p).collect(), (e: unknown) => {
        assert.ok(e instanceof JobExecutionError, String(e));
        const text = `${(e as Error).message}\n${String((e as Error).cause)}`;
        assert.match(text, /returned a Promise \(is it async\?\)/);
        assert.match(text, operator);
        return true;
      });
    });
  }
}
