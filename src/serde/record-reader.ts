/**
 * Decodes batches of the binary record format (docs/record-format.md). Every read is bounds-checked
 * against the enclosing record, and every count is checked against the bytes left, so corrupt or
 * truncated input fails with a `CorruptBatchError` — never an infinite loop or a huge allocation.
 */
import {
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAGIC_2,
  MAGIC_3,
  MAX_DEPTH,
  type NodeBuffer,
  nodeBufferOver,
  TAG_ARRAY,
  TAG_BIGINT,
  TAG_BYTES,
  TAG_CUSTOM,
  TAG_DATE,
  TAG_MAP,
  TAG_REGEXP,
  TAG_SET,
  TAG_TYPED_ARRAY,
  TYPED_ARRAY_KINDS,
  TAG_FALSE,
  TAG_FLOAT64,
  TAG_INT,
  TAG_NULL,
  TAG_OBJECT,
  TAG_OBJECT_NULL_PROTO,
  TAG_STRING,
  TAG_TRUE,
  TAG_UNDEFINED,
} from './record-format.ts';
import { CorruptBatchError } from './serde-error.ts';
import type { TypeRegistry } from './type-registry.ts';

/**
 * Short ASCII strings are cut (`substring`) from one latin1 string of the next `WINDOW` bytes,
 * instead of one native `utf8Slice` call each, whose call overhead dominates short strings:
 * 400,000 short words decode in 19 ms instead of 34 ms (docs/record-format.md). Below
 * `SLICE_COPY_LIMIT` (V8's SlicedString::kMinLength) V8 copies a substring, so a kept string
 * never pins the window.
 */
const WINDOW = 16 * 1024;
const SLICE_COPY_LIMIT = 13;

const EMPTY = new Uint8Array(0);

export class RecordReader {
  private readonly types: TypeRegistry;
  private bytes: Uint8Array = EMPTY;
  private text: NodeBuffer = nodeBufferOver(EMPTY);
  private view: DataView = new DataView(EMPTY.buffer);
  private pos = 0;
  /** End of the record being decoded: no read may pass it. */
  private end = 0;
  /** latin1 text of `windowOf[windowStart, windowEnd)` (see `string`). */
  private window: string | null = null;
  private windowOf: Uint8Array = EMPTY;
  private windowStart = 0;
  private windowEnd = 0;

  constructor(types: TypeRegistry) {
    this.types = types;
  }

  /**
   * Decodes every record of `batch`, in order, handing each to `onRecord` as soon as it is
   * decoded. The header is validated first (a truncated batch is rejected before any record is
   * delivered); a record found corrupt later throws after the records before it were delivered.
   * `onRecord` may itself use this reader.
   */
  forEach(batch: Uint8Array, onRecord: (value: unknown) => void): number {
    const count = this.open(batch);
    const bytes = this.bytes;
    const text = this.text;
    const view = this.view;
    const batchEnd = bytes.byteLength;
    let pos = HEADER_SIZE;
    for (let i = 0; i < count; i++) {
      // Set again per record, so that an `onRecord` that reused this reader does not derail it.
      this.bytes = bytes;
      this.text = text;
      this.view = view;
      this.pos = pos;
      this.end = batchEnd;
      const len = this.length(1);
      const end = this.pos + len;
      this.end = end;
      const value = this.readValue(0);
      if (this.pos !== end) throw new CorruptBatchError(this.pos, `record ${i} ends at byte ${this.pos}, its length prefix says ${end}`);
      pos = end;
      onRecord(value);
    }
    if (pos !== batchEnd) throw new CorruptBatchError(pos, `${batchEnd - pos} bytes follow the last of the ${count} records the header announces`);
    return count;
  }

  /** Every record of `batch`, in order. All or nothing: a corrupt batch throws without a partial result. */
  readAll(batch: Uint8Array): unknown[] {
    const out: unknown[] = [];
    this.forEach(batch, (v) => {
      out.push(v);
    });
    return out;
  }

  /** Validates the header and points the reader at `batch`; returns the record count. */
  private open(batch: Uint8Array): number {
    if (!(batch instanceof Uint8Array)) throw new TypeError(`RecordReader: expected a Uint8Array batch, got ${batch === null ? 'null' : typeof batch}`);
    const n = batch.byteLength;
    if (n < HEADER_SIZE) throw new CorruptBatchError(0, `truncated: ${n} bytes, shorter than the ${HEADER_SIZE}-byte batch header`);
    if (batch[0] !== MAGIC_0 || batch[1] !== MAGIC_1 || batch[2] !== MAGIC_2 || batch[3] !== MAGIC_3) {
      throw new CorruptBatchError(0, `not a record batch: it starts with ${hex(batch.subarray(0, 4))}, not "TFRB"`);
    }
    if (batch[4] !== FORMAT_VERSION) throw new CorruptBatchError(4, `format version ${batch[4]}, this reader reads version ${FORMAT_VERSION}`);
    if (batch[5] !== 0 || batch[6] !== 0 || batch[7] !== 0) throw new CorruptBatchError(5, 'reserved header bytes are not zero');
    const view = new DataView(batch.buffer, batch.byteOffset, n);
    const count = view.getUint32(8, true);
    const bodyLength = view.getUint32(12, true);
    if (bodyLength !== n - HEADER_SIZE) {
      const what = bodyLength > n - HEADER_SIZE ? 'truncated' : 'trailing bytes';
      throw new CorruptBatchError(12, `${what}: the header announces ${bodyLength} bytes of records, the batch holds ${n - HEADER_SIZE}`);
    }
    // Every record takes at least two bytes (its length and a tag).
    if (count * 2 > bodyLength) throw new CorruptBatchError(8, `the header announces ${count} records, more than ${bodyLength} bytes can hold`);
    this.bytes = batch;
    this.text = nodeBufferOver(batch);
    this.view = view;
    // The window is of the previous batch: a caller may refill one buffer with the next batch.
    this.window = null;
    this.windowOf = EMPTY;
    return count;
  }

  private readValue(depth: number): unknown {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos >= this.end) throw this.truncated(pos, 'a value');
    const tag = bytes[pos++]!;
    this.pos = pos;
    switch (tag) {
      case TAG_INT: {
        // One-byte varints (-64..63) inline; longer ones through `varint`.
        const b = bytes[pos]!;
        let z: number;
        if (b < 0x80 && pos < this.end) {
          z = b;
          this.pos = pos + 1;
        } else z = this.varint();
        return (z >>> 1) ^ -(z & 1);
      }
      case TAG_STRING: {
        const n = this.length(1);
        const start = this.pos;
        this.pos = start + n;
        return this.string(start, n);
      }
      case TAG_ARRAY: {
        if (depth >= MAX_DEPTH) throw new CorruptBatchError(pos - 1, `values nest deeper than ${MAX_DEPTH} levels`);
        return this.array(this.length(1), depth + 1);
      }
      case TAG_FLOAT64:
        if (pos + 8 > this.end) throw this.truncated(pos, 'a float64');
        this.pos = pos + 8;
        return this.view.getFloat64(pos, true);
      case TAG_TRUE:
        return true;
      case TAG_FALSE:
        return false;
      case TAG_NULL:
        return null;
      case TAG_UNDEFINED:
        return undefined;
      case TAG_OBJECT:
      case TAG_OBJECT_NULL_PROTO:
        if (depth >= MAX_DEPTH) throw new CorruptBatchError(pos - 1, `values nest deeper than ${MAX_DEPTH} levels`);
        return this.object(tag === TAG_OBJECT_NULL_PROTO, depth);
      case TAG_BYTES: {
        const n = this.length(1);
        const start = this.pos;
        this.pos = start + n;
        return copyOf(bytes, start, n);
      }
      case TAG_CUSTOM:
        return this.custom(pos - 1);
      case TAG_BIGINT:
        return this.bigint(pos);
      case TAG_DATE:
        if (pos + 8 > this.end) throw this.truncated(pos, 'a date');
        this.pos = pos + 8;
        return new Date(this.view.getFloat64(pos, true));
      case TAG_MAP:
      case TAG_SET:
        if (depth >= MAX_DEPTH) throw new CorruptBatchError(pos - 1, `values nest deeper than ${MAX_DEPTH} levels`);
        return tag === TAG_MAP ? this.map(depth) : this.set(depth);
      case TAG_TYPED_ARRAY:
        return this.typedArray(pos);
      case TAG_REGEXP:
        return this.regexp(pos - 1);
      default:
        throw new CorruptBatchError(pos - 1, `unknown value tag 0x${tag.toString(16).padStart(2, '0')}`);
    }
  }

  private array(n: number, depth: number): unknown[] {
    // Literals for short tuples: allocated inline by optimized code and packed (`new Array(n)` is
    // a builtin call and makes a holey array, slower to read downstream). Elements are read left to right.
    switch (n) {
      case 0:
        return [];
      case 1:
        return [this.readValue(depth)];
      case 2:
        return [this.readValue(depth), this.readValue(depth)];
      case 3:
        return [this.readValue(depth), this.readValue(depth), this.readValue(depth)];
      case 4:
        return [this.readValue(depth), this.readValue(depth), this.readValue(depth), this.readValue(depth)];
      case 5:
        return [this.readValue(depth), this.readValue(depth), this.readValue(depth), this.readValue(depth), this.readValue(depth)];
      default: {
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = this.readValue(depth);
        return a;
      }
    }
  }

  private object(nullProto: boolean, depth: number): Record<string, unknown> {
    // Each entry takes at least two bytes (a key length and a value tag).
    const n = this.length(2);
    const o: Record<string, unknown> = nullProto ? Object.create(null) : {};
    for (let i = 0; i < n; i++) {
      const kn = this.length(1);
      const ks = this.pos;
      this.pos = ks + kn;
      const key = this.string(ks, kn);
      const value = this.readValue(depth + 1);
      // A plain assignment to '__proto__' would set the prototype instead of a property.
      if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
      else o[key] = value;
    }
    return o;
  }

  private map(depth: number): Map<unknown, unknown> {
    const n = this.length(2);
    const m = new Map<unknown, unknown>();
    for (let i = 0; i < n; i++) {
      const k = this.readValue(depth + 1);
      m.set(k, this.readValue(depth + 1));
    }
    return m;
  }

  private set(depth: number): Set<unknown> {
    const n = this.length(1);
    const s = new Set<unknown>();
    for (let i = 0; i < n; i++) s.add(this.readValue(depth + 1));
    return s;
  }

  private typedArray(at: number): ArrayBuffer | ArrayBufferView {
    if (at >= this.end) throw this.truncated(at, 'a typed array kind');
    const kind = this.bytes[at]!;
    const type = TYPED_ARRAY_KINDS[kind];
    if (type === undefined) throw new CorruptBatchError(at, `typed array kind ${kind} is not one of 0..${TYPED_ARRAY_KINDS.length - 1}`);
    this.pos = at + 1;
    const n = this.length(1);
    const start = this.pos;
    this.pos = start + n;
    // A copy: its own ArrayBuffer, aligned for any element size.
    const buffer = copyOf(this.bytes, start, n).buffer;
    if (kind === 0) return buffer;
    const view = type as Exclude<(typeof TYPED_ARRAY_KINDS)[number], ArrayBufferConstructor>;
    if (n % view.BYTES_PER_ELEMENT !== 0) throw new CorruptBatchError(start, `${n} bytes are not a whole number of ${view.name} elements`);
    return new view(buffer);
  }

  private regexp(at: number): RegExp {
    const sn = this.length(1);
    const source = this.string(this.pos, sn);
    this.pos += sn;
    const fn = this.length(1);
    const flags = this.string(this.pos, fn);
    this.pos += fn;
    try {
      return new RegExp(source, flags);
    } catch (e) {
      throw new CorruptBatchError(at, `not a regular expression: ${(e as Error).message}`);
    }
  }

  private custom(at: number): unknown {
    const id = this.varint();
    const n = this.length(1);
    const start = this.pos;
    this.pos = start + n;
    const type = this.types.byId(id);
    if (type === undefined) {
      throw new CorruptBatchError(
        at,
        `custom type id ${id} is not registered in this process (${this.types.size} registered); every side must call env.registerCustomType for the same classes in the same order`,
      );
    }
    // A copy: the deserializer may keep what it is given, and the batch's buffer is reused or transferred.
    return type.deserializer.deserialize(copyOf(this.bytes, start, n));
  }

  private bigint(at: number): bigint {
    if (at >= this.end) throw this.truncated(at, 'a bigint sign');
    const sign = this.bytes[at]!;
    if (sign > 1) throw new CorruptBatchError(at, `bigint sign byte is ${sign}, not 0 or 1`);
    this.pos = at + 1;
    const n = this.length(1);
    const start = this.pos;
    this.pos = start + n;
    if (n === 0) return 0n;
    let digits = '';
    for (let i = start + n - 1; i >= start; i--) digits += (this.bytes[i]! < 0x10 ? '0' : '') + this.bytes[i]!.toString(16);
    const magnitude = BigInt(`0x${digits}`);
    return sign === 1 ? -magnitude : magnitude;
  }

  private string(start: number, n: number): string {
    if (n < SLICE_COPY_LIMIT) {
      const bytes = this.bytes;
      const end = start + n;
      let i = start;
      while (i < end && bytes[i]! < 0x80) i++;
      if (i === end) {
        if (this.window === null || this.windowOf !== bytes || start < this.windowStart || end > this.windowEnd) this.openWindow(start);
        return this.window!.substring(start - this.windowStart, end - this.windowStart);
      }
    }
    return this.text.utf8Slice(start, start + n);
  }

  /** Decodes up to `WINDOW` bytes from `start` as latin1, for `string` to cut short ASCII strings from. */
  private openWindow(start: number): void {
    const end = Math.min(this.bytes.byteLength, start + WINDOW);
    this.window = this.text.latin1Slice(start, end);
    this.windowOf = this.bytes;
    this.windowStart = start;
    this.windowEnd = end;
  }

  /**
   * A varint length or count at `pos`, checked against the bytes left in the record: each of the
   * `n` items takes at least `minItemSize` bytes.
   */
  private length(minItemSize: number): number {
    const at = this.pos;
    const n = this.varint();
    if (n * minItemSize > this.end - this.pos) throw this.truncated(at, `${n} ${minItemSize === 1 ? 'bytes or items' : 'entries'}`);
    return n;
  }

  /** An unsigned LEB128 varint below 2^32 at `pos`. */
  private varint(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    // Fast path, all five possible bytes inside the record: no bounds check per byte.
    if (pos + 5 > this.end) return this.varintNearEnd();
    let b = bytes[pos++]!;
    let r = b & 0x7f;
    if (b >= 0x80) {
      b = bytes[pos++]!;
      r |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = bytes[pos++]!;
        r |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = bytes[pos++]!;
          r |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = bytes[pos++]!;
            if (b > 0x0f) throw new CorruptBatchError(pos - 1, 'varint exceeds 32 bits');
            r = (r | (b << 28)) >>> 0;
          }
        }
      }
    }
    this.pos = pos;
    return r;
  }

  /**
   * `varint` within five bytes of the record's end: every byte checked. Small records (a tuple of
   * a few integers) read most of their varints here: integer shifts, no floating point.
   */
  private varintNearEnd(): number {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw this.truncated(pos, 'a varint');
      const b = bytes[pos++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
    }
    if (pos >= end) throw this.truncated(pos, 'a varint');
    const b = bytes[pos++]!;
    if (b > 0x0f) throw new CorruptBatchError(pos - 1, 'varint exceeds 32 bits');
    this.pos = pos;
    return (result | (b << 28)) >>> 0;
  }

  private truncated(at: number, what: string): CorruptBatchError {
    return new CorruptBatchError(at, `truncated or corrupt: ${what} does not fit in the ${this.end - at} bytes left in its record`);
  }
}

/**
 * A plain Uint8Array copy of `n` bytes at `start`, over an ArrayBuffer of its own. Not `slice`:
 * a batch may be a Node Buffer (from a worker's pipe), whose `slice` is a view into the batch's
 * (pooled, reused) memory.
 */
function copyOf(bytes: Uint8Array, start: number, n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  out.set(bytes.subarray(start, start + n));
  return out;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
