/**
 * writeParquet (issue 13): what tsflink writes DuckDB reads as the same rows (types, nulls,
 * Unicode), and readParquet reads back; one file at p=1, a directory of parts at p > 1; a field
 * of the wrong type fails the job naming the sink and the field, leaving no output.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Types } from '../../src/index.ts';
import { assertSameMultiset, envAt, failure, tempDir } from '../helpers.ts';
import { duck, literal } from './duckdb.ts';

const schema = { id: Types.INT, big: Types.LONG, huge: Types.BIGINT, score: Types.DOUBLE, ok: Types.BOOL, name: Types.STRING, price: Types.DECIMAL, day: Types.DATE, at: Types.TIMESTAMP } as const;
const rows = Array.from({ length: 5000 }, (_, i) => ({
  id: i,
  big: i * 1_000_000_007,
  huge: 2n ** 62n + BigInt(i),
  score: i / 8,
  ok: i % 2 === 0,
  name: i % 3 === 0 ? null : `é😀 ${i}`,
  price: `${i}.25`,
  day: new Date(Date.UTC(2026, 0, 1 + (i % 28))),
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60, i % 1000)),
}));
const show = (r: (typeof rows)[number]): string => JSON.stringify([r.id, r.big, String(r.huge), r.score, r.ok, r.name, r.price, r.day.toISOString().slice(0, 10), r.at.toISOString()]);

for (const p of [1, 3]) {
  test(`writeParquet at p=${p}: DuckDB and readParquet read the same rows back`, async () => {
    const out = join(tempDir(), 'out.parquet');
    const env = envAt(p);
    env.fromCollection(rows).writeParquet(out, schema);
    await env.execute();
    if (p > 1) assert.deepEqual(readdirSync(out).sort(), ['1', '2', '3']);
    const files = p === 1 ? [out] : readdirSync(out).map((f) => join(out, f));
    const result = await duck.runAndReadAll(
      `SELECT id, big, huge::VARCHAR AS huge, score, ok, name, price, strftime(day, '%Y-%m-%d') AS day, strftime("at"::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%gZ') AS "at" FROM read_parquet([${files.map(literal).join(', ')}])`,
    );
    const read = result.getRowObjectsJson().map((r) => JSON.stringify([r.id, Number(r.big), r.huge, r.score, r.ok, r.name, r.price, r.day, r.at]));
    assertSameMultiset(read, rows.map(show));
    // (readParquet reads INT64 as exact numbers, so the BIGINT column beyond 2^53 is DuckDB's to check.)
    const columns = ['id', 'big', 'score', 'ok', 'name', 'price', 'day', 'at'];
    const back = await envAt(2).readParquet<(typeof rows)[number]>(out, { columns }).collect();
    assertSameMultiset(
      back.map((r) => show({ ...r, huge: 0n })),
      rows.map((r) => show({ ...r, huge: 0n })),
    );
  });
}

test('a field of the wrong type fails the job naming the sink and the field; nothing is written', async () => {
  const out = join(tempDir(), 'bad.parquet');
  const env = envAt(2);
  env.fromElements({ id: 1 }, { id: 'two' }).writeParquet(out, { id: Types.INT });
  assert.match(String(await failure(env.execute())), /DataSink \(writeParquet\).*field 'id' \(INT\): "two" is not a 32-bit integer/s);
  assert.equal(existsSync(out), false);
});
