import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordReader } from '../../src/serde/record-reader.ts';
import { RecordWriter } from '../../src/serde/record-writer.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';
import { batchOf, hex, Point, registry } from './fixtures.ts';

const HEADER = 16;

describe('record batches', () => {
  it('golden bytes: the worked example of docs/record-format.md', () => {
    const batch = batchOf([['hi', 1, [-1, null], true, 1.5]], new TypeRegistry());
    assert.equal(
      hex(batch),
      // header: "TFRB", version 1, reserved, count 1, body length 24
      '54465242' +
        '01' +
        '000000' +
        '01000000' +
        '18000000' +
        // record length 23, tuple of 5
        '17' +
        '0905' +
        // 'hi', int 1 (zig-zag 2), tuple of 2: int -1 (zig-zag 1), null
        '07026869' +
        '0402' +
        '0902' +
        '0401' +
        '00' +
        // true, float64 1.5 little-endian
        '03' +
        '05000000000000f83f',
    );
  });

  it('golden bytes: bigint, bytes, object, custom type, long record length', () => {
    const types = new TypeRegistry();
    class Tag {}
    types.register(Tag, { serialize: () => new Uint8Array([0xaa, 0xbb]) }, { deserialize: () => new Tag() });
    const batch = batchOf([-(2n ** 8n), new Uint8Array([1, 2]), { k: false }, new Tag(), 'x'.repeat(130)], types);
    const body = hex(batch.subarray(HEADER));
    assert.equal(
      body,
      // -256n: sign 1, 2 magnitude bytes 00 01
      '05' +
        '06' +
        '01' +
        '02' +
        '0001' +
        '04' +
        '08' +
        '02' +
        '0102' +
        // object with 1 entry: key "k", false
        '05' +
        '0a' +
        '01' +
        '016b' +
        '02' +
        // custom type id 0, 2 bytes
        '05' +
        '0b' +
        '00' +
        '02' +
        'aabb' +
        // a 133-byte record: two-byte length 0x85 0x01; string of 130 bytes: 0x82 0x01
        '8501' +
        '07' +
        '8201' +
        '78'.repeat(130),
    );
    assert.equal(batch.length, HEADER + body.length / 2);
  });

  it('size, count, finish and reset', () => {
    const types = registry();
    const w = new RecordWriter(types);
    assert.equal(w.size, HEADER);
    assert.equal(w.count, 0);
    w.write([1, 'a']);
    w.write('b');
    assert.equal(w.count, 2);
    const size = w.size;
    const batch = w.finish();
    assert.equal(batch.byteLength, size);
    assert.equal(w.count, 0);
    assert.equal(w.size, HEADER);
    w.write('dropped');
    w.reset();
    w.write('kept');
    assert.deepStrictEqual(new RecordReader(types).readAll(batch), [[1, 'a'], 'b']);
    assert.deepStrictEqual(new RecordReader(types).readAll(w.finish()), ['kept']);
  });

  it('an empty batch is a header with count 0', () => {
    const types = registry();
    const batch = new RecordWriter(types).finish();
    assert.equal(batch.byteLength, HEADER);
    assert.deepStrictEqual(new RecordReader(types).readAll(batch), []);
  });

  it('a batch with many records keeps them all, in order', () => {
    const types = registry();
    const w = new RecordWriter(types);
    const n = 100_000;
    const expected: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const r = [`w${i % 1000}`, i, [i / 4, i % 2 === 0 ? null : 'odd'], i % 3 === 0, -i];
      expected.push(r);
      w.write(r);
    }
    assert.equal(w.count, n);
    const batch = w.finish();
    let seen = 0;
    new RecordReader(types).forEach(batch, (v) => {
      assert.deepStrictEqual(v, expected[seen]);
      seen++;
    });
    assert.equal(seen, n);
  });

  it('the buffer grows by doubling, across 1 MiB and past it, from a tiny initial capacity', () => {
    const types = registry();
    const w = new RecordWriter(types, 16);
    const big = 'é'.repeat(700_000); // 1.4 MB of UTF-8 in one string
    const bytes = new Uint8Array(1_500_000).map((_, i) => i & 0xff);
    const values: unknown[] = [];
    for (let i = 0; i < 30_000; i++) values.push([i, `record ${i}`]); // ~0.5 MB of small records
    values.push(big, [bytes, 'after'], { p: new Point(1, 2) });
    for (let i = 0; i < 30_000; i++) values.push(i * 1.5);
    for (const v of values) w.write(v);
    assert.ok(w.size > 3 * 1024 * 1024);
    assert.deepStrictEqual(new RecordReader(types).readAll(w.finish()), values);
  });

  it('records of every length-prefix size (1 to 4 bytes) frame correctly', () => {
    const values = [0, 'x'.repeat(126), 'x'.repeat(127), 'x'.repeat(20_000), 'y'.repeat(3_000_000), 1];
    const types = registry();
    assert.deepStrictEqual(new RecordReader(types).readAll(batchOf(values, types)), values);
  });

  it('finish() returns a batch that owns its whole ArrayBuffer, transferable while the writer carries on', () => {
    const types = registry();
    const w = new RecordWriter(types);
    w.write(['to transfer', 1]);
    const batch = w.finish();
    assert.equal(batch.byteOffset, 0);
    assert.equal(batch.buffer.byteLength, batch.byteLength);
    const moved = structuredClone(batch, { transfer: [batch.buffer] });
    assert.equal(batch.byteLength, 0); // detached
    w.write('next batch');
    assert.deepStrictEqual(new RecordReader(types).readAll(moved), [['to transfer', 1]]);
    assert.deepStrictEqual(new RecordReader(types).readAll(w.finish()), ['next batch']);
  });

  it('reads batches that sit inside a larger buffer (e.g. one after another in a spill file)', () => {
    const types = registry();
    const a = batchOf(['a', 1, 1.5], types);
    const b = batchOf([['b', new Point(1, 2)]], types);
    const file = new Uint8Array(3 + a.length + b.length);
    file.set(a, 3);
    file.set(b, 3 + a.length);
    const reader = new RecordReader(types);
    // The header's body length tells where the next batch starts.
    const bodyLength = new DataView(file.buffer).getUint32(3 + 12, true);
    assert.equal(HEADER + bodyLength, a.length);
    assert.deepStrictEqual(reader.readAll(file.subarray(3, 3 + a.length)), ['a', 1, 1.5]);
    assert.deepStrictEqual(reader.readAll(file.subarray(3 + a.length)), [['b', new Point(1, 2)]]);
  });

  it('the custom deserializer gets a copy of its bytes: keeping or changing them does not touch the batch', () => {
    const types = new TypeRegistry();
    class Holder {
      bytes: Uint8Array = new Uint8Array(0);
    }
    const received: Uint8Array[] = [];
    types.register(
      Holder,
      { serialize: (h) => h.bytes },
      {
        deserialize(b) {
          received.push(b);
          const h = new Holder();
          h.bytes = b;
          b[0] = 99; // scribbles on what it was given
          return h;
        },
      },
    );
    const h = new Holder();
    h.bytes = new Uint8Array([1, 2, 3]);
    const batch = batchOf([h, h], types);
    const reader = new RecordReader(types);
    reader.readAll(batch);
    const again = reader.readAll(batch) as Holder[];
    assert.deepStrictEqual(again[0]!.bytes, new Uint8Array([99, 2, 3]));
    assert.notEqual(received[0]!.buffer, batch.buffer);
    assert.equal(received[0]!.byteLength, 3);
  });

  it('onRecord may use the same reader on another batch (re-entrant)', () => {
    const types = registry();
    const outer = batchOf(['o1', 'o2', 'o3'], types);
    const inner = batchOf([['i', 1], 'a much longer inner string to decode natively']);
    const reader = new RecordReader(types);
    const seen: unknown[] = [];
    reader.forEach(outer, (v) => {
      seen.push(v);
      seen.push(reader.readAll(inner));
    });
    const innerValues = [['i', 1], 'a much longer inner string to decode natively'];
    assert.deepStrictEqual(seen, ['o1', innerValues, 'o2', innerValues, 'o3', innerValues]);
  });

  it('one writer serves many batches; a reader many batches', () => {
    const types = registry();
    const w = new RecordWriter(types, 32);
    const r = new RecordReader(types);
    for (let b = 0; b < 50; b++) {
      const values = Array.from({ length: b }, (_, i) => [b, i, `v${b}.${i}`]);
      for (const v of values) w.write(v);
      assert.deepStrictEqual(r.readAll(w.finish()), values);
    }
  });

  it('a reader given the same buffer refilled with another batch reads the new strings (found by npm run fuzz)', () => {
    const types = new TypeRegistry();
    const w = new RecordWriter(types);
    const r = new RecordReader(types);
    w.write(['hello', 'a']);
    const buffer = w.finish();
    w.write(['world', 'b']);
    const next = w.finish();
    assert.deepStrictEqual(r.readAll(buffer), [['hello', 'a']]);
    // A caller that reads batches into one reused buffer (same object, same length).
    buffer.set(next);
    assert.deepStrictEqual(r.readAll(buffer), [['world', 'b']]);
    const seen: unknown[] = [];
    buffer.set(batchOf([['again', 'c']], types));
    r.forEach(buffer, (v) => seen.push(v));
    assert.deepStrictEqual(seen, [['again', 'c']]);
  });
});
