/**
 * Constants of the binary record format (docs/record-format.md), shared by `RecordWriter` and
 * `RecordReader`. Every number here is part of the format: change one only with a new version.
 */

/** A batch starts with these four bytes: ASCII "TFRB" (TsFlink Record Batch). */
export const MAGIC_0 = 0x54;
export const MAGIC_1 = 0x46;
export const MAGIC_2 = 0x52;
export const MAGIC_3 = 0x42;
/** Format version, byte 4 of the header. */
export const FORMAT_VERSION = 1;
/** magic (4) + version (1) + reserved (3) + record count (u32 LE) + body length (u32 LE). */
export const HEADER_SIZE = 16;
/** Largest record count and body length a header can carry (u32). */
export const MAX_U32 = 0xffffffff;

// One tag byte in front of every value.
export const TAG_NULL = 0x00;
export const TAG_UNDEFINED = 0x01;
export const TAG_FALSE = 0x02;
export const TAG_TRUE = 0x03;
/** A JS number that is an integer in int32 range (not -0): zig-zag LEB128 varint. */
export const TAG_INT = 0x04;
/** Any other JS number: IEEE 754 binary64, little-endian. */
export const TAG_FLOAT64 = 0x05;
/** sign byte (0 or 1) + varint magnitude length + magnitude bytes, little-endian. */
export const TAG_BIGINT = 0x06;
/** varint UTF-8 byte length + UTF-8 bytes. */
export const TAG_STRING = 0x07;
/** varint length + raw bytes (decoded as a Uint8Array). */
export const TAG_BYTES = 0x08;
/** varint element count + elements (tuples and arrays). */
export const TAG_ARRAY = 0x09;
/** varint entry count + (key: varint UTF-8 length + UTF-8, value) pairs; prototype Object.prototype. */
export const TAG_OBJECT = 0x0a;
/** A registered custom type: varint type id + varint length + the user serializer's bytes. */
export const TAG_CUSTOM = 0x0b;
/** Like TAG_OBJECT, for an object whose prototype is null (`Object.create(null)`). */
export const TAG_OBJECT_NULL_PROTO = 0x0c;

// Built-in classes that cross without registration (exact prototypes; a subclass needs registering).
/** A `Date`: its time value as IEEE 754 binary64, little-endian (NaN for an invalid date). */
export const TAG_DATE = 0x0d;
/** A `Map`: varint entry count + (key value, value value) pairs, in insertion order. */
export const TAG_MAP = 0x0e;
/** A `Set`: varint element count + values, in insertion order. */
export const TAG_SET = 0x0f;
/** A typed array other than Uint8Array, or an ArrayBuffer: kind byte (`TYPED_ARRAY_KINDS`) + varint byte length + the bytes, little-endian. */
export const TAG_TYPED_ARRAY = 0x10;
/** A `RegExp`: source and flags, each as varint UTF-8 byte length + UTF-8 bytes (lastIndex is not kept). */
export const TAG_REGEXP = 0x11;

/** The kind byte of TAG_TYPED_ARRAY, by position: 0 is an ArrayBuffer. */
export const TYPED_ARRAY_KINDS = [ArrayBuffer, Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array] as const;

/** Nesting deeper than this is refused on both sides (a cycle, or input built to overflow the stack). */
export const MAX_DEPTH = 1000;

/**
 * Node's Buffer has native UTF-8 codecs that work in place (`utf8Write` writes into the buffer,
 * `utf8Slice`/`latin1Slice` read a range without an intermediate copy). They are not in @types/node,
 * hence this type.
 */
export interface NodeBuffer extends Buffer {
  utf8Write(s: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/** A Buffer over the same memory as `bytes` (no copy), with the native codecs typed. */
export function nodeBufferOver(bytes: Uint8Array): NodeBuffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as NodeBuffer;
}

/** Bytes an unsigned LEB128 varint of `n` (0 ≤ n < 2^32) takes. */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}
