/**
 * The group spiller on its own: a Map spilled many times into hash partitions, partitions that
 * overflow the budget again and are split by the next level's hash, states folded in arrival
 * order, and no files left behind.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { GroupSpiller, keyPartition } from '../../src/runtime/spill/group-spiller.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';
import { tempDir } from '../helpers.ts';

function run(budget: number, accumulating: boolean, rows: number, keys: number): { emitted: Map<string, unknown>; files: string[] } {
  const tmp = tempDir('tsflink-group-spiller-');
  const spiller = new GroupSpiller(new TypeRegistry(), tmp, budget, { accumulating });
  const map = new Map<unknown, unknown>();
  for (let i = 0; i < rows; i++) {
    const k = `k${(i * 7919) % keys}`;
    const v = map.get(k) as number[] | undefined;
    if (v === undefined) {
      const held = accumulating ? [i] : [i, i];
      map.set(k, held);
      spiller.afterAdd(map, held);
    } else if (accumulating) {
      v.push(i);
      spiller.afterAdd(map, i);
    } else v[1] = (v[1] as number) + i;
  }
  assert.ok(spiller.spilled, 'the budget made it spill');
  const emitted = new Map<string, unknown>();
  const merge = accumulating ? (a: unknown, b: unknown) => [...(a as number[]), ...(b as number[])] : (a: unknown, b: unknown) => [(a as number[])[0]!, (a as number[])[1]! + (b as number[])[1]!];
  let n = 0;
  spiller.forEachGroup(map, merge, (state) => {
    n++;
    const first = (state as number[])[0]!;
    const key = `k${(first * 7919) % keys}`;
    assert.ok(!emitted.has(key), `${key} emitted once`);
    emitted.set(key, state);
  });
  assert.equal(n, keys);
  return { emitted, files: readdirSync(tmp) };
}

test('folding sums across spills and nested splits gives every key its total once', () => {
  const rows = 200_000;
  const keys = 50_000;
  // 16 KiB: each partition of the first split (~780 keys) overflows and is split again.
  const { emitted, files } = run(16 * 1024, false, rows, keys);
  const expected = new Map<number, number>();
  for (let i = 0; i < rows; i++) expected.set((i * 7919) % keys, (expected.get((i * 7919) % keys) ?? 0) + i);
  for (const [key, s] of emitted) assert.equal((s as number[])[1], expected.get(Number(key.slice(1))), key);
  assert.deepEqual(files, [], 'no spill files remain');
});

test('accumulating states keep every value in arrival order across spills and splits', () => {
  const rows = 60_000;
  const keys = 5_000;
  const { emitted, files } = run(8 * 1024, true, rows, keys);
  for (const [, s] of emitted) {
    const values = s as number[];
    for (let i = 1; i < values.length; i++) assert.ok(values[i - 1]! < values[i]!, 'arrival order kept');
    assert.equal(values.length, rows / keys);
  }
  assert.deepEqual(files, []);
});

test('keyPartition spreads keys over all partitions and differs by level', () => {
  const seen0 = new Set<number>();
  let same = 0;
  for (let i = 0; i < 10_000; i++) {
    const a = keyPartition(`s${i}`, 0);
    seen0.add(a);
    if (a === keyPartition(`s${i}`, 1)) same++;
  }
  assert.equal(seen0.size, 64);
  assert.ok(same < 400, `levels split independently (${same} of 10000 kept their partition)`);
});
