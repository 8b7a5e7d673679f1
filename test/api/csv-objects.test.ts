/**
 * `readCsv(path, types, { pojoFields })`: rows as objects keyed by the given names (Flink's
 * `pojoType(Class, fields…)`), grouped by field name, at every parallelism; bad names are plan errors.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PlanError, Types } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt, tempDir } from '../helpers.ts';

for (const p of PARALLELISMS) {
  test(`rows read into objects and grouped by a field name, at p=${p}`, async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'name,age,city\nada,36,london\nalan,41,wilmslow\ngrace,36,arlington\n');
    const env = envAt(p);
    const people = env.readCsv(file, [Types.STRING, Types.INT, Types.STRING], { ignoreFirstLine: true, pojoFields: ['name', 'age', 'city'] });
    assertSameMultiset(await people.collect(), [
      { name: 'ada', age: 36, city: 'london' },
      { name: 'alan', age: 41, city: 'wilmslow' },
      { name: 'grace', age: 36, city: 'arlington' },
    ]);
    const byAge = await people
      .groupBy('age')
      .reduceGroup((ps: Iterable<{ name: string; age: number }>) => {
        const all = [...ps];
        return [
          [
            all[0]!.age,
            all
              .map((x) => x.name)
              .sort()
              .join('+'),
          ] as [number, string],
        ];
      })
      .collect();
    assertSameMultiset(byAge, [
      [36, 'ada+grace'],
      [41, 'alan'],
    ]);
  });
}

test('pojoFields must name each type once', () => {
  const env = envAt(1);
  assert.throws(
    () => env.readCsv('x.csv', [Types.INT, Types.INT], { pojoFields: ['a'] }),
    (e: unknown) => e instanceof PlanError && /pojoFields names 1 fields but 2 types/.test(e.message),
  );
  assert.throws(() => env.readCsv('x.csv', [Types.INT, Types.INT], { pojoFields: ['a', 'a'] }), /names 'a' twice/);
  assert.throws(() => env.readCsv('x.csv', [Types.INT], { pojoFields: ['__proto__'] }), /cannot name '__proto__'/);
});
