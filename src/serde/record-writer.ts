/**
 * Encodes records into a batch of the binary record format (docs/record-format.md): the bytes
 * that cross threads as transferable buffers, and later processes and the Flink runner.
 *
 * Hot path: one growable buffer, values written in place (strings straight into it, no
 * intermediate Uint8Array), no per-record allocation besides what user serializers return.
 */
import {
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAGIC_2,
  MAGIC_3,
  MAX_DEPTH,
  MAX_U32,
  type NodeBuffer,
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
  varintSize,
} from './record-format.ts';
import { describePath, UnregisteredTypeError, UnsupportedValueError } from './serde-error.ts';
import type { TypeRegistry } from './type-registry.ts';
import { TsflinkError } from '../errors/index.ts';

/**
 * Strings up to this many UTF-16 units are encoded by a JS loop: 400,000 short words encode in
 * 13 ms instead of 33–38 ms through the native `utf8Write`, whose call overhead dominates short
 * strings (docs/record-format.md). 3 × 42 < 128, so their byte length always fits a one-byte varint.
 */
const SHORT_STRING = 42;

const NO_FAILURE: unique symbol = Symbol('no failure');

export class RecordWriter {
  private readonly types: TypeRegistry;
  private buf: NodeBuffer;
  private view: DataView;
  private cap: number;
  private pos = HEADER_SIZE;
  private records = 0;
  /** The value an encoding error was about, so `write` can say where in the record it sits. */
  private failedOn: unknown = NO_FAILURE;

  constructor(types: TypeRegistry, initialCapacity = 64 * 1024) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) throw new RangeError(`RecordWriter: initialCapacity ${initialCapacity} is not a positive integer`);
    this.types = types;
    this.cap = Math.max(initialCapacity, HEADER_SIZE + 16);
    // Unpooled, so the memory is this writer's alone.
    this.buf = Buffer.allocUnsafeSlow(this.cap) as NodeBuffer;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.cap);
  }

  /** Bytes the batch would have if `finish()` were called now (header included). */
  get size(): number {
    return this.pos;
  }

  /** Records written since the last `finish()` or `reset()`. */
  get count(): number {
    return this.records;
  }

  /**
   * Appends one record. On an error (unregistered class, function, symbol, a throwing custom
   * serializer) nothing of the record is kept and the batch stays valid.
   */
  write(value: unknown): void {
    const start = this.pos;
    // One byte reserved for the record's varint length; `frame` moves the record if it needs more.
    if (start + 16 > this.cap) this.grow(16);
    this.pos = start + 1;
    try {
      this.writeValue(value, 0);
    } catch (err) {
      this.pos = start;
      throw this.locate(err, value);
    }
    const len = this.pos - start - 1;
    if (len < 0x80) this.buf[start] = len;
    else this.frame(start, len);
    this.records++;
  }

  /**
   * The batch: header + records, in a Uint8Array that owns its whole ArrayBuffer (so
   * `postMessage(batch, [batch.buffer])` transfers exactly it). The writer then starts a new batch.
   */
  finish(): Uint8Array<ArrayBuffer> {
    const bodyLength = this.pos - HEADER_SIZE;
    if (bodyLength > MAX_U32) throw new TsflinkError(`Record batch of ${bodyLength} bytes exceeds the format's 4 GiB limit; finish batches earlier`);
    const b = this.buf;
    b[0] = MAGIC_0;
    b[1] = MAGIC_1;
    b[2] = MAGIC_2;
    b[3] = MAGIC_3;
    b[4] = FORMAT_VERSION;
    b[5] = 0;
    b[6] = 0;
    b[7] = 0;
    this.view.setUint32(8, this.records, true);
    this.view.setUint32(12, bodyLength, true);
    // ArrayBuffer.slice: one copy, not zero-filled first. The buffer is never shared (allocUnsafeSlow).
    const out = new Uint8Array((this.buf.buffer as ArrayBuffer).slice(this.buf.byteOffset, this.buf.byteOffset + this.pos));
    this.reset();
    return out;
  }

  /** Drops the records written since the last `finish()`; the buffer (and its grown capacity) is kept. */
  reset(): void {
    this.pos = HEADER_SIZE;
    this.records = 0;
  }

  private writeValue(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'string':
        this.writeString(v);
        return;
      case 'number':
        this.writeNumber(v);
        return;
      case 'boolean':
        if (this.pos + 1 > this.cap) this.grow(1);
        this.buf[this.pos++] = v ? TAG_TRUE : TAG_FALSE;
        return;
      case 'object':
        if (v === null) {
          if (this.pos + 1 > this.cap) this.grow(1);
          this.buf[this.pos++] = TAG_NULL;
        } else if (Array.isArray(v)) this.writeArray(v, depth);
        else this.writeObject(v, depth);
        return;
      case 'undefined':
        if (this.pos + 1 > this.cap) this.grow(1);
        this.buf[this.pos++] = TAG_UNDEFINED;
        return;
      case 'bigint':
        this.writeBigInt(v);
        return;
      case 'function':
        this.failedOn = v;
        throw new UnsupportedValueError(`function '${v.name || '(anonymous)'}'`, 'functions cannot cross a thread or process boundary; emit data, not code');
      default:
        this.failedOn = v;
        throw new UnsupportedValueError(`symbol ${String(v)}`, 'symbols cannot cross a thread or process boundary');
    }
  }

  private writeNumber(v: number): void {
    if (this.pos + 9 > this.cap) this.grow(9);
    const b = this.buf;
    let p = this.pos;
    // int32 and not -0 (1/-0 is -Infinity): zig-zag varint. NaN fails the first test.
    if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      b[p++] = TAG_INT;
      let z = ((v << 1) ^ (v >> 31)) >>> 0;
      while (z >= 0x80) {
        b[p++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      b[p++] = z;
    } else {
      b[p++] = TAG_FLOAT64;
      this.view.setFloat64(p, v, true);
      p += 8;
    }
    this.pos = p;
  }

  private writeString(s: string): void {
    const n = s.length;
    // Worst case: 3 UTF-8 bytes per UTF-16 unit, 5 bytes of length, 1 tag.
    if (this.pos + 3 * n + 6 > this.cap) this.grow(3 * n + 6);
    this.buf[this.pos++] = TAG_STRING;
    this.writeStringBody(s);
  }

  /** varint UTF-8 byte length + UTF-8 bytes; capacity for `3 * s.length + 5` bytes is ensured by the caller. */
  private writeStringBody(s: string): void {
    const n = s.length;
    const b = this.buf;
    const start = this.pos;
    if (n <= SHORT_STRING) {
      let p = start + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x80) b[p++] = c;
        else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLowSurrogate(s.charCodeAt(i + 1))) p = encodePair(b, p, c, s.charCodeAt(++i));
        else p = encodeBmp(b, p, c);
      }
      b[start] = p - start - 1;
      this.pos = p;
      return;
    }
    const reserved = varintSize(3 * n);
    const written = b.utf8Write(s, start + reserved, 3 * n);
    const needed = varintSize(written);
    if (needed !== reserved) b.copyWithin(start + needed, start + reserved, start + reserved + written);
    this.pos = writeVarint(b, start, written) + written;
  }

  private writeArray(v: readonly unknown[], depth: number): void {
    if (depth >= MAX_DEPTH) throw this.tooDeep(v);
    if (this.pos + 6 > this.cap) this.grow(6);
    const n = v.length;
    this.buf[this.pos] = TAG_ARRAY;
    this.pos = writeVarint(this.buf, this.pos + 1, n);
    for (let i = 0; i < n; i++) this.writeValue(v[i], depth + 1);
  }

  private writeObject(v: object, depth: number): void {
    if (v instanceof Uint8Array) {
      const n = v.byteLength;
      if (this.pos + n + 6 > this.cap) this.grow(n + 6);
      this.buf[this.pos] = TAG_BYTES;
      const p = writeVarint(this.buf, this.pos + 1, n);
      this.buf.set(v, p);
      this.pos = p + n;
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      if (depth >= MAX_DEPTH) throw this.tooDeep(v);
      const keys = Object.keys(v);
      const n = keys.length;
      if (this.pos + 6 > this.cap) this.grow(6);
      this.buf[this.pos] = proto === null ? TAG_OBJECT_NULL_PROTO : TAG_OBJECT;
      this.pos = writeVarint(this.buf, this.pos + 1, n);
      for (let i = 0; i < n; i++) {
        const k = keys[i]!;
        if (this.pos + 3 * k.length + 5 > this.cap) this.grow(3 * k.length + 5);
        this.writeStringBody(k);
        this.writeValue((v as Record<string, unknown>)[k], depth + 1);
      }
      return;
    }
    this.writeCustom(v, proto, depth);
  }

  /** Date, Map, Set, RegExp, typed arrays and ArrayBuffer (their exact classes): written, true; anything else: false. */
  private writeBuiltIn(v: object, proto: object, depth: number): boolean {
    if (proto === Date.prototype) {
      if (this.pos + 9 > this.cap) this.grow(9);
      this.buf[this.pos] = TAG_DATE;
      this.view.setFloat64(this.pos + 1, (v as Date).getTime(), true);
      this.pos += 9;
      return true;
    }
    if (proto === Map.prototype || proto === Set.prototype) {
      if (depth >= MAX_DEPTH) throw this.tooDeep(v);
      const isMap = proto === Map.prototype;
      const c = v as Map<unknown, unknown> | Set<unknown>;
      if (this.pos + 6 > this.cap) this.grow(6);
      this.buf[this.pos] = isMap ? TAG_MAP : TAG_SET;
      this.pos = writeVarint(this.buf, this.pos + 1, c.size);
      if (isMap) {
        for (const [k, value] of c as Map<unknown, unknown>) {
          this.writeValue(k, depth + 1);
          this.writeValue(value, depth + 1);
        }
      } else for (const value of c as Set<unknown>) this.writeValue(value, depth + 1);
      return true;
    }
    if (proto === RegExp.prototype) {
      const { source, flags } = v as RegExp;
      const n = source.length + flags.length;
      if (this.pos + 3 * n + 11 > this.cap) this.grow(3 * n + 11);
      this.buf[this.pos++] = TAG_REGEXP;
      this.writeStringBody(source);
      this.writeStringBody(flags);
      return true;
    }
    const kind = TYPED_ARRAY_KIND.get(proto);
    if (kind === undefined) return false;
    const bytes = kind === 0 ? new Uint8Array(v as ArrayBuffer) : new Uint8Array((v as ArrayBufferView).buffer, (v as ArrayBufferView).byteOffset, (v as ArrayBufferView).byteLength);
    const n = bytes.byteLength;
    if (this.pos + n + 7 > this.cap) this.grow(n + 7);
    this.buf[this.pos] = TAG_TYPED_ARRAY;
    this.buf[this.pos + 1] = kind;
    const p = writeVarint(this.buf, this.pos + 2, n);
    this.buf.set(bytes, p);
    this.pos = p + n;
    return true;
  }

  private writeCustom(v: object, proto: object, depth: number): void {
    const type = this.types.lookup(v);
    if (type === undefined) {
      if (this.writeBuiltIn(v, proto, depth)) return;
      this.failedOn = v;
      throw new UnregisteredTypeError(className(proto));
    }
    const bytes: unknown = type.serializer.serialize(v);
    if (!(bytes instanceof Uint8Array)) {
      this.failedOn = v;
      throw new UnsupportedValueError(`an instance of class '${type.name}'`, `its registered serializer returned ${describeNonBytes(bytes)}, not a Uint8Array`);
    }
    const n = bytes.byteLength;
    if (this.pos + n + 11 > this.cap) this.grow(n + 11);
    this.buf[this.pos] = TAG_CUSTOM;
    const p = writeVarint(this.buf, writeVarint(this.buf, this.pos + 1, type.id), n);
    this.buf.set(bytes, p);
    this.pos = p + n;
  }

  private writeBigInt(v: bigint): void {
    const negative = v < 0n;
    const magnitude = negative ? -v : v;
    let hex = magnitude === 0n ? '' : magnitude.toString(16);
    if (hex.length & 1) hex = `0${hex}`;
    const n = hex.length >> 1;
    if (this.pos + n + 7 > this.cap) this.grow(n + 7);
    const b = this.buf;
    b[this.pos] = TAG_BIGINT;
    b[this.pos + 1] = negative ? 1 : 0;
    let p = writeVarint(b, this.pos + 2, n);
    // Little-endian: the last hex pair is the least significant byte.
    for (let i = n - 1; i >= 0; i--) b[p++] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    this.pos = p;
  }

  /** The record at `start` is longer than 127 bytes: widen its one-byte length prefix. */
  private frame(start: number, len: number): void {
    const extra = varintSize(len) - 1;
    if (this.pos + extra > this.cap) this.grow(extra);
    this.buf.copyWithin(start + 1 + extra, start + 1, this.pos);
    writeVarint(this.buf, start, len);
    this.pos += extra;
  }

  private grow(needed: number): void {
    const cap = Math.max(this.cap * 2, this.pos + needed);
    const next = Buffer.allocUnsafeSlow(cap) as NodeBuffer;
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, cap);
    this.cap = cap;
  }

  private tooDeep(v: unknown): UnsupportedValueError {
    return new UnsupportedValueError(
      `${Array.isArray(v) ? 'a tuple' : 'an object'} nested ${MAX_DEPTH} levels deep`,
      'records may nest at most that deep; a value that contains itself (a cycle) cannot be serialized',
    );
  }

  /** Rebuilds an encoding error with the path of the offending value inside the record. */
  private locate(err: unknown, record: unknown): unknown {
    const failed = this.failedOn;
    this.failedOn = NO_FAILURE;
    if (failed === NO_FAILURE) return err;
    const path = findPath(record, failed, []);
    if (path === undefined) return err;
    if (err instanceof UnregisteredTypeError) return new UnregisteredTypeError(err.className, describePath(path));
    if (err instanceof UnsupportedValueError) return new UnsupportedValueError(err.what, err.reason, describePath(path));
    return err;
  }
}

/** The kind byte of a TAG_TYPED_ARRAY value, by its class's prototype. */
const TYPED_ARRAY_KIND = new Map<object, number>(TYPED_ARRAY_KINDS.map((c, i) => [c.prototype, i]));

/** Writes an unsigned varint (0 ≤ n < 2^32) at `p`; returns the position after it. */
function writeVarint(b: Uint8Array, p: number, n: number): number {
  let z = n >>> 0;
  while (z >= 0x80) {
    b[p++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  b[p++] = z;
  return p;
}

function isLowSurrogate(d: number): boolean {
  return d >= 0xdc00 && d <= 0xdfff;
}

/** UTF-8 of a surrogate pair (4 bytes) at `p`; returns the position after it. */
function encodePair(b: Uint8Array, p: number, hi: number, lo: number): number {
  const cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
  b[p] = 0xf0 | (cp >> 18);
  b[p + 1] = 0x80 | ((cp >> 12) & 0x3f);
  b[p + 2] = 0x80 | ((cp >> 6) & 0x3f);
  b[p + 3] = 0x80 | (cp & 0x3f);
  return p + 4;
}

/**
 * UTF-8 of a non-ASCII UTF-16 unit that is not the start of a surrogate pair, at `p`. A lone
 * surrogate becomes U+FFFD, as Node's `utf8Write` does, so short and long strings agree.
 */
function encodeBmp(b: Uint8Array, p: number, c: number): number {
  if (c < 0x800) {
    b[p] = 0xc0 | (c >> 6);
    b[p + 1] = 0x80 | (c & 0x3f);
    return p + 2;
  }
  const u = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
  b[p] = 0xe0 | (u >> 12);
  b[p + 1] = 0x80 | ((u >> 6) & 0x3f);
  b[p + 2] = 0x80 | (u & 0x3f);
  return p + 3;
}

function className(proto: object): string {
  const ctor: unknown = (proto as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : '(anonymous class)';
}

function describeNonBytes(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an instance of ${className(Object.getPrototypeOf(v) ?? {})}`;
  return typeof v;
}

/** Path from `root` to `target` (by identity) through tuples and plain objects, if it is there. */
function findPath(root: unknown, target: unknown, path: (string | number)[]): (string | number)[] | undefined {
  if (root === target) return path;
  if (typeof root !== 'object' || root === null || path.length >= MAX_DEPTH) return undefined;
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) {
      path.push(i);
      if (findPath(root[i], target, path)) return path;
      path.pop();
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(root);
  if (proto !== Object.prototype && proto !== null) return undefined;
  for (const k of Object.keys(root)) {
    path.push(k);
    if (findPath((root as Record<string, unknown>)[k], target, path)) return path;
    path.pop();
  }
  return undefined;
}
