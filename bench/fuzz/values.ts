/**
 * Arbitrary tsflink values for the fuzz targets: every value type (numbers, bigints,
 * strings, bytes, null, undefined, booleans, tuples, plain and null-prototype objects) and
 * registered custom types, nested freely; and the registry that registers those types.
 */
import fc from 'fast-check';
import { RecordReader } from '../../src/serde/record-reader.ts';
import { RecordWriter } from '../../src/serde/record-writer.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';

/** A registered class holding any value; its serializer nests a RecordWriter (a write inside a write). */
export class Box {
  content: unknown;
  constructor(content: unknown) {
    this.content = content;
  }
}

/** A registered class whose serialization is empty. */
export class Empty {}

/** Two registered classes, one extending the other: each is its own type (lookup by exact class). */
export class Base {
  x: number;
  constructor(x: number) {
    this.x = x;
  }
}
export class Derived extends Base {
  label: string;
  constructor(x: number, label: string) {
    super(x);
    this.label = label;
  }
}

/** Bytes of `value` as one record batch. */
function recordBytes(types: TypeRegistry, value: unknown): Uint8Array {
  const w = new RecordWriter(types, 32);
  w.write(value);
  return w.finish();
}

/** `bytes` as a view, with other bytes before and after it in its buffer. */
function viewOf(bytes: Uint8Array): Uint8Array {
  const padded = new Uint8Array(bytes.length + 7).fill(0xab);
  padded.set(bytes, 3);
  return padded.subarray(3, 3 + bytes.length);
}

function recordValue(types: TypeRegistry, bytes: Uint8Array): unknown {
  return new RecordReader(types).readAll(bytes)[0];
}

/** Box and Empty (ids 0 and 1): classes whose deserializers accept any bytes (Box's nested reader throws CorruptBatchError). */
export function totalRegistry(): TypeRegistry {
  const types = new TypeRegistry();
  types.register(Box, { serialize: (box) => recordBytes(types, box.content) }, { deserialize: (b) => new Box(recordValue(types, b)) });
  types.register(Empty, { serialize: () => new Uint8Array(0) }, { deserialize: () => new Empty() });
  return types;
}

/** Box, Empty, Date, Base, Derived and Map, registered in that order (ids 0–5). */
export function fuzzRegistry(): TypeRegistry {
  const types = totalRegistry();
  types.register(
    Date,
    {
      serialize(d) {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, d.getTime(), true);
        return b;
      },
    },
    { deserialize: (b) => new Date(new DataView(b.buffer, b.byteOffset, b.byteLength).getFloat64(0, true)) },
  );
  // Base's serializer returns a view into a larger buffer: only the view's bytes are the value.
  types.register(Base, { serialize: (v) => viewOf(recordBytes(types, v.x)) }, { deserialize: (b) => new Base(recordValue(types, b) as number) });
  types.register(
    Derived,
    { serialize: (v) => recordBytes(types, [v.x, v.label]) },
    {
      deserialize(b) {
        const [x, label] = recordValue(types, b) as [number, string];
        return new Derived(x, label);
      },
    },
  );
  types.register(Map, { serialize: (m) => recordBytes(types, [...m]) }, { deserialize: (b) => new Map(recordValue(types, b) as [unknown, unknown][]) });
  return types;
}

const INT32_EDGES = [0, 1, -1, 63, 64, -64, -65, 127, 128, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53];
const FLOAT_EDGES = [-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, Number.EPSILON, 0.1, -2.5];

/** Any JS number: int32 edges, safe integers, every double (-0, NaN, ±Infinity, subnormals), NaNs with other payloads. */
export const numberArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.constantFrom(...INT32_EDGES, ...FLOAT_EDGES),
  fc.maxSafeInteger(),
  fc.double(),
  fc.bigUint64Array({ minLength: 1, maxLength: 1 }).map((a) => new Float64Array(a.buffer)[0]!),
);

export const bigintArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.bigInt({ min: -(2n ** 2000n), max: 2n ** 2000n }),
  fc.constantFrom(0n, 1n, -1n, 255n, 256n, -256n, 2n ** 63n, -(2n ** 64n)),
);

/** UTF-16 code units, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** Units at the UTF-8 encoder's edges: ASCII/2-byte/3-byte boundaries, surrogate halves, NUL. */
const edgeUnit = fc.constantFrom('\u0000', 'a', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', '\ude00', '|', ',', '"', '\n');

/**
 * Strings of any UTF-16 units, below and above the writer's 42-unit short-string limit, and
 * long enough (rarely) that a length varint's size differs between 3 × units and the UTF-8 bytes.
 */
export const stringArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 3 },
  { arbitrary: fc.string({ unit: codeUnit, maxLength: 60 }), weight: 2 },
  { arbitrary: fc.string({ unit: edgeUnit, maxLength: 50 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 40, maxLength: 140 }), weight: 1 },
  { arbitrary: fc.tuple(fc.integer({ min: 5400, max: 5500 }), edgeUnit).map(([n, u]) => 'x'.repeat(n) + u), weight: 1 },
);

/** Bytes: empty, short, longer than a one- and a two-byte length prefix, and views into a larger buffer. */
export const bytesArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 20 }), weight: 4 },
  { arbitrary: fc.uint8Array({ minLength: 120, maxLength: 300 }), weight: 2 },
  { arbitrary: fc.tuple(fc.integer({ min: 16370, max: 16400 }), fc.integer({ min: 0, max: 255 })).map(([n, b]) => new Uint8Array(n).fill(b)), weight: 1 },
  {
    arbitrary: fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(), fc.nat()).map(([b, i, j]) => {
      const start = i % b.length;
      return b.subarray(start, start + (j % (b.length - start + 1)));
    }),
    weight: 2,
  },
);

/** Regular expressions: flags of every kind, sources with escapes, classes, groups and Unicode. */
const regExpArb: fc.Arbitrary<RegExp> = fc.oneof(
  fc
    .constantFrom('a+b', '\\d{2,}', '(?<name>z)|[^\\s]', '\\u{1F600}', '', '\\/', 'é.*$')
    .chain((source) => fc.subarray(['g', 'i', 'm', 's', 'u', 'y', 'd']).map((flags) => new RegExp(source, flags.join('')))),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((t) => new RegExp(t.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))),
);

/** Every typed array class but Uint8Array (bytes, above), empty and not, views into a larger buffer, and ArrayBuffers. */
const typedArrayArb: fc.Arbitrary<ArrayBuffer | ArrayBufferView> = fc.oneof(
  fc.int8Array({ maxLength: 8 }),
  fc.uint8ClampedArray({ maxLength: 8 }),
  fc.int16Array({ maxLength: 8 }),
  fc.uint16Array({ maxLength: 8 }),
  fc.int32Array({ maxLength: 8 }),
  fc.uint32Array({ maxLength: 8 }),
  fc.float32Array({ maxLength: 8 }),
  fc.float64Array({ maxLength: 8 }),
  fc.bigInt64Array({ maxLength: 8 }),
  fc.bigUint64Array({ maxLength: 8 }),
  fc.float64Array({ minLength: 3, maxLength: 8 }).map((a) => a.subarray(1, a.length - 1)),
  fc.uint8Array({ maxLength: 16 }).map((a) => a.slice().buffer),
);

/** Object keys: any strings, and the ones objects treat specially. */
const keyArb = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: codeUnit, maxLength: 3 }), fc.constantFrom('__proto__', 'constructor', 'toString', '0', '1', '10', '-1', ''));

export interface ValueArbitraries {
  readonly value: fc.Arbitrary<unknown>;
  readonly leaf: fc.Arbitrary<unknown>;
}

/** Every value type, registered custom types included, nested; `customs: false` leaves registered classes out. */
export function valueArbitraries(options: { customs?: boolean; maxTupleLength?: number } = {}): ValueArbitraries {
  const customs = options.customs ?? true;
  const maxLength = options.maxTupleLength ?? 6;
  const leaf = fc.oneof(fc.constant(null), fc.constant(undefined), fc.boolean(), numberArb, bigintArb, stringArb, bytesArb);
  const { value } = fc.letrec<{ value: unknown; tuple: unknown[]; object: unknown; custom: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('tuple'), tie('object'), ...(customs ? [tie('custom')] : [])),
    tuple: fc.oneof({ arbitrary: fc.array(tie('value'), { maxLength }), weight: 4 }, { arbitrary: fc.array(tie('value'), { minLength: 20, maxLength: 30 }), weight: 1 }),
    // fc.dictionary also makes null-prototype objects.
    object: fc.dictionary(keyArb, tie('value'), { maxKeys: 5 }),
    custom: fc.oneof(
      fc.oneof(numberArb, fc.integer({ min: -8.64e15, max: 8.64e15 })).map((t) => new Date(t)),
      tie('value').map((v) => new Box(v)),
      fc.constant(null).map(() => new Empty()),
      numberArb.map((x) => new Base(x)),
      fc.tuple(numberArb, stringArb).map(([x, s]) => new Derived(x, s)),
      fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((entries) => new Map(entries)),
      // Built-in classes that cross unregistered (Date and Map are registered above, so use their serializers).
      fc.array(tie('value'), { maxLength: 4 }).map((values) => new Set(values)),
      regExpArb,
      typedArrayArb,
    ),
  }));
  return { value, leaf };
}
