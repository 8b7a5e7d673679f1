/**
 * JSON Lines across engines (issue 13): what tsflink's writeJson writes (plain and gzip, a file
 * and a directory of parts) DuckDB reads as the same rows, and what DuckDB writes tsflink's
 * readJson reads as the same rows: integers, doubles, strings with Unicode, booleans, nulls,
 * nested lists and objects, dates and timestamps.
 */
import { join } from 'node:path';
import { test } from 'node:test';
import { Types } from '../../src/index.ts';
import { assertSameMultiset, envAt, tempDir } from '../helpers.ts';
import { duck, literal } from './duckdb.ts';

interface Row {
  id: number;
  name: string;
  score: number;
  ok: boolean;
  note: string | null;
  tags: string[];
  where: { city: string; zip: number | null };
  day: Date;
}

const rows: Row[] = Array.from({ length: 50 }, (_, i) => ({
  id: i,
  name: i % 5 === 0 ? `é😀 ${i}` : `name ${i}`,
  score: i / 4,
  ok: i % 2 === 0,
  note: i % 3 === 0 ? null : `n${i}`,
  tags: Array.from({ length: i % 3 }, (_, k) => `t${k}`),
  where: { city: `c${i % 4}`, zip: i % 7 === 0 ? null : 1000 + i },
  day: new Date(Date.UTC(2026, 0, 1 + (i % 28), i % 24, i % 60, 0)),
}));

/** A row as both sides can state it (DuckDB gives timestamps as text without a zone). */
const canonical = (r: Row): string => JSON.stringify([r.id, r.name, r.score, r.ok, r.note, r.tags, r.where.city, r.where.zip, r.day.toISOString().slice(0, 19).replace('T', ' ')]);

for (const [p, file] of [
  [1, 'rows.jsonl'],
  [2, 'rows.jsonl'],
  [2, 'rows.jsonl.gz'],
] as const) {
  test(`DuckDB reads what writeJson writes (p=${p}, ${file})`, async () => {
    const dir = tempDir();
    const out = join(dir, file);
    const env = envAt(p);
    env.fromCollection(rows).writeJson(out);
    await env.execute();
    // At p > 1 the parts are named 1…p: DuckDB is told they are gzip.
    const glob = p === 1 ? out : join(out, '*');
    const compression = file.endsWith('.gz') ? ", compression = 'gzip'" : '';
    const result = await duck.runAndReadAll(
      `SELECT id, name, score, ok, note, tags, "where".city AS city, "where".zip AS zip, strftime(day, '%Y-%m-%d %H:%M:%S') AS day
       FROM read_json(${literal(glob)}, format = 'newline_delimited'${compression}, columns = {id: 'INTEGER', name: 'VARCHAR', score: 'DOUBLE', ok: 'BOOLEAN', note: 'VARCHAR', tags: 'VARCHAR[]', "where": 'STRUCT(city VARCHAR, zip INTEGER)', day: 'TIMESTAMP'})`,
    );
    const read = result.getRowObjectsJson().map((r) => JSON.stringify([r.id, r.name, r.score, r.ok, r.note, r.tags, r.city, r.zip, r.day]));
    assertSameMultiset(read, rows.map(canonical));
  });
}

test('readJson reads what DuckDB writes (plain and gzip, with a schema)', async () => {
  const dir = tempDir();
  const values = rows.map(
    (r) =>
      `(${r.id}, ${literal(r.name)}, ${r.score}, ${r.ok}, ${r.note === null ? 'NULL' : literal(r.note)}, [${r.tags.map(literal).join(', ')}]::VARCHAR[], {'city': ${literal(r.where.city)}, 'zip': ${r.where.zip ?? 'NULL'}}, TIMESTAMP ${literal(r.day.toISOString().slice(0, 19).replace('T', ' '))})`,
  );
  const table = `SELECT * FROM (VALUES ${values.join(', ')}) t(id, name, score, ok, note, tags, "where", day)`;
  for (const [file, compression] of [
    ['duck.jsonl', 'none'],
    ['duck.jsonl.gz', 'gzip'],
  ] as const) {
    const path = join(dir, file);
    await duck.run(`COPY (${table}) TO ${literal(path)} (FORMAT json, COMPRESSION ${compression})`);
    const read = await envAt(2)
      .readJson(path, { schema: { id: Types.INT, name: Types.STRING, score: Types.DOUBLE, ok: Types.BOOL, note: Types.STRING, day: Types.TIMESTAMP } })
      .map((r) => {
        const rest = r as unknown as { tags: string[]; where: { city: string; zip: number | null } };
        return canonical({ id: r.id!, name: r.name!, score: r.score!, ok: r.ok!, note: r.note, tags: rest.tags, where: rest.where, day: r.day! });
      })
      .collect();
    assertSameMultiset(read, rows.map(canonical), file);
  }
});
