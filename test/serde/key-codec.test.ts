import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareValues } from '../../src/runtime/compare.ts';
import { groupKey } from '../../src/runtime/keys.ts';
import { KeyEncoder, compareKeyBytes, keyHash, keyPartition } from '../../src/serde/key-codec.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';
import { fromNotation } from '../vectors/notation.ts';
import { Money, Point, registry } from './fixtures.ts';

interface Vectors {
  murmur: { hex: string; seed: number; hash: number }[];
  keys: { key: unknown; rank: number; hex: string; hash: number; partition3: number; partition4: number }[];
  sortKeys: { values: unknown[]; ascending: boolean[]; hex: string }[];
}
// The same file is checked by the Java side (flink-runner/src/test/java/tsflink/flink/CanonicalKeyTest.java).
const vectors = JSON.parse(readFileSync(new URL('../vectors/canonical-keys.json', import.meta.url), 'utf8')) as Vectors;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe('canonical key encoding: the shared vectors', () => {
  const enc = new KeyEncoder(new TypeRegistry());
  it('MurmurHash3 x86_32 gives the published reference values', () => {
    for (const v of vectors.murmur) assert.equal(keyHash(Buffer.from(v.hex, 'hex'), v.seed), v.hash, `murmur3(${v.hex}, ${v.seed})`);
  });
  it('every key encodes to its bytes, hash and partitions', () => {
    for (const v of vectors.keys) {
      const bytes = enc.encode(fromNotation(v.key));
      assert.equal(hex(bytes), v.hex, JSON.stringify(v.key));
      assert.equal(keyHash(bytes), v.hash, JSON.stringify(v.key));
      assert.equal(keyPartition(bytes, 3), v.partition3);
      assert.equal(keyPartition(bytes, 4), v.partition4);
    }
  });
  it('the bytes order the keys as their ranks do, and as compareValues does (objects aside)', () => {
    for (const a of vectors.keys) {
      for (const b of vectors.keys) {
        const byBytes = sign(compareKeyBytes(Buffer.from(a.hex, 'hex'), Buffer.from(b.hex, 'hex')));
        assert.equal(byBytes, sign(a.rank - b.rank), `${JSON.stringify(a.key)} vs ${JSON.stringify(b.key)}`);
        const objects = JSON.stringify([a.key, b.key]).includes('$object');
        if (!objects) assert.equal(byBytes, sign(compareValues(fromNotation(a.key), fromNotation(b.key))), `${JSON.stringify(a.key)} vs ${JSON.stringify(b.key)}`);
      }
    }
  });
  it('sort keys invert the descending fields', () => {
    for (const s of vectors.sortKeys) assert.equal(hex(enc.encodeSortKey(s.values.map(fromNotation), s.ascending)), s.hex);
  });
});

describe('canonical key encoding: properties', () => {
  const types = registry();
  const enc = new KeyEncoder(types);
  const leaf = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.bigInt(),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 6 }),
    fc.uint8Array({ maxLength: 6 }),
  );
  const { key } = fc.letrec((tie) => ({
    key: fc.oneof({ depthSize: 'small' }, leaf, tie('tuple')),
    tuple: fc.array(tie('key'), { maxLength: 4 }),
  }));
  it('orders keys exactly as compareValues does', () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        assert.equal(sign(compareKeyBytes(enc.encode(a), enc.encode(b))), sign(compareValues(a, b)));
      }),
      { numRuns: 3000 },
    );
  });
  it('equal bytes exactly when the embedded engine groups the keys together', () => {
    const anyKey = fc.oneof(key, fc.dictionary(fc.string({ maxLength: 4 }), key, { maxKeys: 3 }));
    fc.assert(
      fc.property(anyKey, anyKey, (a, b) => {
        assert.equal(hex(enc.encode(a)) === hex(enc.encode(b)), groupKey(a, types) === groupKey(b, types));
      }),
      { numRuns: 3000 },
    );
  });
  it('a descending field sorts in reverse, whatever follows it', () => {
    fc.assert(
      fc.property(key, key, key, key, (a1, a2, b1, b2) => {
        const x = enc.encodeSortKey([a1, a2], [false, true]);
        const y = enc.encodeSortKey([b1, b2], [false, true]);
        const c = sign(compareValues(a1, b1));
        assert.equal(sign(compareKeyBytes(x, y)), c !== 0 ? -c : sign(compareValues(a2, b2)));
      }),
      { numRuns: 2000 },
    );
  });
  it('Date, Map, Set, RegExp and typed arrays are keys by value: same bytes exactly when grouped together, ordered as compareValues', () => {
    const builtIn = fc.oneof(
      fc.date({ noInvalidDate: false }),
      fc.array(fc.tuple(key, key), { maxLength: 3 }).map((entries) => new Map(entries)),
      fc.array(key, { maxLength: 3 }).map((items) => new Set(items)),
      fc.tuple(fc.constantFrom('a', 'b', 'a+'), fc.constantFrom('', 'g', 'gi')).map(([source, flags]) => new RegExp(source, flags)),
      fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 3 }).map((xs) => new Int32Array(xs)),
      fc.array(fc.double(), { maxLength: 2 }).map((xs) => new Float64Array(xs)),
    );
    const anyKey = fc.oneof(builtIn, key, fc.tuple(builtIn, key));
    fc.assert(
      fc.property(anyKey, anyKey, (a, b) => {
        assert.equal(hex(enc.encode(a)) === hex(enc.encode(b)), groupKey(a, types) === groupKey(b, types));
        assert.equal(sign(compareKeyBytes(enc.encode(a), enc.encode(b))), sign(compareValues(a, b)));
      }),
      { numRuns: 3000 },
    );
    // Not one group for all: every Date, Map and Set used to encode as an object without fields.
    assert.notEqual(groupKey(new Date(0), types), groupKey(new Date(1), types));
    assert.equal(
      groupKey(
        new Map([
          [1, 'a'],
          [2, 'b'],
        ]),
        types,
      ),
      groupKey(
        new Map([
          [2, 'b'],
          [1, 'a'],
        ]),
        types,
      ),
    );
    assert.notEqual(hex(enc.encode(new Set([1]))), hex(enc.encode(new Set([2]))));
  });
  it('registered custom types and plain objects are keys by content', () => {
    assert.equal(hex(enc.encode(new Point(1, 2))), hex(enc.encode(new Point(1, 2))));
    assert.notEqual(hex(enc.encode(new Point(1, 2))), hex(enc.encode(new Point(2, 1))));
    assert.notEqual(hex(enc.encode(new Money('1', 'EUR'))), hex(enc.encode(new Point(1, 2))));
    assert.equal(hex(enc.encode({ a: 1, b: [2] })), hex(enc.encode({ b: [2], a: 1 })));
    assert.notEqual(hex(enc.encode({ a: 1 })), hex(enc.encode([1])));
  });
  it('an empty field name is a field, not the end of the object (found by npm run fuzz)', () => {
    const empty = {};
    const withEmptyName = { '': 0 };
    assert.equal(sign(compareKeyBytes(enc.encode(empty), enc.encode(withEmptyName))), -1);
    // Prefix-free: {} is a field of a tuple, and what follows it must not be read as its fields.
    assert.equal(sign(compareKeyBytes(enc.encode([empty, 0, 1]), enc.encode([withEmptyName]))), -1);
    assert.equal(sign(compareKeyBytes(enc.encode([{ '': {} }, 'b']), enc.encode([{ '': { '': '' } }]))), -1);
    const nullProto = Object.assign(Object.create(null), { '': {}, b: '' });
    const other = Object.assign(Object.create(null), { '': { '': '' } });
    assert.equal(sign(compareKeyBytes(enc.encode(nullProto), enc.encode(other))), -1);
    // A descending field reverses the order whatever follows it: {''} > {} descending comes first.
    const x = enc.encodeSortKey([empty, false], [false, true]);
    const y = enc.encodeSortKey([{ '': null }, undefined], [false, true]);
    assert.equal(sign(compareKeyBytes(x, y)), 1);
  });

  it('refuses functions and symbols', () => {
    assert.throws(() => enc.encode(() => 1), /function cannot be a key/);
    assert.throws(() => enc.encode([Symbol('s')]), /symbol cannot be a key/);
  });
});
