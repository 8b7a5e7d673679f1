/**
 * DuckDB as a peer on the same data and the same question, on all cores (its default), written
 * as the same CSV rows. Run only when `@duckdb/node-api` is installed.
 *
 *   node --import tsx bench/peers/duckdb.ts groupby <input.csv> [<memory limit> <temp dir>] <output.csv>
 *   node --import tsx bench/peers/duckdb.ts join <orders.csv> <customers.csv> <output.csv>
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [query, ...rest] = process.argv.slice(2);
const output = rest.pop()!;
const args = rest;

/** A path as a SQL string literal. */
const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;

let sql: string;
const options: Record<string, string> = {};
if (query === 'groupby') {
  const [input, memoryLimit, tempDir] = args as [string, string?, string?];
  if (memoryLimit) {
    options.memory_limit = memoryLimit;
    // DuckDB's own advice for a tight limit (without it, 4 M keys in 256 MiB fail); a GROUP BY has no order to keep.
    options.preserve_insertion_order = 'false';
  }
  if (tempDir) options.temp_directory = tempDir;
  sql = `COPY (
      SELECT key, SUM(value), COUNT(*)
      FROM read_csv(${literal(input)}, header = false, columns = {'key': 'VARCHAR', 'category': 'VARCHAR', 'value': 'BIGINT'})
      GROUP BY key
    ) TO ${literal(output)} (FORMAT csv, HEADER false)`;
} else if (query === 'join') {
  const [orders, customers] = args as [string, string];
  sql = `COPY (
      SELECT o.orderkey, o.amount, c.nation
      FROM read_csv(${literal(orders)}, header = false, columns = {'orderkey': 'BIGINT', 'custkey': 'BIGINT', 'amount': 'BIGINT'}) o
      JOIN read_csv(${literal(customers)}, header = false, columns = {'custkey': 'BIGINT', 'name': 'VARCHAR', 'nation': 'VARCHAR'}) c
        ON o.custkey = c.custkey
    ) TO ${literal(output)} (FORMAT csv, HEADER false)`;
} else {
  throw new Error(`unknown query '${query}': expected groupby or join`);
}

const instance = await DuckDBInstance.create(':memory:', options);
const connection = await instance.connect();
await connection.run(sql);
connection.closeSync();
instance.closeSync();
