/** The text form of every kind of element, as real sinks write it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { lines, runScript } from './spawn-script.ts';

class Money {
  readonly cents: number;
  constructor(cents: number) {
    this.cents = cents;
  }
  toString(): string {
    return `$${(this.cents / 100).toFixed(2)}`;
  }
}

/** [element, its text form]. */
const CASES: [unknown, string][] = [
  ['a string', 'a string'],
  ['', ''],
  ['with, comma (and parens)', 'with, comma (and parens)'],
  [42, '42'],
  [-1.5, '-1.5'],
  [0, '0'],
  [1e21, '1e+21'],
  [2 ** 60, '1152921504606847000'], // String(n), as JS prints it
  [Number.NaN, 'NaN'],
  [Number.POSITIVE_INFINITY, 'Infinity'],
  [true, 'true'],
  [false, 'false'],
  [null, 'null'],
  [[3, 'hi', [1, 2]], '(3,hi,(1,2))'],
  [[1], '(1)'],
  [[[[]]], '((()))'],
  [['a', [true, null, [false]], 'b'], '(a,(true,null,(false)),b)'],
  [new Uint8Array([0x00, 0x0f, 0xab, 0xff]), '000fabff'],
  [new Uint8Array([]), ''],
  [[1, new Uint8Array([0xde, 0xad])], '(1,dead)'],
  [new Money(1999), '$19.99'],
  [[new Money(5), 'x'], '($0.05,x)'],
  [{ word: 'hi', n: 2 }, '{"word":"hi","n":2}'],
  [{ nested: { list: [1, 2] }, nothing: null }, '{"nested":{"list":[1,2]},"nothing":null}'],
  [[{ a: 1 }, 2], '({"a":1},2)'],
  [12345678901234567890n, '12345678901234567890'],
  [[-5n, 'big'], '(-5,big)'],
];

describe('text form through writeText', () => {
  for (const p of PARALLELISMS) {
    for (const [value, text] of CASES) {
      test(`${JSON.stringify(text)} at p=${p}`, async () => {
        const out = join(tempDir(), 'out.txt');
        const env = envAt(p);
        env.fromElements(value).writeText(out).setParallelism(1);
        await env.execute();
        assert.equal(readFileSync(out, 'utf8'), `${text}\n`);
      });
    }
  }

  test('a tuple of 25 fields', async () => {
    const out = join(tempDir(), 'wide.txt');
    const env = envAt(2);
    env
      .fromElements(Array.from({ length: 25 }, (_, i) => i))
      .writeText(out)
      .setParallelism(1);
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), `(${Array.from({ length: 25 }, (_, i) => i).join(',')})\n`);
  });

  test('elements made by user code: a map returning tuples, booleans and objects', async () => {
    const out = join(tempDir(), 'mapped.txt');
    const env = envAt(1);
    env
      .fromElements(1, 2)
      .map((x): unknown => (x === 1 ? [x, x > 0, { x }] : new Money(x * 100)))
      .writeText(out);
    await env.execute();
    assert.deepEqual(lines(readFileSync(out, 'utf8')).sort(), ['$2.00', '(1,true,{"x":1})']);
  });
});

describe('text form through output()', () => {
  for (const p of PARALLELISMS) {
    test(`every kind of element, one line each, at p=${p}`, () => {
      const r = runScript(
        tempDir(),
        'forms',
        ['getEnvironment'],
        `class Money { constructor(c) { this.cents = c; } toString() { return '$' + (this.cents / 100).toFixed(2); } }
const env = getEnvironment();
env.setParallelism(${p});
// Registered: at p>1 the elements may cross worker threads.
env.registerCustomType(Money, { serialize: (m) => new TextEncoder().encode(String(m.cents)) }, { deserialize: (b) => new Money(Number(new TextDecoder().decode(b))) });
env.fromElements('plain', 7, -0.25, true, false, null, [3, 'hi', [1, 2]], new Uint8Array([171, 205]), new Money(250), { k: 'v' }, 99n)
  .rebalance()
  .output();
await env.execute();`,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(lines(r.stdout).sort(), ['$2.50', '(3,hi,(1,2))', '-0.25', '7', 'abcd', 'false', 'null', 'plain', 'true', '99', '{"k":"v"}'].sort());
    });
  }
});
