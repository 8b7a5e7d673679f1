/**
 * Group-by + aggregate on Parquet as a tsflink job: the `key` and `value` columns of a
 * `key,category,value` file (readParquet's `columns`: `category` is never decoded) → per key the
 * sum of the values and the row count → `key,sum,count` CSV.
 *
 *   tsflink run bench/jobs/parquet-groupby.ts -p N - <input.parquet> <output>
 */
import { WriteMode, getEnvironment } from 'tsflink';

const [input, output] = process.argv.slice(2) as [string, string];

const env = getEnvironment();
env
  .readParquet<{ key: string; value: number }>(input, { columns: ['key', 'value'] })
  .map((row) => [row.key, row.value, 1] as [string, number, number])
  .groupBy(0)
  .sum(1)
  .andSum(2)
  .name('Sum and count per key')
  .writeCsv(output, { writeMode: WriteMode.OVERWRITE });

await env.execute({ jobName: 'bench: Parquet group-by' });
