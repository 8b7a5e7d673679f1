import { test } from 'node:test';
import { PARALLELISMS, assertSameMultiset, envAt } from './helpers.ts';

for (const p of PARALLELISMS) {
  test(`word count at p=${p}`, async () => {
    const env = envAt(p);
    const counts = env
      .fromElements('to be or not to be')
      .flatMap((l: string) => l.split(' ').map((w) => [w, 1] as [string, number]))
      .groupBy(0)
      .sum(1);
    assertSameMultiset(await counts.collect(), [
      ['to', 2],
      ['be', 2],
      ['or', 1],
      ['not', 1],
    ]);
  });
}
