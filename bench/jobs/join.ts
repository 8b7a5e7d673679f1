/**
 * An equi-join as a tsflink job: orders ⋈ customers on the customer key → `orderkey,amount,nation` CSV.
 * No size hint: the optimizer picks the strategy.
 *
 *   tsflink run bench/jobs/join.ts -p N - <orders.csv> <customers.csv> <output>
 */
import { Types, WriteMode, getEnvironment } from 'tsflink';

const [ordersPath, customersPath, output] = process.argv.slice(2) as [string, string, string];

const env = getEnvironment();
// orderkey, custkey, amount
const orders = env.readCsv(ordersPath, [Types.LONG, Types.LONG, Types.LONG]);
// custkey, nation (the name column is skipped)
const customers = env.readCsv(customersPath, [Types.LONG, Types.STRING], { includedFields: [true, false, true] });

orders
  .join(customers)
  .where(1)
  .equalTo(0)
  .using(([orderkey, , amount], [, nation]) => [orderkey, amount, nation] as [number, number, string])
  .name('Orders with nation')
  .writeCsv(output, { writeMode: WriteMode.OVERWRITE });

await env.execute({ jobName: 'bench: join' });
