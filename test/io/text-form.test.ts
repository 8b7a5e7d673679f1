import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toText } from '../../src/io/text-form.ts';

class Point {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  toString(): string {
    return `P(${this.x}|${this.y})`;
  }
}

class Plain {
  a = 1;
}

describe('toText', () => {
  const table: [string, unknown, string][] = [
    ['string as itself', 'hello, world', 'hello, world'],
    ['empty string', '', ''],
    ['integer', 42, '42'],
    ['negative float', -1.5, '-1.5'],
    ['large number', 1e21, '1e+21'],
    ['NaN', NaN, 'NaN'],
    ['Infinity', -Infinity, '-Infinity'],
    ['bigint', 12345678901234567890n, '12345678901234567890'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['tuple', [3, 'hi', [1, 2]], '(3,hi,(1,2))'],
    ['empty tuple', [], '()'],
    ['one-field tuple', ['a'], '(a)'],
    ['tuple with null and boolean', [null, true], '(null,true)'],
    ['deeply nested tuple', [[[1]], [2, [3, 'x']]], '(((1)),(2,(3,x)))'],
    ['bytes as lower-case hex', new Uint8Array([0, 15, 171, 255]), '000fabff'],
    ['empty bytes', new Uint8Array(0), ''],
    ['Buffer is bytes', Buffer.from([1, 2]), '0102'],
    ['bytes view with an offset', new Uint8Array([9, 10, 11, 12]).subarray(1, 3), '0a0b'],
    ['tuple of bytes', [new Uint8Array([0xde, 0xad])], '(dead)'],
    ['class with toString', new Point(1, 2), 'P(1|2)'],
    ['own toString property', { toString: () => 'own' }, 'own'],
    ['plain object as JSON', { word: 'a', count: 2 }, '{"word":"a","count":2}'],
    ['class without toString as JSON', new Plain(), '{"a":1}'],
    ['null-prototype object as JSON', Object.assign(Object.create(null) as object, { k: 1 }), '{"k":1}'],
    ['JSON with bigint and bytes', { n: 5n, b: new Uint8Array([1]), buf: Buffer.from([255]) }, '{"n":"5","b":"01","buf":"ff"}'],
    ['object inside a tuple', [1, { a: [1, 2] }], '(1,{"a":[1,2]})'],
    ['class inside a tuple', [new Point(3, 4), 'z'], '(P(3|4),z)'],
  ];
  for (const [name, value, expected] of table) {
    it(name, () => assert.equal(toText(value), expected));
  }

  it('uses the custom hook for objects, falling back when it returns undefined', () => {
    const hook = (v: object): string | undefined => (v instanceof Plain ? 'custom' : undefined);
    assert.equal(toText([new Plain(), new Point(0, 0), { q: 1 }], hook), '(custom,P(0|0),{"q":1})');
  });

  it('does not pass primitives, tuples or bytes to the hook', () => {
    const seen: unknown[] = [];
    const hook = (v: object): string | undefined => {
      seen.push(v);
      return undefined;
    };
    toText([1, 'a', null, true, new Uint8Array([1]), [2]], hook);
    assert.deepEqual(seen, []);
  });
});
