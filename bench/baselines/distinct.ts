/**
 * Distinct by hand, on one thread: a Set of the `user,item` rows (the generator writes each pair
 * in one canonical form, so equal pairs are equal lines).
 *
 *   node --import tsx bench/baselines/distinct.ts <input.csv> <output.csv>
 */
import { LineWriter } from './line-writer.ts';
import { forEachLine } from './read-lines.ts';

const [input, output] = process.argv.slice(2) as [string, string];

const seen = new Set<string>();
forEachLine(input, (line) => {
  seen.add(line);
});

const out = new LineWriter(output);
for (const row of seen) out.line(row);
out.close();
