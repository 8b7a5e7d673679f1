/**
 * An equi-join by hand, on one thread: a Map from customer key to nation built from the small
 * side, then the orders streamed past it → `orderkey,amount,nation` rows.
 *
 *   node --import tsx bench/baselines/join.ts <orders.csv> <customers.csv> <output.csv>
 */
import { LineWriter } from './line-writer.ts';
import { forEachLine } from './read-lines.ts';

const [ordersPath, customersPath, output] = process.argv.slice(2) as [string, string, string];

const nationOf = new Map<number, string>();
forEachLine(customersPath, (line) => {
  const c1 = line.indexOf(',');
  const c2 = line.indexOf(',', c1 + 1);
  nationOf.set(Number(line.slice(0, c1)), line.slice(c2 + 1));
});

const out = new LineWriter(output);
forEachLine(ordersPath, (line) => {
  const c1 = line.indexOf(',');
  const c2 = line.indexOf(',', c1 + 1);
  const nation = nationOf.get(Number(line.slice(c1 + 1, c2)));
  if (nation !== undefined) out.line(`${line.slice(0, c1)},${line.slice(c2 + 1)},${nation}`);
});
out.close();
