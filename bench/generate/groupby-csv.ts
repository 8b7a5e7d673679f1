/**
 * Group-by input: rows `key,category,value` — keys drawn uniformly from a fixed number of
 * distinct keys, sixteen categories, integer values (so every engine's sums are exact and
 * compare as text). Sized by rows or, for the spill workload, by bytes.
 */
import { ChunkedWriter } from './chunked-writer.ts';
import type { DataFacts } from './manifest.ts';
import { randomInt, seededRandom } from './random.ts';

export interface GroupByParams {
  /** Stop after this many rows… */
  readonly rows?: number;
  /** …or once the file holds this many bytes. */
  readonly bytes?: number;
  readonly keys: number;
}

export function generateGroupByCsv(path: string, params: GroupByParams, seed: number): DataFacts {
  const random = seededRandom(seed);
  const out = new ChunkedWriter(path);
  const maxRows = params.rows ?? Number.POSITIVE_INFINITY;
  const maxBytes = params.bytes ?? Number.POSITIVE_INFINITY;
  let rows = 0;
  while (rows < maxRows && out.bytes < maxBytes) {
    let chunk = '';
    for (let i = 0; i < 1024 && rows < maxRows; i++, rows++) {
      chunk += `k${randomInt(random, params.keys)},c${randomInt(random, 16)},${randomInt(random, 100_000)}\n`;
    }
    out.write(chunk);
  }
  out.close();
  return { rows };
}
