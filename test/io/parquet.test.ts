/**
 * readParquet (issue 13): DuckDB-written Parquet files read by tsflink as the same rows (types,
 * nulls, nested lists and structs, Unicode), row groups shared among the instances, column
 * projection, a directory and a glob of files, and bad files as errors naming the file.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputPathError, MapPartitionFunction, type Collector } from '../../src/index.ts';
import { assertSameMultiset, envAt, tempDir } from '../helpers.ts';
import { duck, literal } from './duckdb.ts';

const ROWS = 10_000;
const table = `SELECT i AS id, CASE WHEN i % 5 = 0 THEN 'é😀 ' || i ELSE 'name ' || i END AS name, i / 4.0 AS score, i % 2 = 0 AS ok,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END AS note, [i, i + 1] AS list, {'city': 'c' || (i % 4), 'zip': CASE WHEN i % 7 = 0 THEN NULL ELSE 1000 + i END} AS place,
  DATE '2026-01-01' + (i % 28)::INTEGER AS day, i::BIGINT * 1000000 AS big
  FROM range(${ROWS}) t(i)`;

/** What a row says, in a form both sides can state. */
const expected = Array.from({ length: ROWS }, (_, i) =>
  JSON.stringify([
    i,
    i % 5 === 0 ? `é😀 ${i}` : `name ${i}`,
    i / 4,
    i % 2 === 0,
    i % 3 === 0 ? null : `n${i}`,
    [i, i + 1],
    `c${i % 4}`,
    i % 7 === 0 ? null : 1000 + i,
    new Date(Date.UTC(2026, 0, 1 + (i % 28))).toISOString(),
    i * 1000000,
  ]),
);

interface Row {
  id: number;
  name: string;
  score: number;
  ok: boolean;
  note: string | null;
  list: number[];
  place: { city: string; zip: number | null };
  day: Date;
  big: number;
}
const show = (r: Row): string => JSON.stringify([r.id, r.name, r.score, r.ok, r.note, r.list, r.place.city, r.place.zip, r.day.toISOString(), r.big]);

const dir = tempDir();
const file = join(dir, 'rows.parquet');
await duck.run(`COPY (${table}) TO ${literal(file)} (FORMAT parquet, ROW_GROUP_SIZE 2048)`);

/** [subtask, rows] per instance: which instance read how much. */
class Count extends MapPartitionFunction<Row, [number, number]> {
  mapPartition(rows: Iterable<Row>, out: Collector<[number, number]>): void {
    let n = 0;
    for (const _ of rows) n++;
    out.collect([this.context.getIndexOfThisSubtask(), n]);
  }
}

for (const p of [1, 4]) {
  test(`readParquet reads DuckDB's rows with their types at p=${p}, row groups shared among the instances`, async () => {
    const rows = await envAt(p).readParquet<Row>(file).map(show).collect();
    assertSameMultiset(rows, expected);
    const counts = await envAt(p).readParquet<Row>(file).mapPartition(new Count()).collect();
    assert.equal(counts.length, p);
    if (p > 1)
      assert.ok(
        counts.every(([, n]) => n > 0),
        `every instance read row groups: ${JSON.stringify(counts)}`,
      );
  });

  test(`readParquet with columns reads only those (p=${p})`, async () => {
    const rows = await envAt(p)
      .readParquet<{ id: number; name: string }>(file, { columns: ['id', 'name'] })
      .collect();
    assert.equal(rows.length, ROWS);
    assert.deepEqual(Object.keys(rows[0]!).sort(), ['id', 'name']);
  });
}

test('readParquet reads a glob of files; a truncated file, or a column it lacks, is an error naming the file', async () => {
  const parts = join(dir, 'parts');
  await duck.run(`COPY (${table}) TO ${literal(parts)} (FORMAT parquet, PARTITION_BY (ok))`);
  assert.equal(await envAt(2).readParquet(join(parts, 'ok=*/*.parquet')).count(), ROWS);
  const cut = join(dir, 'cut.parquet');
  const bytes = readFileSync(file);
  writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
  await assert.rejects(envAt(1).readParquet(cut).count(), (e: unknown) => {
    let c: unknown = e;
    while (c instanceof Error && !(c instanceof InputPathError)) c = c.cause;
    assert.ok(c instanceof InputPathError, String(e));
    assert.match(c.message, /cut\.parquet' is not a readable Parquet file/);
    return true;
  });
  await assert.rejects(
    envAt(1)
      .readParquet(file, { columns: ['id', 'nope'] })
      .count(),
    /rows\.parquet' has no column 'nope' \(it has 'id', 'name'/,
  );
});
