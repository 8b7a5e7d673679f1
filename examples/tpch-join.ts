/**
 * A small TPC-H-like query: the revenue of open orders placed from 1995 on, per nation.
 *
 *   SELECT c.nation, SUM(o.totalprice), COUNT(*)
 *   FROM orders o JOIN customers c ON o.custkey = c.custkey
 *   WHERE o.status = 'O' AND o.orderdate >= '1995-01-01'
 *   GROUP BY c.nation
 *
 *   npx tsflink run examples/tpch-join.ts - [orders.csv] [customers.csv]
 */
import { Types, getEnvironment } from 'tsflink';

const data = (file: string) => new URL(`./data/${file}`, import.meta.url).pathname;
const [ordersPath = data('orders.csv'), customersPath = data('customers.csv')] = process.argv.slice(2);

const env = getEnvironment();

// orderkey, custkey, status, totalprice, orderdate
const orders = env.readCsv(ordersPath, [Types.LONG, Types.LONG, Types.STRING, Types.DOUBLE, Types.STRING], { ignoreFirstLine: true });
// custkey, nation (the name column is skipped)
const customers = env.readCsv(customersPath, [Types.LONG, Types.STRING], { ignoreFirstLine: true, includedFields: [true, false, true] });

const openOrders = orders.filter(([, , status, , date]) => status === 'O' && date >= '1995-01-01').project(1, 3);

const revenue = openOrders
  .join(customers)
  .where(0)
  .equalTo(0)
  .using(([, price], [, nation]) => [nation, price, 1])
  .name('Orders ⋈ Customers')
  .groupBy(0)
  .sum(1)
  .andSum(2)
  .map(([nation, total, n]) => [nation, Math.round(total * 100) / 100, n]);

revenue.output();
await env.execute({ jobName: 'TPC-H-like revenue per nation' });
