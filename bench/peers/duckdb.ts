/**
 * DuckDB as a peer on the same data and the same question, written as the same CSV rows; the
 * bench runs it with `--threads` = cores (harness/peers.ts). Run only when `@duckdb/node-api` is installed.
 *
 *   node --import tsx bench/peers/duckdb.ts groupby <input.csv> [<memory limit> <temp dir>] <output.csv>
 *   node --import tsx bench/peers/duckdb.ts join <orders.csv> <customers.csv> <output.csv>
 *   node --import tsx bench/peers/duckdb.ts groupby-parquet <input.parquet> <output.csv>
 *   node --import tsx bench/peers/duckdb.ts wordcount <input.txt[.gz]> <output.csv>
 *   node --import tsx bench/peers/duckdb.ts distinct <input.csv> <output.csv>
 *
 * `--threads N` before the query sets DuckDB's threads (its default is every core).
 */
import { DuckDBInstance } from '@duckdb/node-api';

const argv = process.argv.slice(2);
const options: Record<string, string> = {};
if (argv[0] === '--threads') {
  options.threads = argv[1]!;
  argv.splice(0, 2);
}
const [query, ...rest] = argv;
const output = rest.pop()!;
const args = rest;

/** A path as a SQL string literal. */
const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;

let sql: string;
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
} else if (query === 'groupby-parquet') {
  const [input] = args as [string];
  sql = `COPY (
      SELECT key, SUM(value), COUNT(*) FROM read_parquet(${literal(input)}) GROUP BY key
    ) TO ${literal(output)} (FORMAT csv, HEADER false)`;
} else if (query === 'wordcount') {
  // Each line as one VARCHAR (no quoting; the generated text has no tabs), gzip by its extension,
  // cut into words as the other contenders do: the lower-cased line split on WORD_SEPARATOR
  // (shared/word-separator.ts), empty pieces dropped.
  const [input] = args as [string];
  sql = `COPY (
      SELECT word, COUNT(*) FROM (
        SELECT unnest(regexp_split_to_array(lower(line), '[^a-z0-9'']+')) AS word
        FROM read_csv(${literal(input)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
                      delim = '\t', quote = '', escape = '', max_line_size = 16777216)
      ) WHERE word <> '' GROUP BY word
    ) TO ${literal(output)} (FORMAT csv, HEADER false, QUOTE '')`;
} else if (query === 'distinct') {
  const [input] = args as [string];
  sql = `COPY (
      SELECT DISTINCT "user", item FROM read_csv(${literal(input)}, header = false, columns = {'user': 'BIGINT', 'item': 'BIGINT'})
    ) TO ${literal(output)} (FORMAT csv, HEADER false)`;
} else {
  throw new Error(`unknown query '${query}': expected groupby, join, groupby-parquet, wordcount or distinct`);
}

const instance = await DuckDBInstance.create(':memory:', options);
const connection = await instance.connect();
await connection.run(sql);
connection.closeSync();
instance.closeSync();
