/** Registered classes and helpers shared by the record-format tests. */
import { RecordReader } from '../../src/serde/record-reader.ts';
import { RecordWriter } from '../../src/serde/record-writer.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';

/** A registered class with two number fields, serialized as 16 bytes. */
export class Point {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

/** A second registered class, serialized as UTF-8 text `amount|currency`. */
export class Money {
  amount: string;
  currency: string;
  constructor(amount: string, currency: string) {
    this.amount = amount;
    this.currency = currency;
  }
}

/** A registered class holding any record value: its serializer nests a RecordWriter (a writer inside a write). */
export class Box {
  content: unknown;
  constructor(content: unknown) {
    this.content = content;
  }
}

/** A class nobody registers. */
export class Unregistered {
  a = 1;
}

export function registry(): TypeRegistry {
  const types = new TypeRegistry();
  types.register(
    Point,
    {
      serialize(p) {
        const b = new Uint8Array(16);
        const v = new DataView(b.buffer);
        v.setFloat64(0, p.x, true);
        v.setFloat64(8, p.y, true);
        return b;
      },
    },
    {
      deserialize(b) {
        const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
        return new Point(v.getFloat64(0, true), v.getFloat64(8, true));
      },
    },
  );
  types.register(
    Money,
    { serialize: (m) => new TextEncoder().encode(`${m.amount}|${m.currency}`) },
    {
      deserialize(b) {
        const [amount = '', currency = ''] = new TextDecoder().decode(b).split('|');
        return new Money(amount, currency);
      },
    },
  );
  types.register(
    Box,
    {
      serialize(box) {
        const w = new RecordWriter(types, 64);
        w.write(box.content);
        return w.finish();
      },
    },
    { deserialize: (b) => new Box(new RecordReader(types).readAll(b)[0]) },
  );
  return types;
}

/** Writes `values` as one batch and reads it back. */
export function roundTrip(values: readonly unknown[], types: TypeRegistry = registry()): unknown[] {
  const writer = new RecordWriter(types);
  for (const v of values) writer.write(v);
  return new RecordReader(types).readAll(writer.finish());
}

/** One batch holding `values`. */
export function batchOf(values: readonly unknown[], types: TypeRegistry = registry()): Uint8Array {
  const writer = new RecordWriter(types);
  for (const v of values) writer.write(v);
  return writer.finish();
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
