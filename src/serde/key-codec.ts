/**
 * The canonical key encoding: one byte string per key, the same in every process and language,
 * with the equality, order and hash tsflink defines (not Java's, not Flink's `byte[]`
 * comparator). The Flink runner moves keyed records as (canonical key, record) pairs and Flink
 * partitions, groups, sorts and joins them on the key's bytes (flink-runner/…/CanonicalKey.java
 * is the Java side); `test/vectors/canonical-keys.json` holds vectors both test suites check.
 *
 * - Equal keys (keys compare by value) have equal bytes: 1 and 1.0 are one number, -0 is 0, every
 *   NaN is one NaN; tuples, bytes, objects and registered custom types compare by content.
 * - Comparing the bytes as unsigned bytes, shortest first on a common prefix, orders keys as
 *   `compareValues` does (runtime/compare.ts): null < undefined < boolean < number < bigint <
 *   string < bytes < tuple < object; strings by UTF-16 code unit, tuples field by field then by
 *   length. Objects order by class name, then by their fields in name order (custom types by
 *   registration id, then their serialized bytes).
 * - Every encoding is prefix-free, so a tuple's encoding is its fields' one after another, and
 *   inverting every byte of a field reverses its order (descending sort fields: `encodeSortKey`).
 * - hash = MurmurHash3 (x86, 32-bit, seed 0) of the bytes, unsigned; partition = hash mod p.
 *
 * Layout (tag byte first):
 * ```
 * 0x01 null | 0x02 undefined | 0x03 b (b = 0 false, 1 true)
 * 0x04 number: IEEE 754 binary64 big-endian; sign bit set → every bit inverted, else sign bit set
 * 0x05 bigint: 0x01 zero | 0x02 len(u32 BE) magnitude(BE) | 0x00 ~len ~magnitude (negative)
 * 0x06 string: each UTF-16 code unit c as [c+1] (c < 0x80), [0x81 + (c >> 8), c & 0xff] (c < 0x4000)
 *      or [0xc1, c >> 8, c & 0xff]; then 0x00
 * 0x07 bytes: each byte as a code unit of a string; then 0x00
 * 0x08 tuple: the fields' encodings; then 0x00
 * 0x09 object: 0x01 id(as number) bytes(as 0x07) for a registered custom type, or
 *      0x02 className(as string) then per field in name order: 0x01 name(as string) value; then 0x00
 *      (the 0x01 keeps an empty name, whose string is just 0x00, apart from the end), or a
 *      built-in value type, compared by value as the record format carries it:
 *      0x03 Date: time(as number, an invalid Date's NaN last)
 *      0x04 RegExp: source(as string) flags(as string)
 *      0x05 Map: per entry, in the order of the entries' encodings: 0x01 key value; then 0x00
 *      0x06 Set: per element, in the order of their encodings: 0x01 element; then 0x00
 *      0x07 typed array, DataView or ArrayBuffer: typeName(as string) bytes(as 0x07)
 * ```
 */
import type { TypeRegistry } from './type-registry.ts';

export const KEY_NULL = 0x01;
export const KEY_UNDEFINED = 0x02;
export const KEY_BOOLEAN = 0x03;
export const KEY_NUMBER = 0x04;
export const KEY_BIGINT = 0x05;
export const KEY_STRING = 0x06;
export const KEY_BYTES = 0x07;
export const KEY_TUPLE = 0x08;
export const KEY_OBJECT = 0x09;

/**
 * Encodes keys into one growing buffer (no allocation per key but the result's copy). Not
 * re-entrant: one per operator.
 */
export class KeyEncoder {
  private buf = new Uint8Array(256);
  private pos = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);
  private readonly types: TypeRegistry;

  constructor(types: TypeRegistry) {
    this.types = types;
  }

  /** The key's canonical bytes (a fresh array). */
  encode(key: unknown): Uint8Array {
    return this.view(this.encodeInPlace(key)).slice();
  }

  /**
   * Encodes into the encoder's own buffer and returns the length: `view(n)` shows the bytes
   * until the next call (no allocation per key, for writers that copy them on).
   */
  encodeInPlace(key: unknown): number {
    this.pos = 0;
    this.value(key);
    return this.pos;
  }

  /** The first n bytes of the encoder's buffer (see `encodeInPlace`, `sortKeyInPlace`). */
  view(n: number): Uint8Array {
    return this.buf.subarray(0, n);
  }

  /**
   * A sort key: the values' encodings one after another, each inverted where its order is
   * descending, so that comparing the bytes sorts by every field in its own direction.
   */
  encodeSortKey(values: readonly unknown[], ascending: readonly boolean[]): Uint8Array {
    return this.view(this.sortKeyInPlace(values, ascending)).slice();
  }

  /** `encodeSortKey` into the encoder's own buffer; returns the length (see `view`). */
  sortKeyInPlace(values: readonly unknown[], ascending: readonly boolean[]): number {
    this.pos = 0;
    for (let i = 0; i < values.length; i++) {
      const start = this.pos;
      this.value(values[i]);
      if (!ascending[i]) for (let j = start; j < this.pos; j++) this.buf[j] = ~this.buf[j]! & 0xff;
    }
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        this.number(v);
        return;
      case 'string':
        this.byte(KEY_STRING);
        this.string(v);
        return;
      case 'boolean':
        this.ensure(2);
        this.buf[this.pos++] = KEY_BOOLEAN;
        this.buf[this.pos++] = v ? 1 : 0;
        return;
      case 'undefined':
        this.byte(KEY_UNDEFINED);
        return;
      case 'bigint':
        this.bigint(v);
        return;
      case 'function':
      case 'symbol':
        throw new TypeError(`a ${typeof v} cannot be a key`);
      default:
        break;
    }
    if (v === null) {
      this.byte(KEY_NULL);
      return;
    }
    if (Array.isArray(v)) {
      this.byte(KEY_TUPLE);
      for (let i = 0; i < v.length; i++) this.value(v[i]);
      this.byte(0);
      return;
    }
    if (v instanceof Uint8Array) {
      this.byte(KEY_BYTES);
      this.units(v);
      return;
    }
    this.object(v as object);
  }

  private number(n: number): void {
    this.ensure(9);
    this.buf[this.pos++] = KEY_NUMBER;
    // -0 is 0; every NaN is the canonical quiet NaN (0x7ff8…), which sorts after +Infinity.
    this.f64[0] = n === 0 ? 0 : Number.isNaN(n) ? Number.NaN : n;
    const b = this.f64Bytes;
    // Float64Array is little-endian on every platform Node runs on; the key is big-endian.
    const negative = (b[7]! & 0x80) !== 0;
    for (let i = 7; i >= 0; i--) {
      let x = b[i]!;
      if (negative) x = ~x & 0xff;
      else if (i === 7) x |= 0x80;
      this.buf[this.pos++] = x;
    }
    if (Number.isNaN(n)) {
      // V8 keeps the NaN it was given: write the canonical one.
      this.buf.set([0xff, 0xf8, 0, 0, 0, 0, 0, 0], this.pos - 8);
    }
  }

  private bigint(v: bigint): void {
    this.byte(KEY_BIGINT);
    if (v === 0n) {
      this.byte(0x01);
      return;
    }
    const negative = v < 0n;
    let hex = (negative ? -v : v).toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    const len = hex.length / 2;
    const flip = negative ? 0xff : 0;
    this.ensure(5 + len);
    this.buf[this.pos++] = negative ? 0x00 : 0x02;
    this.buf[this.pos++] = ((len >>> 24) & 0xff) ^ flip;
    this.buf[this.pos++] = ((len >>> 16) & 0xff) ^ flip;
    this.buf[this.pos++] = ((len >>> 8) & 0xff) ^ flip;
    this.buf[this.pos++] = (len & 0xff) ^ flip;
    for (let i = 0; i < len; i++) this.buf[this.pos++] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16) ^ flip;
  }

  /** A string's code units, then the terminator. */
  private string(s: string): void {
    this.ensure(s.length * 3 + 1);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[p++] = c + 1;
      else if (c < 0x4000) {
        buf[p++] = 0x81 + (c >>> 8);
        buf[p++] = c & 0xff;
      } else {
        buf[p++] = 0xc1;
        buf[p++] = c >>> 8;
        buf[p++] = c & 0xff;
      }
    }
    buf[p++] = 0;
    this.pos = p;
  }

  /** Bytes as code units (0x00–0x7f one byte, the rest two), then the terminator. */
  private units(bytes: Uint8Array): void {
    this.ensure(bytes.length * 2 + 1);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c < 0x80) buf[p++] = c + 1;
      else {
        buf[p++] = 0x81;
        buf[p++] = c;
      }
    }
    buf[p++] = 0;
    this.pos = p;
  }

  private object(v: object): void {
    this.byte(KEY_OBJECT);
    const registered = this.types.lookup(v);
    if (registered) {
      this.byte(0x01);
      this.number(registered.id);
      this.byte(KEY_BYTES);
      this.units(registered.serializer.serialize(v));
      return;
    }
    const builtIn = builtInKind(v);
    if (builtIn !== 0) {
      this.builtIn(builtIn, v);
      return;
    }
    this.byte(0x02);
    this.string(v.constructor?.name ?? '');
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(v).sort()) {
      this.byte(0x01);
      this.string(k);
      this.value(rec[k]);
    }
    this.byte(0);
  }

  private builtIn(kind: number, v: object): void {
    this.byte(kind);
    switch (kind) {
      case BUILT_IN_DATE:
        this.number((v as Date).getTime());
        return;
      case BUILT_IN_REGEXP:
        this.string((v as RegExp).source);
        this.string((v as RegExp).flags);
        return;
      case BUILT_IN_MAP:
      case BUILT_IN_SET: {
        // Equal contents in another insertion order are the same key: entries in encoded order.
        const inner = new KeyEncoder(this.types);
        const parts = kind === BUILT_IN_MAP ? [...(v as Map<unknown, unknown>)].map(([k, x]) => inner.encodePair(k, x)) : [...(v as Set<unknown>)].map((x) => inner.encode(x));
        parts.sort(compareKeyBytes);
        for (const part of parts) {
          this.ensure(part.length + 1);
          this.buf[this.pos++] = 0x01;
          this.buf.set(part, this.pos);
          this.pos += part.length;
        }
        this.byte(0);
        return;
      }
      default: {
        const view = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array((v as ArrayBufferView).buffer, (v as ArrayBufferView).byteOffset, (v as ArrayBufferView).byteLength);
        this.string(v.constructor.name);
        this.byte(KEY_BYTES);
        this.units(view);
      }
    }
  }

  /** Two values' encodings one after another (a Map entry). */
  private encodePair(a: unknown, b: unknown): Uint8Array {
    this.pos = 0;
    this.value(a);
    this.value(b);
    return this.buf.slice(0, this.pos);
  }
}

const BUILT_IN_DATE = 0x03;
const BUILT_IN_REGEXP = 0x04;
const BUILT_IN_MAP = 0x05;
const BUILT_IN_SET = 0x06;
const BUILT_IN_BYTES = 0x07;

/** The sub-tag of a built-in value type the record format carries (Date, Map, …), or 0. */
export function builtInKind(v: object): number {
  if (v instanceof Date) return BUILT_IN_DATE;
  if (v instanceof Map) return BUILT_IN_MAP;
  if (v instanceof Set) return BUILT_IN_SET;
  if (v instanceof RegExp) return BUILT_IN_REGEXP;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return BUILT_IN_BYTES;
  return 0;
}

/** Compares two canonical keys: unsigned bytes, the shorter first on a common prefix. */
export function compareKeyBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

/** MurmurHash3, x86 32-bit, seed 0, of a canonical key: unsigned. */
export function keyHash(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const n = bytes.length;
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = n & 3;
  if (rest > 0) {
    let k = bytes[blocks]!;
    if (rest > 1) k ^= bytes[blocks + 1]! << 8;
    if (rest > 2) k ^= bytes[blocks + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  return fmix32(h ^ n);
}

/** MurmurHash3's finaliser: spreads every bit of a 32-bit value over all of the result's (unsigned). */
export function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The subtask (of `parallelism`) a canonical key belongs to. */
export function keyPartition(bytes: Uint8Array, parallelism: number): number {
  return keyHash(bytes) % parallelism;
}
