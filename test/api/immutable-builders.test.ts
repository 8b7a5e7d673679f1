/**
 * Builders never change a data set the user holds: `using`, the projections, `andAgg`,
 * `sortPartition`, `name`, `setParallelism`, `withParameters`, `runInClient` and
 * `withBroadcastSet` each return a new data set over a new plan node, so a handle kept in a
 * variable keeps its results and its type (issue 16). An iteration's head, and sinks, are the
 * exceptions: they are changed in place (the step reads the head; a sink is registered as made).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aggregation, MapFunction, Order, type DataSet } from '../../src/index.ts';
import { assertSameMultiset, envAt } from '../helpers.ts';

type T = [number, string];
const rows: T[] = [
  [1, 'a'],
  [2, 'b'],
  [2, 'c'],
];

for (const p of [1, 2]) {
  test(`a kept join stays the pair join after using() and projections (p=${p})`, async () => {
    const env = envAt(p);
    const ds = env.fromCollection(rows);
    const j = ds.join(ds).where(0).equalTo(0);
    const used = j.using((l, r) => `${l[1]}${r[1]}`);
    const projected = j.projectFirst(1).projectSecond(1);
    const more = projected.projectFirst(0);
    // The types say it too: j is still DataSet<[T, T]>, projected a [string, string] tuple.
    const pairs: [T, T][] = await j.collect();
    assertSameMultiset(pairs, [
      [
        [1, 'a'],
        [1, 'a'],
      ],
      [
        [2, 'b'],
        [2, 'b'],
      ],
      [
        [2, 'b'],
        [2, 'c'],
      ],
      [
        [2, 'c'],
        [2, 'b'],
      ],
      [
        [2, 'c'],
        [2, 'c'],
      ],
    ]);
    assertSameMultiset(await used.collect(), ['aa', 'bb', 'bc', 'cb', 'cc']);
    const both: [string, string][] = await projected.collect();
    assertSameMultiset(both, [
      ['a', 'a'],
      ['b', 'b'],
      ['b', 'c'],
      ['c', 'b'],
      ['c', 'c'],
    ]);
    assertSameMultiset(await more.collect(), [
      ['a', 'a', 1],
      ['b', 'b', 2],
      ['b', 'c', 2],
      ['c', 'b', 2],
      ['c', 'c', 2],
    ]);
  });

  test(`a kept cross stays all pairs after using() and projections (p=${p})`, async () => {
    const env = envAt(p);
    const a = env.fromElements(1, 2);
    const b = env.fromElements('x', 'y');
    const c = a.cross(b);
    const used = c.using((l, r) => `${l}${r}`);
    const projected = c.projectSecond();
    assertSameMultiset(await c.collect(), [
      [1, 'x'],
      [1, 'y'],
      [2, 'x'],
      [2, 'y'],
    ]);
    assertSameMultiset(await used.collect(), ['1x', '1y', '2x', '2y']);
    assertSameMultiset(await projected.collect(), [['x'], ['y'], ['x'], ['y']]);
  });

  test(`andAgg is a new operator; the kept aggregation keeps its own (p=${p})`, async () => {
    const env = envAt(p);
    const ds = env.fromCollection<[string, number, number]>([
      ['a', 1, 10],
      ['a', 5, 3],
      ['b', 2, 7],
    ]);
    const summed = ds.groupBy(0).sum(1);
    const withMax = summed.andMax(2);
    const withMin = summed.andAgg(Aggregation.Min, 2);
    assert.notEqual(withMax, summed);
    const fields = (r: readonly unknown[][]) => r.map((t) => [t[0], t[1]]);
    assertSameMultiset(fields(await summed.collect()), [
      ['a', 6],
      ['b', 2],
    ]);
    assertSameMultiset(await withMax.collect(), [
      ['a', 6, 10],
      ['b', 2, 7],
    ]);
    assertSameMultiset(await withMin.collect(), [
      ['a', 6, 3],
      ['b', 2, 7],
    ]);
  });
}

test('sortPartition again is a new operator sorting by both keys; the kept one sorts by its own', async () => {
  const env = envAt(1);
  const ds = env.fromCollection<[number, number]>([
    [2, 1],
    [1, 1],
    [1, 2],
    [2, 2],
  ]);
  const byFirst = ds.sortPartition(0, Order.ASCENDING);
  const byBoth = byFirst.sortPartition(1, Order.DESCENDING);
  assert.deepEqual(await byBoth.collect(), [
    [1, 2],
    [1, 1],
    [2, 2],
    [2, 1],
  ]);
  const firsts = (await byFirst.collect()).map((t) => t[0]);
  assert.deepEqual(firsts, [1, 1, 2, 2]);
});

test('name, setParallelism, withParameters and runInClient return new data sets; the kept one is unchanged', () => {
  const env = envAt(2);
  const m: DataSet<number> = env.fromElements(1, 2, 3).map((x: number) => x + 1);
  const named = m.name('Plus one');
  const narrow = m.setParallelism(1);
  const configured = m.withParameters({ k: 1 });
  const inClient = m.runInClient();
  for (const d of [named, narrow, configured, inClient]) assert.notEqual(d.id, m.id);
  const node = (d: { id: number }) => env.getNode(d.id);
  assert.match(node(m).name, /^Map at /);
  assert.equal(node(named).name, 'Plus one');
  assert.equal(node(m).parallelism, null);
  assert.equal(node(narrow).parallelism, 1);
  assert.equal(node(m).parameters, undefined);
  assert.equal(typeof node(configured).parameters, 'string');
  assert.ok(!node(m).runInClient);
  assert.equal(node(inClient).runInClient, true);
  // Settings chain onto the copies: each copy keeps what the one before it had.
  const both = m.name('Both').setParallelism(1);
  assert.deepEqual([node(both).name, node(both).parallelism], ['Both', 1]);
});

test('withBroadcastSet returns a new data set; the kept one has no broadcast set', async () => {
  const env = envAt(2);
  const side = env.fromElements(10);
  class AddSide extends MapFunction<number, number> {
    map(x: number): number {
      return x + (this.context.getBroadcastVariable<number>('side')[0] ?? 0);
    }
  }
  const m = env.fromElements(1, 2).map(new AddSide());
  const withSide = m.withBroadcastSet(side, 'side');
  assert.deepEqual(env.getNode(m.id).broadcastInputs, []);
  assert.deepEqual(
    env.getNode(withSide.id).broadcastInputs.map((b) => b.name),
    ['side'],
  );
  assertSameMultiset(await withSide.collect(), [11, 12]);
  await assert.rejects(m.collect(), /side/);
});

test("an iteration's head is named in place: the step reads it", async () => {
  const env = envAt(2);
  const it = env.fromElements(1, 2).iterate(3);
  assert.equal(it.name('Loop'), it);
  assert.equal(env.getNode(it.id).name, 'Loop');
  assertSameMultiset(await it.closeWith(it.map((x: number) => x * 2)).collect(), [8, 16]);
});

test('a sink is named and given a parallelism in place (a copy would be a second sink)', () => {
  const env = envAt(2);
  const sink = env.fromElements(1).output();
  assert.equal(sink.name('Out').setParallelism(1), sink);
  assert.deepEqual([env.getNode(sink.id).name, env.getNode(sink.id).parallelism], ['Out', 1]);
});
