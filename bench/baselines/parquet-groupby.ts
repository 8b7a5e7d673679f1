/**
 * Group-by on Parquet by hand, on one thread, with hyparquet (the reader tsflink uses): one row
 * group at a time, the `key` and `value` columns only, rows as arrays → per key the sum of the
 * values and the row count, in a Map → `key,sum,count` rows.
 *
 *   node --import tsx bench/baselines/parquet-groupby.ts <input.parquet> <output.csv>
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { LineWriter } from './line-writer.ts';

const [input, output] = process.argv.slice(2) as [string, string];

class Totals {
  sum = 0;
  count = 0;
}

const file = await asyncBufferFromFile(input);
const metadata = await parquetMetadataAsync(file);
const groups = new Map<string, Totals>();
let rowStart = 0;
for (const group of metadata.row_groups) {
  const rowEnd = rowStart + Number(group.num_rows);
  await parquetRead({
    file,
    metadata,
    columns: ['key', 'value'],
    rowStart,
    rowEnd,
    onComplete(rows) {
      for (const [key, value] of rows as [string, bigint][]) {
        let totals = groups.get(key);
        if (totals === undefined) groups.set(key, (totals = new Totals()));
        totals.sum += Number(value);
        totals.count++;
      }
    },
  });
  rowStart = rowEnd;
}

const out = new LineWriter(output);
for (const [key, t] of groups) out.line(`${key},${t.sum},${t.count}`);
out.close();
