import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordReader } from '../../src/serde/record-reader.ts';
import { RecordWriter } from '../../src/serde/record-writer.ts';
import { Box, Money, Point, registry, roundTrip } from './fixtures.ts';

function nested(depth: number): unknown {
  let v: unknown = [depth, 'leaf'];
  for (let d = depth - 1; d >= 1; d--) v = [d, v];
  return v;
}

const tuple25 = Array.from({ length: 25 }, (_, i) => (i % 5 === 0 ? i : i % 5 === 1 ? `f${i}` : i % 5 === 2 ? i + 0.5 : i % 5 === 3 ? null : [i, `n${i}`]));

const nullProto: Record<string, unknown> = Object.create(null);
nullProto.a = 1;
nullProto.b = [null];

const withProtoKey: Record<string, unknown> = {};
Object.defineProperty(withProtoKey, '__proto__', { value: 'not a prototype', enumerable: true, writable: true, configurable: true });
withProtoKey.other = 2;

// Every value type, registered custom types included, alone in a record. deepStrictEqual tells -0 from 0, compares NaN
// equal to NaN and checks prototypes.
const table: [string, unknown][] = [
  ['null', null],
  ['undefined', undefined],
  ['false', false],
  ['true', true],
  ['zero', 0],
  ['-0', -0],
  ['small int', 42],
  ['negative int', -7],
  ['int32 max', 2 ** 31 - 1],
  ['int32 min', -(2 ** 31)],
  ['just above int32', 2 ** 31],
  ['just below int32', -(2 ** 31) - 1],
  ['2^53 - 1', Number.MAX_SAFE_INTEGER],
  ['-(2^53 - 1)', Number.MIN_SAFE_INTEGER],
  ['LONG beyond 2^53 (carried as it is)', 2 ** 60],
  ['fraction', 0.1],
  ['NaN', Number.NaN],
  ['+Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['smallest subnormal', Number.MIN_VALUE],
  ['largest double', Number.MAX_VALUE],
  ['bigint 0', 0n],
  ['bigint 1', 1n],
  ['bigint -1', -1n],
  ['bigint 255', 255n],
  ['bigint 256', 256n],
  ['bigint 2^70', 2n ** 70n],
  ['bigint -2^70', -(2n ** 70n)],
  ['bigint 2^64 - 1', 2n ** 64n - 1n],
  ['empty string', ''],
  ['one char', 'a'],
  ['ascii', 'hello world'],
  ['latin-1', 'café crème'],
  ['CJK', '数据流处理'],
  ['astral (short)', '𝄞 😀 🇩🇪'],
  ['astral (long, native encoder)', '😀'.repeat(40) + 'x'.repeat(50) + '𝄞'],
  ['long ascii', 'x'.repeat(10_000)],
  ['NUL and control chars', '\u0000\u0001\n\t\u007f'],
  ['empty bytes', new Uint8Array(0)],
  ['bytes', new Uint8Array([0, 1, 127, 128, 255])],
  ['empty tuple', []],
  ['tuple', [1, 'a', true]],
  ['null and undefined inside a tuple', [null, undefined, 1, null]],
  ['nested tuples, depth 5', nested(5)],
  ['25-field tuple', tuple25],
  ['tuple of 200 fields', Array.from({ length: 200 }, (_, i) => i)],
  ['empty object', {}],
  ['plain object', { word: 'flink', count: 3 }],
  ['nested objects', { a: { b: { c: [1, { d: null }] } }, e: 'x' }],
  ['object with number-like and odd keys', { 1: 'one', 0: 'zero', '': 'empty', 'a b': 'space', é: 'é' }],
  ['object with a null prototype', nullProto],
  ["object with an own '__proto__' key", withProtoKey],
  ['registered class', new Point(1.5, -2)],
  ['second registered class', new Money('12.50', 'EUR')],
  ['registered classes inside a tuple', [new Point(0, 0), 'x', [new Money('1', 'USD'), new Point(-0, Number.NaN)]]],
  ['registered class inside an object', { where: new Point(3, 4), list: [new Money('0', 'JPY')] }],
  ['registered class whose serializer nests a record', new Box([new Point(1, 2), { k: [new Box('deep')] }])],
  ['everything at once', ['w', 1, [2.5, 'x'], true, -0, null, undefined, 3n, new Uint8Array([9]), { o: [new Point(1, 1)] }]],
];

describe('record format: every value type round-trips', () => {
  for (const [name, value] of table) {
    it(name, () => {
      assert.deepStrictEqual(roundTrip([value]), [value]);
    });
  }

  it('all of them in one batch, in order', () => {
    const values = table.map(([, v]) => v);
    assert.deepStrictEqual(roundTrip(values), values);
  });

  it('registered classes come back with their prototype (methods work)', () => {
    const [p, m] = roundTrip([new Point(3, 4), new Money('1', 'CHF')]);
    assert.ok(p instanceof Point);
    assert.equal(p.norm(), 5);
    assert.ok(m instanceof Money);
  });

  it('integers in int32 range take the varint form, others float64 (so -0 and NaN keep their bits)', () => {
    const types = registry();
    const size = (v: number): number => {
      const w = new RecordWriter(types);
      w.write(v);
      return w.size - 16 - 1; // header, record length byte
    };
    assert.equal(size(0), 2);
    assert.equal(size(-1), 2);
    assert.equal(size(63), 2);
    assert.equal(size(64), 3);
    assert.equal(size(2 ** 31 - 1), 6);
    assert.equal(size(-(2 ** 31)), 6);
    assert.equal(size(-0), 9);
    assert.equal(size(2 ** 31), 9);
    assert.equal(size(0.5), 9);
    const nan = new Float64Array([Number.NaN]);
    assert.ok(Number.isNaN(roundTrip([nan[0]])[0]));
  });

  it('a Buffer is bytes: it comes back as a Uint8Array with the same content', () => {
    const [b] = roundTrip([Buffer.from('abc')]);
    assert.ok(b instanceof Uint8Array);
    assert.equal(Object.getPrototypeOf(b), Uint8Array.prototype);
    assert.deepStrictEqual(b, new Uint8Array([0x61, 0x62, 0x63]));
  });

  it('a Uint8Array view into a larger buffer writes only its own bytes', () => {
    const big = new Uint8Array([1, 2, 3, 4, 5, 6]);
    assert.deepStrictEqual(roundTrip([big.subarray(2, 4)]), [new Uint8Array([3, 4])]);
  });

  it('a sparse array comes back dense, holes as undefined', () => {
    // biome-ignore lint: a hole on purpose
    const sparse = [1, , 3];
    assert.deepStrictEqual(roundTrip([sparse]), [[1, undefined, 3]]);
  });

  it('lone surrogates become U+FFFD, in short and long strings alike (UTF-8 has no lone surrogates)', () => {
    const short = 'a\ud800b\udc00c';
    const long = `${short}${'x'.repeat(100)}`;
    assert.deepStrictEqual(roundTrip([short, long]), ['a\ufffdb\ufffdc', `a\ufffdb\ufffdc${'x'.repeat(100)}`]);
  });

  it('symbol keys of objects are not written (as JSON and Object.keys)', () => {
    const o = { a: 1, [Symbol('hidden')]: 2 };
    assert.deepStrictEqual(roundTrip([o]), [{ a: 1 }]);
  });

  it('strings decoded from the same batch are independent values (no view into the batch)', () => {
    const types = registry();
    const w = new RecordWriter(types);
    w.write(['short', 'a much longer string than the short one, crossing the window limit']);
    const batch = w.finish();
    const [rec] = new RecordReader(types).readAll(batch) as [string[]];
    batch.fill(0);
    assert.deepStrictEqual(rec, ['short', 'a much longer string than the short one, crossing the window limit']);
  });
});

describe('record format: a batch held in a Node Buffer (as a worker pipe delivers it)', () => {
  it('bytes and typed arrays come back as copies of their own, of their exact class, not views into the batch', () => {
    const types = registry();
    const w = new RecordWriter(types);
    w.write([Uint8Array.of(1, 2, 3), Float64Array.of(1.5, -0), Int16Array.of(7)]);
    const batch = Buffer.concat([Buffer.from('pad'), Buffer.from(w.finish())]).subarray(3); // an odd offset in a shared buffer
    const [[bytes, floats, shorts]] = new RecordReader(types).readAll(batch) as [[Uint8Array, Float64Array, Int16Array]];
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
    assert.deepEqual([...bytes], [1, 2, 3]);
    assert.deepEqual([...floats], [1.5, -0]);
    assert.deepEqual([...shorts], [7]);
    batch.fill(0);
    assert.deepEqual([...bytes], [1, 2, 3]);
    for (const v of [bytes, floats, shorts]) assert.equal(v.byteOffset, 0);
  });
});
