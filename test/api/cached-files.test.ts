/**
 * `env.registerCachedFile(path, name)` and `getDistributedCache().getFile(name)` (Flink's
 * distributed cache, after its DistributedCacheTest): every parallel instance reads the file by
 * its name; an unknown name, a missing file and a name registered twice are clear errors.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobExecutionError, MapFunction, PlanError } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt, tempDir } from '../helpers.ts';

class Lookup extends MapFunction<string, string> {
  private words = new Map<string, string>();
  override open(): void {
    const text = readFileSync(this.context.getDistributedCache().getFile('dictionary'), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) {
      const [en, de] = line.split('=');
      this.words.set(en!, de!);
    }
  }
  map(word: string): string {
    return this.words.get(word) ?? `?${word}`;
  }
}

class Unknown extends MapFunction<string, string> {
  map(word: string): string {
    return this.context.getDistributedCache().getFile('nope') + word;
  }
}

for (const p of PARALLELISMS) {
  test(`every instance reads the registered file by name, at p=${p}`, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'dict.txt'), 'one=eins\ntwo=zwei\nthree=drei\n');
    const env = envAt(p);
    env.registerCachedFile(join(dir, 'dict.txt'), 'dictionary');
    const out = await env.fromElements('one', 'two', 'three', 'four').rebalance().map(new Lookup()).collect();
    assertSameMultiset(out, ['eins', 'zwei', 'drei', '?four']);
    await assert.rejects(
      env.fromElements('x').rebalance().map(new Unknown()).collect(),
      (e: unknown) => e instanceof JobExecutionError && /getFile\('nope'\): no file was registered under that name .*registered: 'dictionary'/.test(String((e as Error).message)),
    );
  });
}

test('a missing file or a name registered twice is a plan error', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.txt'), 'a');
  const env = envAt(1);
  assert.throws(
    () => env.registerCachedFile(join(dir, 'missing.txt'), 'm'),
    (e: unknown) => e instanceof PlanError && /does not exist/.test(e.message),
  );
  env.registerCachedFile(join(dir, 'a.txt'), 'a');
  assert.throws(() => env.registerCachedFile(join(dir, 'a.txt'), 'a'), /already registered under the name 'a'/);
});
