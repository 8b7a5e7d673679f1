import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TsflinkError } from '../../src/errors/index.ts';
import { RecordReader } from '../../src/serde/record-reader.ts';
import { CorruptBatchError } from '../../src/serde/serde-error.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';
import { batchOf, Point, registry } from './fixtures.ts';

const HEADER = 16;

const sample: unknown[] = [['word', 1, [2.5, 'x'], true, -3], { k: [null, undefined, 'é😀'], n: 2n ** 70n }, new Uint8Array([1, 2, 3]), new Point(1, 2), 'x'.repeat(300)];

function reader(): RecordReader {
  return new RecordReader(registry());
}

/** Copies `batch` and sets its header's body length to what the copy holds. */
function withBodyLength(batch: Uint8Array): Uint8Array {
  const b = batch.slice();
  new DataView(b.buffer).setUint32(12, b.length - HEADER, true);
  return b;
}

function assertCorrupt(batch: Uint8Array, pattern?: RegExp): void {
  assert.throws(
    () => reader().readAll(batch),
    (e: unknown) => {
      assert.ok(e instanceof CorruptBatchError, `expected CorruptBatchError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      assert.ok(e instanceof TsflinkError);
      if (pattern) assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('reading corrupt or truncated batches', () => {
  const batch = batchOf(sample);

  it('a batch truncated at any length is rejected before any record is delivered', () => {
    for (let n = 0; n < batch.length; n++) {
      const delivered: unknown[] = [];
      assert.throws(() => reader().forEach(batch.subarray(0, n), (v) => delivered.push(v)), CorruptBatchError, `length ${n}`);
      assert.equal(delivered.length, 0, `length ${n}`);
    }
  });

  it('truncated inside a record even when the header was patched to match: a clear error, never a hang', () => {
    for (let n = HEADER; n < batch.length; n++) assertCorrupt(withBodyLength(batch.subarray(0, n)));
  });

  it('names the problem: too short, wrong magic, wrong version, trailing bytes, too many records', () => {
    assertCorrupt(new Uint8Array(3), /truncated: 3 bytes, shorter than the 16-byte batch header/);
    const notOurs = batch.slice();
    notOurs[0] = 0x7b;
    assertCorrupt(notOurs, /not a record batch/);
    const v2 = batch.slice();
    v2[4] = 2;
    assertCorrupt(v2, /format version 2, this reader reads version 1/);
    const reserved = batch.slice();
    reserved[6] = 1;
    assertCorrupt(reserved, /reserved header bytes/);
    const longer = new Uint8Array(batch.length + 2);
    longer.set(batch);
    assertCorrupt(longer, /trailing bytes: the header announces/);
    assertCorrupt(withBodyLength(longer), /2 bytes follow the last of the 5 records/);
    const moreRecords = batch.slice();
    new DataView(moreRecords.buffer).setUint32(8, 6, true);
    assertCorrupt(moreRecords, /truncated or corrupt/);
    const absurdCount = batch.slice();
    new DataView(absurdCount.buffer).setUint32(8, 0xffffffff, true);
    assertCorrupt(absurdCount, /announces 4294967295 records/);
  });

  it('an unknown tag, a bad bigint sign, an overlong varint, an unregistered type id', () => {
    const one = (bytes: number[]): Uint8Array => {
      const b = new Uint8Array(HEADER + 1 + bytes.length);
      b.set([0x54, 0x46, 0x52, 0x42, 1]);
      const v = new DataView(b.buffer);
      v.setUint32(8, 1, true);
      v.setUint32(12, 1 + bytes.length, true);
      b[HEADER] = bytes.length;
      b.set(bytes, HEADER + 1);
      return b;
    };
    assertCorrupt(one([0x42]), /unknown value tag 0x42/);
    assertCorrupt(one([0x06, 0x02, 0x00]), /bigint sign byte is 2/);
    assertCorrupt(one([0x04, 0xff, 0xff, 0xff, 0xff, 0x7f]), /varint exceeds 32 bits/);
    assertCorrupt(one([0x0b, 0x07, 0x00]), /custom type id 7 is not registered in this process.*registerCustomType/);
    assertCorrupt(one([0x09, 0x05, 0x00]), /truncated or corrupt/); // tuple of 5 with one value
    assertCorrupt(one([0x07, 0x7f, 0x61]), /truncated or corrupt/); // string longer than the record
    assertCorrupt(one([0x05, 0, 0, 0]), /float64/);
    // A record whose value ends before its length prefix says.
    assertCorrupt(one([0x00, 0x00]), /record 0 ends at byte/);
    // Decoding the well-formed cases works.
    assert.deepStrictEqual(reader().readAll(one([0x06, 0x01, 0x01, 0x05])), [-5n]);
    assert.deepStrictEqual(reader().readAll(one([0x04, 0xff, 0xff, 0xff, 0xff, 0x0f])), [-(2 ** 31)]);
  });

  it('absurd nesting in input is refused, not a stack overflow', () => {
    const depth = 5000;
    const bytes: number[] = [];
    for (let i = 0; i < depth; i++) bytes.push(0x09, 0x01);
    bytes.push(0x00);
    const types = new TypeRegistry();
    const b = new Uint8Array(HEADER + 3 + bytes.length);
    b.set([0x54, 0x46, 0x52, 0x42, 1]);
    new DataView(b.buffer).setUint32(8, 1, true);
    new DataView(b.buffer).setUint32(12, 3 + bytes.length, true);
    // record length as a 3-byte varint (over 16383 bytes)
    b.set([(bytes.length & 0x7f) | 0x80, ((bytes.length >> 7) & 0x7f) | 0x80, bytes.length >> 14], HEADER);
    b.set(bytes, HEADER + 3);
    assert.throws(() => new RecordReader(types).readAll(b), /nest deeper than 1000 levels/);
  });

  it('rejects what is not a Uint8Array', () => {
    assert.throws(() => reader().readAll('TFRB' as unknown as Uint8Array), TypeError);
  });

  it('fast-check: any bytes flipped in a valid batch decode to something or throw CorruptBatchError, nothing else', () => {
    // The custom types here have total deserializers, so every failure must come from the reader.
    const types = new TypeRegistry();
    class Opaque {
      bytes: Uint8Array;
      constructor(bytes: Uint8Array) {
        this.bytes = bytes;
      }
    }
    types.register(Opaque, { serialize: (o) => o.bytes }, { deserialize: (b) => new Opaque(b) });
    const values = [...sample.slice(0, 3), new Opaque(new Uint8Array([5, 6])), 'x'.repeat(300), [1.5, -0, 2 ** 40]];
    const good = batchOf(values, types);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
        const b = good.slice();
        for (const [at, byte] of flips) b[at] = byte;
        try {
          new RecordReader(types).readAll(b);
        } catch (e) {
          if (!(e instanceof CorruptBatchError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
