/**
 * JSON Lines (issue 13): `readJson` with and without a schema, its errors (file, line, field)
 * and `ignoreInvalidLines`, and `writeJson` round trips, at p=1 and 4.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InputFormatError, PlanError, Types, WriteMode } from '../../src/index.ts';
import { assertSameMultiset, causeOf, envAt, failure, tempDir, writeTestFile as file } from '../helpers.ts';

for (const p of [1, 4]) {
  describe(`readJson and writeJson at p=${p}`, () => {
    test('any JSON value per line; blank lines and CRLF line ends are skipped; Unicode kept', async () => {
      const dir = tempDir();
      const path = file(dir, 'a.jsonl', '{"a":1,"b":[true,null]}\r\n\n   \n[1,"x"]\n"é😀"\n42\nnull\n{"nested":{"deep":{"x":-0.5}}}');
      const out = await envAt(p).readJson(path).collect();
      assertSameMultiset(out, [{ a: 1, b: [true, null] }, [1, 'x'], 'é😀', 42, null, { nested: { deep: { x: -0.5 } } }]);
    });

    test('a schema converts and checks its fields; a missing field or null is null; other fields are kept', async () => {
      const dir = tempDir();
      const path = file(
        dir,
        'people.jsonl',
        [
          '{"name":"ann","age":41,"score":1.5,"vip":true,"id":"9007199254740993","price":"12.50","born":"1985-03-02","seen":"2026-12-04T10:11:12.345Z","extra":[1]}',
          '{"name":"bob","age":null,"id":7,"price":3}',
        ].join('\n'),
      );
      const schema = { name: Types.STRING, age: Types.INT, score: Types.DOUBLE, vip: Types.BOOL, id: Types.BIGINT, price: Types.DECIMAL, born: Types.DATE, seen: Types.TIMESTAMP };
      const rows = await envAt(p).readJson(path, { schema }).collect();
      const byName = new Map(rows.map((r) => [r.name, r]));
      assert.deepEqual(byName.get('ann'), {
        name: 'ann',
        age: 41,
        score: 1.5,
        vip: true,
        id: 9007199254740993n,
        price: '12.50',
        born: new Date(Date.UTC(1985, 2, 2)),
        seen: new Date(Date.UTC(2026, 11, 4, 10, 11, 12, 345)),
        extra: [1],
      });
      assert.deepEqual(byName.get('bob'), { name: 'bob', age: null, score: null, vip: null, id: 7n, price: '3', born: null, seen: null });
    });

    test('a bad line fails the job naming the file, the line and the field', async () => {
      const dir = tempDir();
      const broken = file(dir, 'broken.jsonl', '{"a":1}\n\n{"a":2,}\n');
      const e1 = causeOf(await failure(envAt(p).readJson(broken).collect()), InputFormatError);
      assert.equal(e1.file, broken);
      assert.equal(e1.line, 3);
      assert.match(e1.message, /broken\.jsonl:3: invalid JSON .*\{"a":2,\}/);
      assert.match(e1.message, /DataSource \(readJson\)/);
      const typed = file(dir, 'typed.jsonl', '{"age":1}\n{"age":"x"}\n');
      const e2 = causeOf(
        await failure(
          envAt(p)
            .readJson(typed, { schema: { age: Types.INT } })
            .collect(),
        ),
        InputFormatError,
      );
      assert.equal(e2.line, 2);
      assert.match(e2.message, /typed\.jsonl:2: field 'age': INT value "x" is not an integer/);
      const notObject = file(dir, 'array.jsonl', '[1,2]\n');
      assert.match(
        String(
          await failure(
            envAt(p)
              .readJson(notObject, { schema: { a: Types.INT } })
              .collect(),
          ),
        ),
        /array\.jsonl:1: expected a JSON object for the schema/,
      );
    });

    test('the line number of a bad line counts from the start of the file, also in a later split', async () => {
      const dir = tempDir();
      // 9 MiB of lines: at p=4 the file is cut into splits, and the bad line is far into one.
      const good = `${JSON.stringify({ v: 'x'.repeat(90) })}\n`;
      const lines = Math.ceil((9 * 1024 * 1024) / good.length);
      const bad = lines - 10;
      const path = join(dir, 'big.jsonl');
      writeFileSync(path, good.repeat(bad - 1) + '{oops}\n' + good.repeat(lines - bad));
      const e = causeOf(await failure(envAt(p).readJson(path).count()), InputFormatError);
      assert.equal(e.line, bad);
    });

    test('ignoreInvalidLines skips bad lines and counts them in invalidLines', async () => {
      const dir = tempDir();
      const path = file(dir, 'mixed.jsonl', '{"n":1}\nnot json\n{"n":"two"}\n{"n":3}\n');
      const env = envAt(p);
      const out = join(dir, 'out');
      env
        .readJson(path, { schema: { n: Types.INT }, ignoreInvalidLines: true })
        .map((r) => r.n)
        .writeText(out);
      const result = await env.execute();
      assert.equal(result.accumulators.invalidLines, 2);
      const read = (
        existsSync(join(out, '1'))
          ? readdirSync(out)
              .map((f) => readFileSync(join(out, f), 'utf8'))
              .join('')
          : readFileSync(out, 'utf8')
      )
        .split('\n')
        .filter(Boolean);
      assertSameMultiset(read, ['1', '3']);
    });

    test('writeJson round trip: Dates, bigints, Sets, Maps, typed arrays, nested values and Unicode', async () => {
      const dir = tempDir();
      const out = join(dir, 'out.jsonl');
      const env = envAt(p);
      env
        .generateSequence(1, 20)
        .map((n) => ({
          n,
          when: new Date(Date.UTC(2026, 0, n)),
          big: 2n ** 60n + BigInt(n),
          tags: new Set(['a', `t${n}`]),
          counts: new Map([['k', n]]),
          floats: Float64Array.of(n / 2),
          text: `é😀${n}`,
          nested: { list: [n, null, { deep: true }] },
        }))
        .writeJson(out);
      await env.execute();
      if (p > 1) assert.deepEqual(readdirSync(out).sort(), ['1', '2', '3', '4']);
      const back = await envAt(p)
        .readJson(out, { schema: { n: Types.INT, when: Types.TIMESTAMP, big: Types.BIGINT } })
        .map(
          (r) =>
            [
              r.n,
              r.when?.getTime(),
              r.big,
              (r as unknown as { tags: string[] }).tags,
              (r as unknown as { counts: unknown }).counts,
              (r as unknown as { floats: number[] }).floats,
              (r as unknown as { text: string }).text,
            ] as const,
        )
        .collect();
      assertSameMultiset(
        back,
        Array.from({ length: 20 }, (_, i) => {
          const n = i + 1;
          return [n, Date.UTC(2026, 0, n), 2n ** 60n + BigInt(n), ['a', `t${n}`], { k: n }, [n / 2], `é😀${n}`] as const;
        }),
      );
    });

    test('an element with no JSON form fails the job naming the sink, and nothing is written', async () => {
      const dir = tempDir();
      const out = join(dir, 'out.jsonl');
      const env = envAt(p);
      env
        .fromElements(1, 2, 3)
        .map((n) => (n === 2 ? { f: new Map([[1, 'x']]) } : { n }))
        .writeJson(out);
      const e = await failure(env.execute());
      assert.match(String(e), /DataSink \(writeJson\).*cannot be written as JSON: a Map with a number key has no JSON form/s);
      assert.equal(existsSync(out), false);
    });

    test('NO_OVERWRITE refuses an existing target; OVERWRITE replaces it', async () => {
      const dir = tempDir();
      const out = file(dir, 'exists.jsonl', 'old\n');
      const env = envAt(p);
      env.fromElements({ a: 1 }).writeJson(out);
      assert.match(String(await failure(env.execute())), /exists/);
      assert.equal(readFileSync(out, 'utf8'), 'old\n');
      const again = envAt(p);
      again.fromElements({ a: 1 }).setParallelism(1).writeJson(out, WriteMode.OVERWRITE).setParallelism(1);
      await again.execute();
      assert.equal(readFileSync(out, 'utf8'), '{"a":1}\n');
    });
  });
}

test('readJson reads a directory of files; bad options are plan errors', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'in'));
  file(join(dir, 'in'), '1', '{"a":1}\n');
  file(join(dir, 'in'), '2', '{"a":2}\n');
  assertSameMultiset(await envAt(2).readJson(join(dir, 'in')).collect(), [{ a: 1 }, { a: 2 }]);
  assert.throws(() => envAt(1).readJson(join(dir, 'in'), { schema: { a: 'NUMBER' as never } }), PlanError);
  assert.throws(() => envAt(1).readJson(join(dir, 'in'), { ignoreInvalidLines: 'yes' as never }), PlanError);
});
