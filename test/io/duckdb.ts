/** One in-memory DuckDB for a test file (the cross-read tests' peer), closed when the file ends. */
import { after } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
export const duck = await instance.connect();
after(() => {
  duck.closeSync();
  instance.closeSync();
});

/** A string as a SQL literal. */
export const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;
