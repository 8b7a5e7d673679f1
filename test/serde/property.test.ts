import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RecordReader } from '../../src/serde/record-reader.ts';
import { RecordWriter } from '../../src/serde/record-writer.ts';
import { Box, Money, Point, registry } from './fixtures.ts';

// Every value type of the format, nested freely. Strings are valid Unicode (UTF-8 has no lone
// surrogates; those are tested apart). fc.dictionary also makes null-prototype objects and
// '__proto__' keys.
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('tuple'), tie('object'), tie('custom')),
  leaf: fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer(),
    fc.integer({ min: -(2 ** 31) - 5, max: -(2 ** 31) + 5 }),
    fc.maxSafeInteger(),
    fc.double(),
    fc.bigInt(),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
    fc.uint8Array({ maxLength: 20 }),
  ),
  tuple: fc.array(tie('value'), { maxLength: 6 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  custom: fc.oneof(
    fc.tuple(fc.double(), fc.double()).map(([x, y]) => new Point(x, y)),
    fc
      .tuple(
        fc.string({ unit: 'binary-ascii' }).filter((s) => !s.includes('|')),
        fc.constantFrom('EUR', 'USD', ''),
      )
      .map(([a, c]) => new Money(a, c)),
    tie('value').map((v) => new Box(v)),
  ),
}));

describe('record format round trip (fast-check)', () => {
  it('any value round-trips deep-equal, prototypes of registered classes included', () => {
    const types = registry();
    const writer = new RecordWriter(types, 64);
    const reader = new RecordReader(types);
    fc.assert(
      fc.property(value, (v) => {
        writer.write(v);
        const [back] = reader.readAll(writer.finish());
        assert.deepStrictEqual(back, v);
      }),
      { numRuns: 1000 },
    );
  });

  it('any sequence of records round-trips as one batch, in order', () => {
    const types = registry();
    const writer = new RecordWriter(types, 64);
    const reader = new RecordReader(types);
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (records) => {
        for (const r of records) writer.write(r);
        assert.equal(writer.count, records.length);
        assert.deepStrictEqual(reader.readAll(writer.finish()), records);
      }),
      { numRuns: 300 },
    );
  });

  it('the bytes are a function of the value: writing twice gives the same batch', () => {
    const types = registry();
    fc.assert(
      fc.property(value, (v) => {
        const a = new RecordWriter(types, 64);
        const b = new RecordWriter(types, 4096);
        a.write(v);
        b.write(v);
        assert.deepStrictEqual(a.finish(), b.finish());
      }),
      { numRuns: 300 },
    );
  });
});
