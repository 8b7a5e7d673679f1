/**
 * Custom types: registered custom classes as values and keys (compared by serialized value),
 * through hash exchanges and joins; unregistered class instances keep working in one process,
 * and fail clearly, naming the class, where they would have to cross a thread boundary.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, type DataSet, type ExecutionEnvironment, JobExecutionError, MapPartitionFunction, PlanError } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { lines, runScript } from './spawn-script.ts';

class Point {
  readonly x: number;
  readonly y: number;
  /** Not part of the serialized form: two points equal in x and y are the same key. */
  cache: string | null = null;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  toString(): string {
    return `Point(${this.x}, ${this.y})`;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function withPoints(p: number): ExecutionEnvironment {
  const env = envAt(p);
  env.registerCustomType(
    Point,
    { serialize: (pt: Point) => encoder.encode(`${pt.x},${pt.y}`) },
    {
      deserialize: (bytes: Uint8Array) => {
        const [x, y] = decoder.decode(bytes).split(',').map(Number);
        return new Point(x!, y!);
      },
    },
  );
  return env;
}

function assertPoints(values: unknown[], expected: [number, number][]): void {
  for (const v of values) assert.ok(v instanceof Point, `${String(v)} is a Point`);
  assertSameMultiset(
    (values as Point[]).map((pt) => [pt.x, pt.y]),
    expected,
  );
}

/** Tags each element with the index of the partition that holds it. */
class TagPartition<T> extends MapPartitionFunction<T, [number, T]> {
  mapPartition(values: Iterable<T>, out: Collector<[number, T]>): void {
    for (const v of values) out.collect([this.context.getIndexOfThisSubtask(), v]);
  }
}

describe('registered custom types', () => {
  for (const p of PARALLELISMS) {
    test(`as values: through rebalance, map and collect, prototype kept, at p=${p}`, async () => {
      const env = withPoints(p);
      const moved = await env
        .fromElements(new Point(1, 2), new Point(3, 4), new Point(1, 2))
        .rebalance()
        .map((pt) => new Point(pt.x * 10, pt.y))
        .collect();
      assertPoints(moved, [
        [10, 2],
        [30, 4],
        [10, 2],
      ]);
      const nested = await env
        .fromElements<[string, { at: Point }]>(['a', { at: new Point(5, 6) }])
        .rebalance()
        .collect();
      assert.ok(nested[0]![1].at instanceof Point);
      assert.deepEqual([nested[0]![1].at.x, nested[0]![1].at.y], [5, 6]);
    });

    test(`as a groupBy key: two equal instances group together (by serialized value) at p=${p}`, async () => {
      const env = withPoints(p);
      const a = new Point(1, 2);
      const b = new Point(1, 2);
      b.cache = 'different, but not serialized';
      const visits = env.fromElements<[Point, number]>([a, 1], [b, 10], [new Point(3, 4), 100], [new Point(1, 2), 1000]);
      const sums = await visits.groupBy(0).sum(1).collect();
      assert.equal(sums.length, 2);
      assertPoints(
        sums.map(([pt]) => pt),
        [
          [1, 2],
          [3, 4],
        ],
      );
      assertSameMultiset(
        sums.map(([pt, n]) => [pt.toString(), n]),
        [
          ['Point(1, 2)', 1011],
          ['Point(3, 4)', 100],
        ],
      );
      const bySelector = await visits
        .groupBy((v: [Point, number]) => v[0])
        .reduceGroup((values: Iterable<[Point, number]>, out: Collector<[string, number]>) => {
          const vs = [...values];
          out.collect([vs[0]![0].toString(), vs.length]);
        })
        .collect();
      assertSameMultiset(bySelector, [
        ['Point(1, 2)', 3],
        ['Point(3, 4)', 1],
      ]);
      assertPoints(await env.fromElements(a, b, new Point(3, 4)).distinct().collect(), [
        [1, 2],
        [3, 4],
      ]);
    });

    test(`a hash exchange puts equal points in one partition at p=${p}`, async () => {
      const env = withPoints(p);
      const points = Array.from({ length: 40 }, (_, i) => new Point(i % 5, 0));
      const tagged = await env
        .fromCollection(points.map((pt, i): [Point, number] => [pt, i]))
        .partitionByHash(0)
        .mapPartition(new TagPartition<[Point, number]>())
        .collect();
      assert.equal(tagged.length, 40);
      const partitionOf = new Map<string, Set<number>>();
      for (const [part, [pt]] of tagged) {
        assert.ok(pt instanceof Point);
        const key = pt.toString();
        partitionOf.set(key, (partitionOf.get(key) ?? new Set()).add(part));
      }
      assert.equal(partitionOf.size, 5);
      for (const [key, parts] of partitionOf) assert.equal(parts.size, 1, `${key} is in one partition`);
    });

    test(`join on a custom-type key at p=${p}`, async () => {
      const env = withPoints(p);
      const people = env.fromElements<[Point, string]>([new Point(1, 2), 'alice'], [new Point(3, 4), 'bob'], [new Point(1, 2), 'carol']);
      const places = env.fromElements<[Point, string]>([new Point(1, 2), 'home'], [new Point(5, 6), 'nowhere']);
      const joined = await people
        .join(places)
        .where(0)
        .equalTo(0)
        .using((l, r) => [l[1], r[1], l[0]] as [string, string, Point])
        .collect();
      assertSameMultiset(
        joined.map(([who, where]) => [who, where]),
        [
          ['alice', 'home'],
          ['carol', 'home'],
        ],
      );
      assert.ok(joined.every(([, , pt]) => pt instanceof Point));
      const coGrouped = await people
        .coGroup(places)
        .where(0)
        .equalTo(0)
        .using((ls, rs, out: Collector<[string, number, number]>) => {
          const l = [...ls];
          const r = [...rs];
          out.collect([(l[0] ?? r[0]!)[0].toString(), l.length, r.length]);
        })
        .collect();
      assertSameMultiset(coGrouped, [
        ['Point(1, 2)', 2, 1],
        ['Point(3, 4)', 1, 0],
        ['Point(5, 6)', 0, 1],
      ]);
    });

    test(`registered instances are written with their toString at p=${p}`, async () => {
      const env = withPoints(p);
      const out = `${tempDir()}/points`;
      env
        .fromElements<[Point, number]>([new Point(7, 8), 1])
        .writeText(out)
        .setParallelism(1);
      await env.execute();
      assert.deepEqual(await envAt(1).readText(out).collect(), ['(Point(7, 8),1)']);
    });
  }
});

class Unregistered {
  readonly name: string;
  readonly n: number;
  constructor(name: string, n: number) {
    this.name = name;
    this.n = n;
  }
  label(): string {
    return `${this.name}#${this.n}`;
  }
}

/** The error of a job whose unregistered instances must cross a thread boundary names the class and registerCustomType. */
function namesUnregistered(e: unknown): boolean {
  return e instanceof Error && /'Unregistered'/.test(e.message) && /registerCustomType/.test(e.message);
}

describe('unregistered classes', () => {
  // At p=1 the job runs in this process, where an unregistered instance keeps working; at p=4
  // records cross worker threads, which an unregistered instance cannot: collection data is a
  // PlanError at execute() (it must be sent to the workers), an instance made by a function fails
  // the job when it is sent to the next task.
  for (const p of PARALLELISMS) {
    const title =
      p === 1
        ? `keep working in this process: values through exchanges and groups, prototype kept, at p=${p}`
        : `crossing worker threads through exchanges and groups fails naming the class and registerCustomType at p=${p}`;
    test(title, async () => {
      const env = envAt(p);
      const items = env.fromElements(new Unregistered('a', 1), new Unregistered('b', 2), new Unregistered('a', 3));
      const made = env.fromElements<[string, number]>(['a', 1], ['b', 2], ['a', 3]).map(([name, n]) => new Unregistered(name, n));
      const jobs = (ds: DataSet<Unregistered>) => ({
        labels: () =>
          ds
            .rebalance()
            .map((u) => u.label())
            .collect(),
        grouped: () =>
          ds
            .groupBy('name')
            .reduceGroup((values: Iterable<Unregistered>, out: Collector<string>) => {
              out.collect(
                [...values]
                  .map((u) => u.label())
                  .sort()
                  .join('+'),
              );
            })
            .collect(),
        partitioned: () => ds.partitionByHash('name').collect(),
      });
      for (const [from, ds] of [
        ['collection data', items],
        ['made by a function', made],
      ] as const) {
        const job = jobs(ds);
        if (p === 1) {
          assertSameMultiset(await job.labels(), ['a#1', 'b#2', 'a#3'], from);
          assertSameMultiset(await job.grouped(), ['a#1+a#3', 'b#2'], from);
          const collected = await job.partitioned();
          assert.ok(
            collected.every((u) => u instanceof Unregistered),
            from,
          );
        } else {
          const fails = (e: unknown) => namesUnregistered(e) && (from === 'collection data' ? e instanceof PlanError : e instanceof JobExecutionError);
          await assert.rejects(job.labels(), fails, from);
          await assert.rejects(job.grouped(), fails, from);
          await assert.rejects(job.partitioned(), fails, from);
        }
      }
    });

    const keysTitle =
      p === 1
        ? `two equal unregistered instances as keys group together at p=${p}`
        : `unregistered instances as keys cannot be shuffled: the job fails naming the class and registerCustomType at p=${p}`;
    test(keysTitle, async () => {
      const env = envAt(p);
      const sums = () =>
        env
          .fromElements<[Unregistered, number]>([new Unregistered('k', 1), 1], [new Unregistered('k', 1), 2], [new Unregistered('k', 2), 4])
          .groupBy(0)
          .sum(1)
          .collect();
      if (p > 1) {
        await assert.rejects(sums(), (e: unknown) => e instanceof PlanError && namesUnregistered(e), 'collection data');
        const madeKeys = env
          .fromElements<[string, number, number]>(['k', 1, 1], ['k', 1, 2], ['k', 2, 4])
          .map(([name, n, v]): [Unregistered, number] => [new Unregistered(name, n), v])
          .groupBy(0)
          .sum(1)
          .collect();
        await assert.rejects(madeKeys, (e: unknown) => e instanceof JobExecutionError && namesUnregistered(e), 'keys made by a function');
        return;
      }
      assertSameMultiset(
        (await sums()).map(([u, n]) => [u.label(), n]),
        [
          ['k#1', 3],
          ['k#2', 4],
        ],
      );
    });
  }
});

describe('in a separate program at p=4 (worker threads where the engine uses them)', () => {
  test('a registered class survives every exchange', () => {
    const r = runScript(
      tempDir(),
      'registered',
      ['getEnvironment'],
      `class Point {
  constructor(x, y) { this.x = x; this.y = y; }
  toString() { return 'Point(' + this.x + ', ' + this.y + ')'; }
}
const env = getEnvironment();
env.setParallelism(4);
env.registerCustomType(Point, { serialize: (p) => new TextEncoder().encode(p.x + ',' + p.y) },
  { deserialize: (b) => { const [x, y] = new TextDecoder().decode(b).split(',').map(Number); return new Point(x, y); } });
const visits = env.fromElements([new Point(1, 2), 'alice'], [new Point(3, 4), 'bob'], [new Point(1, 2), 'carol']);
visits.groupBy(0).reduceGroup((vs, out) => {
  const all = [...vs];
  out.collect(String(all[0][0] instanceof Point) + ' ' + all[0][0] + ' ' + all.map((v) => v[1]).sort().join('&'));
}).output();
await env.execute();`,
    );
    assert.equal(r.status, 0, r.stderr);
    assertSameMultiset(lines(r.stdout), ['true Point(1, 2) alice&carol', 'true Point(3, 4) bob']);
  });

  test('an unregistered class either stays in one thread and works, or fails naming the class and registerCustomType', () => {
    const r = runScript(
      tempDir(),
      'unregistered',
      ['getEnvironment'],
      `class Secret { constructor(v) { this.v = v; } }
const env = getEnvironment();
env.setParallelism(4);
env.generateSequence(1, 8).map((i) => new Secret(i)).rebalance().map((s) => String(s instanceof Secret) + ':' + s.v).output();
await env.execute();`,
    );
    if (r.status === 0) {
      assertSameMultiset(
        lines(r.stdout),
        Array.from({ length: 8 }, (_, i) => `true:${i + 1}`),
      );
    } else {
      assert.match(r.stderr, /Secret/);
      assert.match(r.stderr, /registerCustomType/);
      assert.equal(r.stdout, '');
    }
  });
});
