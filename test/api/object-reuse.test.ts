/**
 * Emitted elements are snapshots. A function may mutate its input and return it, or
 * mutate one object and emit it several times; each consumer sees each element as it was when
 * emitted; a data set read by two operators gives each its own elements. `enableObjectReuse()`
 * keeps programs that do not mutate correct.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Collector, CrossFunction, type DataSet, FlatMapFunction, JoinFunction, Order } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';

type Box = [string, number];

/** Emits `[key, i]` for i = 1..n, for key = the input, all through ONE mutated array. */
class Reusing extends FlatMapFunction<string, Box> {
  private readonly n: number;
  constructor(n: number) {
    super();
    this.n = n;
  }
  flatMap(key: string, out: Collector<Box>): void {
    const box: Box = [key, 0];
    for (let i = 1; i <= this.n; i++) {
      box[1] = i;
      out.collect(box);
    }
    box[1] = -999; // mutated again after the last emit
  }
}

const KEYS = ['a', 'b', 'c', 'd', 'e'];
const expectedBoxes = (n: number): Box[] => KEYS.flatMap((k) => Array.from({ length: n }, (_, i): Box => [k, i + 1]));

function reused(p: number, n = 4): DataSet<Box> {
  return envAt(p).fromCollection(KEYS).rebalance().flatMap(new Reusing(n));
}

describe('one object mutated and emitted several times: consumers see snapshots', () => {
  for (const p of PARALLELISMS) {
    test(`collect at p=${p}`, async () => {
      assertSameMultiset(await reused(p).collect(), expectedBoxes(4));
    });

    test(`chained filter and map, then collect at p=${p}`, async () => {
      const out = await reused(p)
        .filter((b) => b[1] % 2 === 0)
        .map((b) => b)
        .collect();
      assertSameMultiset(
        out,
        expectedBoxes(4).filter((b) => b[1] % 2 === 0),
      );
    });

    test(`grouped reduceGroup sees every value at p=${p}`, async () => {
      const groups = await reused(p)
        .groupBy(0)
        .reduceGroup((values: Iterable<Box>, out: Collector<[string, number[]]>) => {
          const vs = [...values];
          out.collect([vs[0]![0], vs.map((v) => v[1]).sort()]);
        })
        .collect();
      assertSameMultiset(
        groups,
        KEYS.map((k) => [k, [1, 2, 3, 4]]),
      );
    });

    test(`combinable reduceGroup (combiner chained behind the flatMap) at p=${p}`, async () => {
      const groups = await reused(p)
        .groupBy(0)
        .reduceGroup(
          (values: Iterable<Box>, out: Collector<Box>) => {
            let key = '';
            let sum = 0;
            for (const [k, v] of values) {
              key = k;
              sum += v;
            }
            out.collect([key, sum]);
          },
          { combinable: true },
        )
        .collect();
      assertSameMultiset(
        groups,
        KEYS.map((k) => [k, 10]),
      );
    });

    test(`full-set reduceGroup at p=${p}`, async () => {
      const all = await reused(p)
        .reduceGroup((values: Iterable<Box>, out: Collector<string[]>) => out.collect([...values].map((b) => b.join(':')).sort()))
        .collect();
      assert.deepEqual(all, [
        expectedBoxes(4)
          .map((b) => b.join(':'))
          .sort(),
      ]);
    });

    test(`grouped reduce whose function returns one of its arguments at p=${p}`, async () => {
      const maxes = await reused(p)
        .groupBy(0)
        .reduce((a, b) => (b[1] > a[1] ? b : a))
        .collect();
      assertSameMultiset(
        maxes,
        KEYS.map((k) => [k, 4]),
      );
      const mins = await reused(p)
        .groupBy(0)
        .reduce((a, b) => (b[1] < a[1] ? b : a))
        .collect();
      assertSameMultiset(
        mins,
        KEYS.map((k) => [k, 1]),
      );
    });

    test(`full-set reduce returning its argument at p=${p}`, async () => {
      assert.deepEqual(
        await reused(p)
          .reduce((a, b) => (b[1] > a[1] || (b[1] === a[1] && b[0] > a[0]) ? b : a))
          .collect(),
        [['e', 4]],
      );
    });

    test(`aggregate, distinct, first, sortPartition, mapPartition at p=${p}`, async () => {
      assertSameMultiset(
        await reused(p).groupBy(0).max(1).collect(),
        KEYS.map((k) => [k, 4]),
      );
      assertSameMultiset(
        await reused(p).groupBy(0).min(1).collect(),
        KEYS.map((k) => [k, 1]),
      );
      assertSameMultiset(await reused(p).distinct().collect(), expectedBoxes(4));
      assertSameMultiset(
        await reused(p).groupBy(0).sortGroup(1, Order.DESCENDING).first(2).collect(),
        KEYS.flatMap((k): Box[] => [
          [k, 4],
          [k, 3],
        ]),
      );
      assertSameMultiset(await reused(p).sortPartition(1, Order.ASCENDING).collect(), expectedBoxes(4));
      const partitions = await reused(p)
        .mapPartition((values: Iterable<Box>, out: Collector<string>) => {
          for (const v of values) out.collect(v.join(':'));
        })
        .collect();
      assertSameMultiset(
        partitions,
        expectedBoxes(4).map((b) => b.join(':')),
      );
    });

    test(`join and cross with the reused object on either side at p=${p}`, async () => {
      const env = envAt(p);
      const left = env.fromCollection(KEYS).rebalance().flatMap(new Reusing(2));
      const right = env.fromElements<[string, string]>(['a', 'A'], ['c', 'C']);
      assertSameMultiset(await left.join(right).where(0).equalTo(0).collect(), [
        [
          ['a', 1],
          ['a', 'A'],
        ],
        [
          ['a', 2],
          ['a', 'A'],
        ],
        [
          ['c', 1],
          ['c', 'C'],
        ],
        [
          ['c', 2],
          ['c', 'C'],
        ],
      ]);
      assertSameMultiset(await right.join(left).where(0).equalTo(0).collect(), [
        [
          ['a', 'A'],
          ['a', 1],
        ],
        [
          ['a', 'A'],
          ['a', 2],
        ],
        [
          ['c', 'C'],
          ['c', 1],
        ],
        [
          ['c', 'C'],
          ['c', 2],
        ],
      ]);
      const crossed = await env
        .fromElements('x')
        .cross(env.fromElements('a').flatMap(new Reusing(3)))
        .collect();
      assertSameMultiset(crossed, [
        ['x', ['a', 1]],
        ['x', ['a', 2]],
        ['x', ['a', 3]],
      ]);
    });
  }
});

describe('a function that mutates its input and returns it', () => {
  for (const p of PARALLELISMS) {
    test(`a data set read by two operators: the mutation of one is not seen by the other at p=${p}`, async () => {
      const env = envAt(p);
      const base = env.generateSequence(1, 10).map((v): [number] => [v]);
      const negated = base.map((x) => {
        x[0] = -x[0];
        return x;
      });
      const plain = base.map((x) => x[0]);
      const both = negated.map((x): [string, number] => ['neg', x[0]]).union(plain.map((v): [string, number] => ['plain', v]));
      const expected: [string, number][] = [];
      for (let v = 1; v <= 10; v++) expected.push(['neg', -v], ['plain', v]);
      assertSameMultiset(await both.collect(), expected);
    });

    test(`a data set read by a mutating map and by a sink in the same job at p=${p}`, async () => {
      const env = envAt(p);
      const base = env.fromElements<{ n: number }>({ n: 1 }, { n: 2 }, { n: 3 });
      const doubled = base.map((o) => {
        o.n *= 2;
        return o;
      });
      const out = join(tempDir(), 'doubled');
      doubled.writeText(out).setParallelism(1);
      // collect() runs the pending sink in the same job: the source feeds both.
      assertSameMultiset(await base.collect(), [{ n: 1 }, { n: 2 }, { n: 3 }]);
      assertSameMultiset(readFileSync(out, 'utf8').split('\n').filter(Boolean), ['{"n":2}', '{"n":4}', '{"n":6}']);
    });

    test(`the program's own fromElements data is never changed by a mutating map at p=${p}`, async () => {
      const data: [string, number][] = [
        ['a', 1],
        ['b', 2],
      ];
      const env = envAt(p);
      const bumped = env.fromCollection(data).map((t) => {
        t[1] += 100;
        return t;
      });
      assertSameMultiset(await bumped.collect(), [
        ['a', 101],
        ['b', 102],
      ]);
      assertSameMultiset(await bumped.collect(), [
        ['a', 101],
        ['b', 102],
      ]);
      assert.deepEqual(data, [
        ['a', 1],
        ['b', 2],
      ]);
    });

    test(`join and cross functions that mutate their inputs at p=${p}`, async () => {
      class MutatingJoin extends JoinFunction<[string, number], [string, number], [string, number]> {
        join(l: [string, number], r: [string, number]): [string, number] {
          l[1] += r[1];
          r[1] = -1;
          return l;
        }
      }
      class MutatingCross extends CrossFunction<[number], [number], [number]> {
        cross(l: [number], r: [number]): [number] {
          l[0] = l[0] * 10 + r[0];
          r[0] = 0;
          return l;
        }
      }
      const env = envAt(p);
      const left = env.fromElements<[string, number]>(['k', 1], ['k', 2], ['j', 5]);
      const right = env.fromElements<[string, number]>(['k', 10], ['k', 20], ['j', 7]);
      assertSameMultiset(await left.join(right).where(0).equalTo(0).using(new MutatingJoin()).collect(), [
        ['k', 11],
        ['k', 21],
        ['k', 12],
        ['k', 22],
        ['j', 12],
      ]);
      const xs = env.fromElements<[number]>([1], [2]);
      const ys = env.fromElements<[number]>([3], [4], [5]);
      assertSameMultiset(await xs.cross(ys).using(new MutatingCross()).collect(), [[13], [14], [15], [23], [24], [25]]);
    });
  }
});

describe('copies only where elements are held', () => {
  test('operators chained in one task hand on the same object (no copy per operator)', async () => {
    let emitted: unknown = null;
    let sameObject = 0;
    const out = await envAt(1)
      .fromElements(1, 2, 3)
      .map((v) => {
        emitted = { v };
        return emitted as { v: number };
      })
      .filter((o) => {
        if (o === emitted) sameObject++;
        return true;
      })
      .map((o) => {
        if (o === emitted) sameObject++;
        return o.v;
      })
      .collect();
    assertSameMultiset(out, [1, 2, 3]);
    assert.equal(sameObject, 6);
  });
});

describe('enableObjectReuse(): programs that do not mutate still give the right answers', () => {
  for (const p of PARALLELISMS) {
    test(`word count, join, group reduce, cross, distinct and sort at p=${p}`, async () => {
      const env = envAt(p);
      env.enableObjectReuse();
      const words = env.fromElements('to be or not to be', 'that is the question', 'to be').flatMap((line: string) => line.split(' ').map((w): [string, number] => [w, 1]));
      assertSameMultiset(await words.groupBy(0).sum(1).collect(), [
        ['to', 3],
        ['be', 3],
        ['or', 1],
        ['not', 1],
        ['that', 1],
        ['is', 1],
        ['the', 1],
        ['question', 1],
      ]);
      assertSameMultiset(
        await words
          .groupBy(0)
          .reduce((a, b) => [a[0], a[1] + b[1]])
          .filter((c) => c[1] > 1)
          .collect(),
        [
          ['to', 3],
          ['be', 3],
        ],
      );
      const lengths = words.map(([w]): [string, number] => [w, w.length]).distinct();
      assertSameMultiset(await words.distinct(0).join(lengths).where(0).equalTo(0).projectFirst(0).projectSecond(1).collect(), [
        ['to', 2],
        ['be', 2],
        ['or', 2],
        ['not', 3],
        ['that', 4],
        ['is', 2],
        ['the', 3],
        ['question', 8],
      ]);
      const groups = await words
        .groupBy(0)
        .reduceGroup((values: Iterable<[string, number]>, out: Collector<[string, number]>) => {
          let n = 0;
          let w = '';
          for (const [word] of values) {
            w = word;
            n++;
          }
          out.collect([w, n]);
        })
        .collect();
      assert.equal(groups.length, 8);
      assert.equal(await env.fromElements(1, 2, 3).cross(env.fromElements('a', 'b')).count(), 6);
      const sorted = await env
        .fromElements(3, 1, 2)
        .sortPartition((x: number) => x, Order.ASCENDING)
        .setParallelism(1)
        .collect();
      assert.deepEqual(sorted, [1, 2, 3]);
    });
  }

  test('disableObjectReuse() turns the copies back on', async () => {
    const env = envAt(2);
    env.enableObjectReuse();
    env.disableObjectReuse();
    assertSameMultiset(await env.fromCollection(KEYS).rebalance().flatMap(new Reusing(2)).collect(), expectedBoxes(2));
  });
});
