/**
 * Damaged record batches (src/serde/record-reader.ts promises: corrupt or truncated input fails
 * with a CorruptBatchError, never an infinite loop, a huge allocation or another error): valid
 * batches of random values with bytes flipped, inserted, deleted or cut (the header's length
 * patched to match, so the damage reaches the records), or random bytes behind a valid header.
 */
import fc from 'fast-check';
import { HEADER_SIZE } from '../../../src/serde/record-format.ts';
import { RecordReader } from '../../../src/serde/record-reader.ts';
import { RecordWriter } from '../../../src/serde/record-writer.ts';
import { CorruptBatchError } from '../../../src/serde/serde-error.ts';
import type { FuzzProperty, FuzzTarget } from '../target.ts';
import { Box, Empty, totalRegistry, valueArbitraries } from '../values.ts';

type Damage =
  | { readonly kind: 'flip'; readonly at: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'cut'; readonly at: number };

const damageArb: fc.Arbitrary<Damage> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x0b, 0x09, 0x0a)) }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 6 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }), weight: 1 },
);

/** `batch` with `damages` applied to its body, the header's body length patched to the new size. */
function damaged(batch: Uint8Array, damages: readonly Damage[]): Uint8Array {
  let body = batch.slice(HEADER_SIZE);
  for (const d of damages) {
    if (body.length === 0) break;
    const at = d.at % body.length;
    if (d.kind === 'flip') body[at] = d.byte;
    else if (d.kind === 'insert') {
      const next = new Uint8Array(body.length + d.bytes.length);
      next.set(body.subarray(0, at));
      next.set(d.bytes, at);
      next.set(body.subarray(at), at + d.bytes.length);
      body = next;
    } else if (d.kind === 'delete') {
      const next = new Uint8Array(Math.max(at, body.length - d.count));
      next.set(body.subarray(0, at));
      next.set(body.subarray(at + d.count), at);
      body = next;
    } else body = body.slice(0, at);
  }
  return withBody(batch, body);
}

function withBody(batch: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + body.length);
  out.set(batch.subarray(0, HEADER_SIZE));
  out.set(body, HEADER_SIZE);
  new DataView(out.buffer).setUint32(12, body.length, true);
  return out;
}

/** Reads `batch`: it decodes, or throws CorruptBatchError; anything else fails the property. */
function readsOrRefuses(reader: RecordReader, batch: Uint8Array): void {
  try {
    reader.readAll(batch);
  } catch (err) {
    if (err instanceof CorruptBatchError) return;
    throw new Error(
      `a damaged batch threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}, not a CorruptBatchError\n  batch: ${Buffer.from(batch).toString('hex').slice(0, 400)}`,
    );
  }
}

function properties(): readonly FuzzProperty[] {
  const types = totalRegistry();
  const { value } = valueArbitraries({ customs: false });
  const withBoxes = fc.oneof(
    value,
    value.map((v) => new Box(v)),
    fc.constant(null).map(() => new Empty()),
  );
  const writer = new RecordWriter(types, 64);
  const reader = new RecordReader(types);
  const batchOf = (records: readonly unknown[]): Uint8Array => {
    for (const r of records) writer.write(r);
    return writer.finish();
  };
  return [
    {
      name: 'a valid batch with bytes flipped, inserted, deleted or cut decodes or throws CorruptBatchError',
      property: fc.property(fc.array(withBoxes, { minLength: 1, maxLength: 8 }), fc.array(damageArb, { minLength: 1, maxLength: 4 }), (records, damages) => {
        readsOrRefuses(reader, damaged(batchOf(records), damages));
      }),
    },
    {
      name: 'random bytes behind a valid header (any record count) decode or throw CorruptBatchError',
      property: fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 40 }), (body, count) => {
        const batch = withBody(batchOf([]), body);
        new DataView(batch.buffer).setUint32(8, count, true);
        readsOrRefuses(reader, batch);
      }),
    },
    {
      name: 'a batch cut at any length throws CorruptBatchError before delivering a record',
      property: fc.property(fc.array(withBoxes, { minLength: 1, maxLength: 5 }), fc.nat(), (records, n) => {
        const batch = batchOf(records);
        const cut = batch.subarray(0, n % batch.length);
        let delivered = 0;
        try {
          reader.forEach(cut, () => delivered++);
        } catch (err) {
          if (!(err instanceof CorruptBatchError)) throw err;
          if (delivered !== 0) throw new Error(`${delivered} records delivered from a batch cut at ${cut.length} of ${batch.length} bytes`);
          return;
        }
        throw new Error(`a batch cut at ${cut.length} of ${batch.length} bytes was read`);
      }),
    },
  ];
}

export default {
  name: 'serde-corrupt',
  description: 'damaged record batches decode or throw CorruptBatchError, never another error or a hang',
  properties,
} satisfies FuzzTarget;
