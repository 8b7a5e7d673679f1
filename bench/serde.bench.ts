/**
 * The binary record format against Node's built-in alternatives, on the records the engine ships
 * most: 200,000 tuples `[string, number, [number, string], boolean, number]`.
 *
 *   node --import tsx bench/serde.bench.ts [--records N] [--rounds R]
 *
 * Codecs run round-robin (one warm-up round, then R measured rounds); the report prints medians.
 * tsflink is measured twice: as the exchanges will use it (a batch per 64 KiB, as a sender
 * flushes) and as one batch. v8.serialize and JSON get their best case: one call on the whole array.
 */
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { RecordReader } from '../src/serde/record-reader.ts';
import { RecordWriter } from '../src/serde/record-writer.ts';
import { TypeRegistry } from '../src/serde/type-registry.ts';
import { seededRandom } from './generate/random.ts';
import { median } from './harness/results.ts';

type Row = [string, number, [number, string], boolean, number];

const { values: args } = parseArgs({
  options: { records: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } },
});
const RECORDS = Number(args.records);
const ROUNDS = Number(args.rounds);
const FLUSH_AT = 64 * 1024;

function makeRows(n: number): Row[] {
  const r = seededRandom(42);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const words = Array.from({ length: 10_000 }, () => {
    let w = '';
    const len = 3 + Math.floor(r() * 10);
    for (let i = 0; i < len; i++) w += letters[Math.floor(r() * 26)];
    return w;
  });
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const word = words[Math.floor(r() * words.length)]!;
    const tag = words[Math.floor(r() * words.length)]!;
    rows.push([word, Math.floor(r() * 1_000_000), [Math.round(r() * 1e6) / 100, `${tag}-${i % 97}`], r() < 0.5, r() * 1000]);
  }
  return rows;
}

interface Codec {
  readonly name: string;
  encode(rows: readonly Row[]): unknown;
  decode(encoded: unknown): unknown[];
  size(encoded: unknown): number;
}

const types = new TypeRegistry();
const writer = new RecordWriter(types);
const reader = new RecordReader(types);

function tsflinkCodec(name: string, flushAt: number): Codec {
  return {
    name,
    encode(rows) {
      const batches: Uint8Array[] = [];
      for (let i = 0; i < rows.length; i++) {
        writer.write(rows[i]);
        if (writer.size >= flushAt) batches.push(writer.finish());
      }
      if (writer.count > 0) batches.push(writer.finish());
      return batches;
    },
    decode(encoded) {
      const out: unknown[] = [];
      const push = (v: unknown): void => {
        out.push(v);
      };
      for (const b of encoded as Uint8Array[]) reader.forEach(b, push);
      return out;
    },
    size: (encoded) => (encoded as Uint8Array[]).reduce((s, b) => s + b.byteLength, 0),
  };
}

const codecs: Codec[] = [
  tsflinkCodec('tsflink RecordWriter/Reader (64 KiB batches)', FLUSH_AT),
  tsflinkCodec('tsflink RecordWriter/Reader (one batch)', Number.POSITIVE_INFINITY),
  {
    name: 'v8.serialize / v8.deserialize',
    encode: (rows) => v8.serialize(rows),
    decode: (encoded) => v8.deserialize(encoded as Buffer) as unknown[],
    size: (encoded) => (encoded as Buffer).byteLength,
  },
  {
    name: 'JSON.stringify + Buffer / JSON.parse',
    encode: (rows) => Buffer.from(JSON.stringify(rows)),
    decode: (encoded) => JSON.parse((encoded as Buffer).toString('utf8')) as unknown[],
    size: (encoded) => (encoded as Buffer).byteLength,
  },
];

// A full GC before every timed phase, so that no codec pays for the garbage of the one before.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function time<T>(f: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e6];
}

const rows = makeRows(RECORDS);
const results = codecs.map(() => ({ encode: [] as number[], decode: [] as number[], size: 0 }));
for (let round = 0; round <= ROUNDS; round++) {
  codecs.forEach((codec, i) => {
    gc();
    const [encoded, te] = time(() => codec.encode(rows));
    gc();
    const [decoded, td] = time(() => codec.decode(encoded));
    if (round === 0) {
      // Warm-up round: also checks the round trip.
      assert.deepEqual(decoded, rows, `${codec.name} does not round-trip`);
      results[i]!.size = codec.size(encoded);
      return;
    }
    results[i]!.encode.push(te);
    results[i]!.decode.push(td);
  });
}

const v8Index = codecs.findIndex((c) => c.name.startsWith('v8'));
const jsonIndex = codecs.findIndex((c) => c.name.startsWith('JSON'));
const med = results.map((r) => ({ size: r.size, encode: median(r.encode) ?? Number.NaN, decode: median(r.decode) ?? Number.NaN }));
const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
const ms = (n: number): string => `${n.toFixed(1)} ms`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

console.log(`${RECORDS} records [string, number, [number, string], boolean, number]; medians of ${ROUNDS} rounds; Node ${process.version}`);
console.log('');
console.log('| codec | size | encode | decode | encode vs v8 | decode vs v8 | encode vs JSON | decode vs JSON |');
console.log('|---|---|---|---|---|---|---|---|');
codecs.forEach((codec, i) => {
  const m = med[i]!;
  const v = med[v8Index]!;
  const j = med[jsonIndex]!;
  console.log(
    `| ${codec.name} | ${mib(m.size)} | ${ms(m.encode)} | ${ms(m.decode)} | ${ratio(m.encode, v.encode)} | ${ratio(m.decode, v.decode)} | ${ratio(m.encode, j.encode)} | ${ratio(m.decode, j.decode)} |`,
  );
});
console.log('');
console.log('Ratios are time / reference time: below 1× is faster than the reference.');
