/**
 * Arquero as a peer: the benchmark's questions as Arquero verbs on in-memory column tables (it has
 * no out-of-core mode and runs on one thread), written with `toCSV` as the same CSV rows as the
 * baseline's. Loaded from bench/data/npm-peers (peers/npm-peer.ts).
 *
 *   node --import tsx bench/peers/arquero.ts wordcount <input.txt> <output.csv>
 *   node --import tsx bench/peers/arquero.ts groupby <input.csv> <output.csv>
 *   node --import tsx bench/peers/arquero.ts join <orders.csv> <customers.csv> <output.csv>
 *   node --import tsx bench/peers/arquero.ts distinct <input.csv> <output.csv>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { importPeer } from './npm-peer.ts';

const aq = await importPeer('arquero');
const { op } = aq;
const [query, ...rest] = process.argv.slice(2);
const output = rest.pop()!;
const inputs = rest;

/** A header-less CSV file as a table; every column a string unless `parse` says otherwise. */
const csv = (path: string, names: string[], parse: Record<string, (s: string) => unknown> = {}): Promise<any> => aq.loadCSV(path, { header: false, names, autoType: false, parse });

let result: any;
if (query === 'wordcount') {
  // The lines as a one-column table; the words of the lower-cased line split on shared/word-separator.ts, empty pieces dropped.
  const lines = readFileSync(inputs[0]!, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  result = aq
    .table({ line: lines })
    .derive({ word: (d: any) => op.split(op.lower(d.line), /[^a-z0-9']+/) })
    .select('word')
    .unroll('word')
    .filter((d: any) => d.word !== '')
    .groupby('word')
    .count();
} else if (query === 'groupby') {
  const rows = await csv(inputs[0]!, ['key', 'category', 'value'], { value: Number });
  result = rows.groupby('key').rollup({ sum: op.sum('value'), count: op.count() });
} else if (query === 'join') {
  const orders = await csv(inputs[0]!, ['orderkey', 'custkey', 'amount']);
  const customers = await csv(inputs[1]!, ['custkey', 'name', 'nation']);
  // The keys as written (no leading zeros): equal text is an equal key.
  result = orders.join(customers, 'custkey', [['orderkey', 'amount'], ['nation']]);
} else if (query === 'distinct') {
  // Each pair is written in one canonical form (generate/distinct-csv.ts): equal pairs are equal strings.
  result = (await csv(inputs[0]!, ['user', 'item'])).dedupe();
} else {
  throw new Error(`unknown query '${query}': expected wordcount, groupby, join or distinct`);
}
writeFileSync(output, aq.toCSV(result, { header: false }));
