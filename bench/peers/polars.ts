/**
 * Polars for Node.js (nodejs-polars) as a peer: the benchmark's questions as lazy queries, written
 * with `sinkCSV` as the same CSV rows as the baseline's, on POLARS_MAX_THREADS threads (the driver
 * sets it). Loaded from bench/data/npm-peers (peers/npm-peer.ts).
 *
 *   node --import tsx bench/peers/polars.ts wordcount <input.txt> <output.csv>
 *   node --import tsx bench/peers/polars.ts groupby <input.csv> <output.csv>
 *   node --import tsx bench/peers/polars.ts join <orders.csv> <customers.csv> <output.csv>
 *   node --import tsx bench/peers/polars.ts distinct <input.csv> <output.csv>
 */
import { requirePeer } from './npm-peer.ts';

const pl = requirePeer('nodejs-polars');
const [query, ...rest] = process.argv.slice(2);
const output = rest.pop()!;
const inputs = rest;

const csv = (path: string, schema: Record<string, unknown>): any => pl.scanCSV(path, { hasHeader: false, schema });

let q: any;
if (query === 'wordcount') {
  // One String column per line (a separator and a quote character that the text never holds),
  // lower-cased, each run of separators (shared/word-separator.ts) made one space, split, empty pieces dropped.
  const lines = pl.scanCSV(inputs[0]!, { hasHeader: false, sep: '\x1f', quoteChar: '\x1e', schema: { line: pl.String } });
  q = lines
    .select(
      pl
        .col('line')
        .str.toLowerCase()
        .str.replaceAll(/[^a-z0-9']+/, ' ')
        .str.split(' ')
        .alias('word'),
    )
    .explode('word')
    .filter(pl.col('word').neq(pl.lit('')))
    .groupBy('word')
    .agg(pl.len());
} else if (query === 'groupby') {
  q = csv(inputs[0]!, { key: pl.String, category: pl.String, value: pl.Int64 }).groupBy('key').agg(pl.col('value').sum(), pl.len());
} else if (query === 'join') {
  const orders = csv(inputs[0]!, { orderkey: pl.Int64, custkey: pl.Int64, amount: pl.Int64 });
  const customers = csv(inputs[1]!, { custkey: pl.Int64, name: pl.String, nation: pl.String });
  q = orders.join(customers, { on: 'custkey', how: 'inner' }).select('orderkey', 'amount', 'nation');
} else if (query === 'distinct') {
  q = csv(inputs[0]!, { user: pl.Int64, item: pl.Int64 }).unique();
} else {
  throw new Error(`unknown query '${query}': expected wordcount, groupby, join or distinct`);
}
await q.sinkCSV(output, { includeHeader: false }).collect();
