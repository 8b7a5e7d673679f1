/**
 * Distinct input: rows `user,item` drawn with repetition from a pool of distinct pairs 0.4× the
 * row count, so about 37 % of the rows are distinct.
 */
import { ChunkedWriter } from './chunked-writer.ts';
import type { DataFacts } from './manifest.ts';
import { randomInt, seededRandom } from './random.ts';

export interface DistinctParams {
  readonly rows: number;
}

const ITEMS_PER_USER = 40;

export function generateDistinctCsv(path: string, params: DistinctParams, seed: number): DataFacts {
  const random = seededRandom(seed);
  const out = new ChunkedWriter(path);
  const pool = Math.max(1, Math.floor(params.rows * 0.4));
  for (let r = 0; r < params.rows; ) {
    let chunk = '';
    for (let i = 0; i < 1024 && r < params.rows; i++, r++) {
      const pair = randomInt(random, pool);
      const user = Math.floor(pair / ITEMS_PER_USER);
      // Each user's pairs land in their own block of item ids, so distinct pairs stay distinct.
      const item = (pair % ITEMS_PER_USER) * 2000 + ((user * 31) % 2000);
      chunk += `${user},${item}\n`;
    }
    out.write(chunk);
  }
  out.close();
  return { rows: params.rows };
}
