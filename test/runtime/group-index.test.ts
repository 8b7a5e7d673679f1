/**
 * The hash aggregate's group index (runtime/group-index.ts) answers as a Map does, for keys of
 * every kind it sorts into its tables (packed strings of up to 7 and of 8 to 14 characters,
 * integers, the rest), and an aggregate over many such keys gives what a Map
 * computes by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getEnvironment } from '../../src/index.ts';
import { GroupIndex, packShortString } from '../../src/runtime/group-index.ts';
import { assertSameMultiset, PARALLELISMS } from '../helpers.ts';

/** Keys that sit close together in the packed and integer tables, and some that do not fit them. */
function trickyKeys(): unknown[] {
  return [
    '',
    'a',
    'a\u0001',
    '\u0001a',
    '\u007f\u007f\u007f\u007f\u007f\u007f\u007f',
    'abcdefg',
    'abcdefgh',
    'abcdefg\u0001',
    'abcdefghijklmn',
    'abcdefghijklmno',
    'abcdefgé',
    'ébcdefgh',
    'abcdefg\u0000',
    'abcdefga',
    'abcdefgaa',
    'é',
    'a\u0000',
    '\u0000sx',
    '0',
    '1',
    0,
    -0,
    1,
    -1,
    97,
    2 ** 53,
    -(2 ** 53) - 2,
    1e300,
    0.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    10n,
    true,
    null,
    undefined,
  ];
}

describe('GroupIndex', () => {
  it('packs only strings of at most 7 characters in 1–127, each to its own number', () => {
    assert.equal(packShortString(''), 0);
    assert.equal(packShortString('a'), 97);
    assert.equal(packShortString('ab'), 97 * 128 + 98);
    assert.equal(packShortString('abcdefgh'), -1);
    assert.equal(packShortString('é'), -1);
    assert.equal(packShortString('a\u0000'), -1);
    const seen = new Set<number>();
    for (const k of trickyKeys()) if (typeof k === 'string' && packShortString(k) >= 0) seen.add(packShortString(k));
    assert.equal(seen.size, trickyKeys().filter((k) => typeof k === 'string' && packShortString(k) >= 0).length);
  });

  it('gives what a Map gives, over 200 000 random keys of every kind, through its growth and after clear()', () => {
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const index = new GroupIndex();
    for (let round = 0; round < 2; round++) {
      const map = new Map<unknown, number>();
      const keys = trickyKeys();
      for (let i = 0; i < 200_000; i++) {
        const r = random();
        if (r < 0.3) keys.push(`k${Math.floor(random() * 50_000)}`);
        else if (r < 0.5) keys.push(Math.floor(random() * 50_000) - 25_000);
        else if (r < 0.55) keys.push(`long-key-${Math.floor(random() * 1000)}`);
        else if (r < 0.6) keys.push(`a-much-longer-key-${Math.floor(random() * 1000)}`);
        else if (r < 0.7) keys.push(Math.floor(random() * 1000) / 8);
        else if (r < 0.8) keys.push(String.fromCharCode(1 + Math.floor(random() * 127), 1 + Math.floor(random() * 127)));
        else keys.push(Math.floor(random() * 2 ** 40) * (random() < 0.5 ? -1 : 1));
      }
      for (const k of keys) {
        const expected = map.get(k) ?? -1;
        assert.equal(index.get(k), expected, `key ${String(k)}`);
        if (expected === -1) {
          const g = index.add(k);
          assert.equal(g, map.size);
          map.set(k, g);
        }
      }
      assert.equal(index.size, map.size);
      assert.deepEqual(index.keys, [...map.keys()]);
      index.clear();
      assert.equal(index.size, 0);
      assert.equal(index.get('k1'), -1);
      assert.equal(index.get(1), -1);
    }
  });
});

describe('an aggregate over many keys of every kind', () => {
  for (const p of PARALLELISMS) {
    it(`sums and counts per key as a Map does by hand (p=${p})`, async () => {
      const rows: [unknown, number, number][] = [];
      for (let i = 0; i < 60_000; i++) {
        const n = (i * 7919) % 20_011;
        const key = i % 3 === 0 ? `k${n}` : i % 3 === 1 ? n : `key-number-${n}`;
        rows.push([key, i % 100, 1]);
      }
      for (const k of trickyKeys()) if (typeof k === 'string' || typeof k === 'number') rows.push([k, 5, 1]);
      const expected = new Map<unknown, [unknown, number, number]>();
      for (const [k, v] of rows) {
        const e = expected.get(k);
        if (e === undefined) expected.set(k, [k, v, 1]);
        else {
          e[1] += v;
          e[2] += 1;
        }
      }
      const env = getEnvironment();
      env.setParallelism(p);
      const got = await env.fromCollection(rows).groupBy(0).sum(1).andSum(2).collect();
      assertSameMultiset(got, [...expected.values()]);
    });
  }
});
