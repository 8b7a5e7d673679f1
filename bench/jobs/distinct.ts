/**
 * Distinct as a tsflink job: the distinct `user,item` pairs of a CSV.
 *
 *   tsflink run bench/jobs/distinct.ts -p N - <input.csv> <output>
 */
import { Types, WriteMode, getEnvironment } from 'tsflink';

const [input, output] = process.argv.slice(2) as [string, string];
const env = getEnvironment();
// biome-ignore format: one operator a line, as the plan in bench/results.md names them (distinct.ts:12-14)
env
  .readCsv(input, [Types.LONG, Types.LONG])
  .distinct()
  .writeCsv(output, { writeMode: WriteMode.OVERWRITE });

await env.execute({ jobName: 'bench: distinct' });
