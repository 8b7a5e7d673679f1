/**
 * Group-by + aggregate as a tsflink job: `key,category,value` rows → per key the sum of the
 * values and the row count → `key,sum,count` CSV. Also the spill workload's job.
 *
 *   tsflink run bench/jobs/groupby.ts -p N - <input.csv> <output>
 */
import { Types, WriteMode, getEnvironment } from 'tsflink';

const [input, output] = process.argv.slice(2) as [string, string];

const env = getEnvironment();
env
  .readCsv(input, [Types.STRING, Types.LONG], { includedFields: [true, false, true] })
  .map(([key, value]) => [key, value, 1] as [string, number, number])
  .groupBy(0)
  .sum(1)
  .andSum(2)
  .name('Sum and count per key')
  .writeCsv(output, { writeMode: WriteMode.OVERWRITE });

await env.execute({ jobName: 'bench: group-by' });
