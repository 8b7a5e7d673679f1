/**
 * The binary record format (src/serde, docs/record-format.md): RecordWriter → RecordReader gives
 * back an identical value for every value type, custom types included, one record or many per batch.
 */
import fc from 'fast-check';
import { MAX_DEPTH } from '../../../src/serde/record-format.ts';
import { RecordReader } from '../../../src/serde/record-reader.ts';
import { RecordWriter } from '../../../src/serde/record-writer.ts';
import { UnregisteredTypeError, UnsupportedValueError } from '../../../src/serde/serde-error.ts';
import type { TypeRegistry } from '../../../src/serde/type-registry.ts';
import { difference } from '../identical.ts';
import type { FuzzProperty, FuzzTarget } from '../target.ts';
import { Box, Derived, fuzzRegistry, valueArbitraries } from '../values.ts';

/**
 * What the reader gives back for `v`: `v` itself, except that strings (object keys included) hold
 * U+FFFD where `v` had a lone surrogate (docs/record-format.md: UTF-8 has none), bytes come back
 * as a plain Uint8Array of their own, and keys that thereby become equal are merged as the reader
 * merges them (the later value, at the earlier key's place).
 */
export function expectedBack(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(expectedBack);
  if (v instanceof Uint8Array) return v.slice();
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [expectedBack(k), expectedBack(x)]));
  if (v instanceof Set) return new Set([...v].map(expectedBack));
  if (v instanceof RegExp) return new RegExp(v.source, v.flags);
  if (v instanceof ArrayBuffer) return v.slice(0);
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): unknown }).slice();
  if (v instanceof Derived) return new Derived(v.x, wellFormed(v.label));
  if (v instanceof Box) return new Box(expectedBack(v.content));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
  for (const k of Object.keys(v)) {
    const key = wellFormed(k);
    const value = expectedBack((v as Record<string, unknown>)[k]);
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function wellFormed(s: string): string {
  return (s as string & { toWellFormed(): string }).toWellFormed();
}

function check(actual: unknown, v: unknown, what: string): void {
  const d = difference(actual, expectedBack(v));
  if (d !== undefined) throw new Error(`${what}: ${d}`);
}

/** Values the writer must refuse: a function, a symbol, an instance of an unregistered class. */
class NotRegistered {
  a = 1;
}
/** A subclass of a built-in class that crosses unregistered: it would come back as a plain Set. */
class SubSet extends Set<unknown> {}
const poison = fc.constantFrom<unknown>(() => 1, Symbol('s'), new NotRegistered(), new SubSet([1]), new DataView(new ArrayBuffer(2)));

/** `v` with `bad` put somewhere inside it (or `bad` itself), for the writer to refuse. */
function plant(v: unknown, bad: unknown, choice: number): unknown {
  if (Array.isArray(v) && v.length > 0 && choice % 3 !== 0) {
    const copy = v.slice();
    const i = choice % copy.length;
    copy[i] = plant(copy[i], bad, Math.floor(choice / 3));
    return copy;
  }
  return choice % 2 === 0 ? [v, bad] : { v, bad };
}

function properties(): readonly FuzzProperty[] {
  const types: TypeRegistry = fuzzRegistry();
  const { value, leaf } = valueArbitraries();
  // One writer and one reader for all cases: the engine reuses them batch after batch.
  const writer = new RecordWriter(types, 64);
  const reader = new RecordReader(types);
  return [
    {
      name: 'one record round-trips identically',
      property: fc.property(value, (v) => {
        writer.write(v);
        const batch = writer.finish();
        const back = reader.readAll(batch);
        if (back.length !== 1) throw new Error(`${back.length} records read back, 1 written`);
        check(back[0], v, 'read back');
        // The value owns its memory: the batch's buffer is reused or transferred afterwards.
        batch.fill(0xee);
        check(back[0], v, 'after the batch was overwritten');
      }),
    },
    {
      name: 'a batch of records round-trips in order',
      property: fc.property(fc.array(value, { maxLength: 30 }), (records) => {
        for (const r of records) writer.write(r);
        if (writer.count !== records.length) throw new Error(`writer.count ${writer.count}, ${records.length} written`);
        const back: unknown[] = [];
        reader.forEach(writer.finish(), (r) => back.push(r));
        if (back.length !== records.length) throw new Error(`${back.length} records read back, ${records.length} written`);
        for (let i = 0; i < records.length; i++) check(back[i], records[i], `record ${i}`);
      }),
    },
    {
      name: 'a refused record leaves the batch as it was',
      property: fc.property(fc.array(fc.tuple(value, fc.option(fc.tuple(poison, fc.nat()), { freq: 3 })), { minLength: 1, maxLength: 12 }), (items) => {
        const kept: unknown[] = [];
        for (const [v, bad] of items) {
          if (bad === null) {
            writer.write(v);
            kept.push(v);
            continue;
          }
          try {
            writer.write(plant(v, bad[0], bad[1]));
          } catch (err) {
            if (!(err instanceof UnsupportedValueError || err instanceof UnregisteredTypeError)) throw err;
            continue;
          }
          throw new Error('a record holding a function, symbol or unregistered class was accepted');
        }
        const back = reader.readAll(writer.finish());
        if (back.length !== kept.length) throw new Error(`${back.length} records read back, ${kept.length} accepted`);
        for (let i = 0; i < kept.length; i++) check(back[i], kept[i], `record ${i}`);
      }),
    },
    {
      // Same-length ASCII strings give batches of one length: a caller can refill one buffer.
      name: 'a reader over one buffer refilled with the next batch reads the new values',
      property: fc.property(
        fc.integer({ min: 0, max: 14 }).chain((n) => {
          const word = fc.string({ unit: 'binary-ascii', minLength: n, maxLength: n });
          return fc.integer({ min: 1, max: 6 }).chain((k) => fc.array(fc.array(word, { minLength: k, maxLength: k }), { minLength: 2, maxLength: 4 }));
        }),
        (batches) => {
          const buffer = batchOfStrings(writer, batches[0]!);
          for (let i = 0; i < batches.length; i++) {
            if (i > 0) buffer.set(batchOfStrings(writer, batches[i]!));
            const back = reader.readAll(buffer);
            for (let j = 0; j < batches[i]!.length; j++) check(back[j], batches[i]![j], `batch ${i} record ${j}`);
          }
        },
      ),
    },
    {
      name: "nesting up to the format's depth limit round-trips, deeper is refused",
      property: fc.property(fc.integer({ min: MAX_DEPTH - 3, max: MAX_DEPTH + 3 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), leaf, (levels, pattern, inner) => {
        let v: unknown = inner;
        for (let i = 0; i < levels; i++) v = pattern[i % pattern.length] ? [v] : { k: v };
        if (levels <= MAX_DEPTH) {
          writer.write(v);
          check(reader.readAll(writer.finish())[0], v, `${levels} levels`);
          return;
        }
        try {
          writer.write(v);
        } catch (err) {
          if (err instanceof UnsupportedValueError && /nested 1000 levels deep/.test(err.message)) return;
          throw err;
        }
        throw new Error(`a value nested ${levels} levels deep was accepted`);
      }),
    },
    {
      name: 'the bytes depend on the value only, not on the writer',
      property: fc.property(value, value, (before, v) => {
        const fresh = new RecordWriter(types, 1);
        fresh.write(v);
        writer.write(before);
        writer.reset();
        writer.write(v);
        const a = fresh.finish();
        const b = writer.finish();
        if (Buffer.compare(a, b) !== 0) throw new Error('a fresh and a reused writer wrote different bytes for one value');
      }),
    },
  ];
}

function batchOfStrings(writer: RecordWriter, records: readonly string[]): Uint8Array {
  for (const r of records) writer.write(r);
  return writer.finish();
}

export default {
  name: 'serde-record',
  description: 'RecordWriter → RecordReader gives an identical value, for every value type nested freely',
  properties,
} satisfies FuzzTarget;
