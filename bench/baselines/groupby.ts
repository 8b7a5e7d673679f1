/**
 * Group-by by hand, on one thread: `key,category,value` rows → per key the sum of the values and
 * the row count, in a Map → `key,sum,count` rows.
 *
 *   node --import tsx bench/baselines/groupby.ts <input.csv> <output.csv>
 */
import { LineWriter } from './line-writer.ts';
import { forEachLine } from './read-lines.ts';

const [input, output] = process.argv.slice(2) as [string, string];

class Totals {
  sum = 0;
  count = 0;
}

const groups = new Map<string, Totals>();
forEachLine(input, (line) => {
  const c1 = line.indexOf(',');
  const c2 = line.indexOf(',', c1 + 1);
  const key = line.slice(0, c1);
  const value = Number(line.slice(c2 + 1));
  let totals = groups.get(key);
  if (totals === undefined) groups.set(key, (totals = new Totals()));
  totals.sum += value;
  totals.count++;
});

const out = new LineWriter(output);
for (const [key, t] of groups) out.line(`${key},${t.sum},${t.count}`);
out.close();
