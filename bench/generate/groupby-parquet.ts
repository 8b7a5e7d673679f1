/**
 * Group-by input as Parquet: the rows `key,category,value` of the group-by CSV's shape (keys
 * drawn from a fixed number of distinct keys, sixteen categories, integer values below 100 000),
 * written by DuckDB (`COPY … TO (FORMAT parquet)`: snappy, row groups of 122 880 rows).
 *
 * The rows are a pure function of the row number and the seed (an integer hash, so no DuckDB
 * random() whose sequence could change between versions or thread counts); the file came out
 * byte-identical at 1 and 2 threads. DuckDB is async, the data manifests are not: the file is
 * written by this script run as a child process.
 *
 *   node --import tsx bench/generate/groupby-parquet.ts <output.parquet> <rows> <keys> <seed>
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataFacts } from './manifest.ts';

export interface GroupByParquetParams {
  readonly rows: number;
  readonly keys: number;
}

const ROW_GROUP_SIZE = 122_880;

/** Writes the file (in a child process, with DuckDB) and returns its facts. */
export function generateGroupByParquet(path: string, params: GroupByParquetParams, seed: number): DataFacts {
  const script = fileURLToPath(import.meta.url);
  const root = dirname(dirname(dirname(script)));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, path, String(params.rows), String(params.keys), String(seed)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`generating ${path} with DuckDB failed (exit ${r.status}); the parquet workloads need @duckdb/node-api`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as DataFacts;
}

/** The generating SELECT: row i's key, category and value from hashes of (3i + k + seed). */
export function groupByParquetSelect(params: GroupByParquetParams, seed: number): string {
  const h = (k: number): string => `bench_mix(3 * i + ${k + seed})`;
  return `SELECT 'k' || (${h(0)} % ${params.keys}) AS key, 'c' || (${h(1)} % 16) AS category, (${h(2)} % 100000)::BIGINT AS value FROM range(${params.rows}) t(i)`;
}

async function main(): Promise<void> {
  const [output, rows, keys, seed] = process.argv.slice(2) as [string, string, string, string];
  const params = { rows: Number(rows), keys: Number(keys) };
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // A 32-bit integer hash (the "hash32" of x ^ x >> 16, × 0x45d9f3b, twice), in BIGINT arithmetic that cannot overflow.
    await connection.run('CREATE MACRO bench_mix_step(x) AS (xor(x >> 16, x) * 73244475) & 4294967295');
    await connection.run('CREATE MACRO bench_mix(x) AS xor(bench_mix_step(bench_mix_step(x & 4294967295)) >> 16, bench_mix_step(bench_mix_step(x & 4294967295)))');
    const literal = `'${output.replaceAll("'", "''")}'`;
    await connection.run(`COPY (${groupByParquetSelect(params, Number(seed))}) TO ${literal} (FORMAT parquet, ROW_GROUP_SIZE ${ROW_GROUP_SIZE})`);
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::BIGINT, count(DISTINCT key)::BIGINT, (SELECT count(*) FROM parquet_metadata(${literal}) WHERE column_id = 0)::BIGINT FROM read_parquet(${literal})`,
    );
    const [count, distinct, rowGroups] = reader.getRows()[0]!.map(Number);
    console.log(JSON.stringify({ rows: count!, keys: distinct!, rowGroups: rowGroups! }));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main();
