/**
 * Compiled pipelines (optimizer/compiled-pipelines.ts, runtime/compiled/pipeline.ts, io/csv-rows.ts)
 * against the interpreted operators: every job here runs both ways (`TSFLINK_COMPILE=0` for the
 * interpreted one) at parallelism 1 and 4, and must give the same records — or the same error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Aggregation, type ExecutionEnvironment, getEnvironment, IntCounter, MapFunction, type RuntimeContext, Types } from '../../src/index.ts';
import { formatPlan } from '../../src/optimizer/explain.ts';
import { optimize } from '../../src/optimizer/optimizer.ts';
import { assertSameMultiset, PARALLELISMS, tempDir, writeTestFile } from '../helpers.ts';

/** An environment at parallelism p, with compiled pipelines on or off (the switch is read when the environment is made), and optionally a configuration file. */
function envWith(compile: boolean, p: number, conf?: string): ExecutionEnvironment {
  const saved = { compile: process.env.TSFLINK_COMPILE, conf: process.env.TSFLINK_CONF };
  process.env.TSFLINK_COMPILE = compile ? '1' : '0';
  if (conf !== undefined) process.env.TSFLINK_CONF = conf;
  try {
    const env = getEnvironment();
    env.setParallelism(p);
    return env;
  } finally {
    for (const [name, value] of [
      ['TSFLINK_COMPILE', saved.compile],
      ['TSFLINK_CONF', saved.conf],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The configuration of a job with a tiny memory budget (spilling into `tmp`). */
let smallBudget: string | undefined;

type Outcome = { records: unknown[] } | { error: string };

async function outcome(job: (env: ExecutionEnvironment) => Promise<unknown[]>, compile: boolean, p: number): Promise<Outcome> {
  try {
    return { records: await job(envWith(compile, p, smallBudget)) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** Runs the job both ways at every parallelism: both must succeed with the same records; returns the compiled path's. */
async function bothWays(job: (env: ExecutionEnvironment) => Promise<unknown[]>): Promise<unknown[][]> {
  const results: unknown[][] = [];
  for (const p of PARALLELISMS) {
    const compiled = await outcome(job, true, p);
    const interpreted = await outcome(job, false, p);
    assert.ok('records' in compiled && 'records' in interpreted, `p=${p}: ${JSON.stringify([compiled, interpreted]).slice(0, 400)}`);
    assertSameMultiset(compiled.records, interpreted.records, `p=${p}`);
    results.push(compiled.records);
  }
  return results;
}

/** Runs the job both ways at every parallelism (or those given): both must fail, with the same message; returns it. */
async function bothFail(job: (env: ExecutionEnvironment) => Promise<unknown[]>, parallelisms: readonly number[] = PARALLELISMS): Promise<string[]> {
  const messages: string[] = [];
  for (const p of parallelisms) {
    const compiled = await outcome(job, true, p);
    const interpreted = await outcome(job, false, p);
    assert.ok('error' in compiled && 'error' in interpreted, `p=${p}: ${JSON.stringify([compiled, interpreted]).slice(0, 400)}`);
    assert.equal(compiled.error, interpreted.error, `p=${p}`);
    messages.push(compiled.error);
  }
  return messages;
}

const dir = tempDir('tsflink-compiled-');

/** The lines of a sink's output: one file, or a directory of part files. */
function readOutput(path: string): string[] {
  const files = statSync(path).isDirectory() ? readdirSync(path).map((f) => join(path, f)) : [path];
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  );
}
const rows = Array.from({ length: 3000 }, (_, i) => `k${i % 37},${i % 5 === 0 ? 'skip me' : 'x'},${(i * 7919) % 1000},${i % 11}`);
const plain = writeTestFile(dir, 'plain.csv', `${rows.join('\n')}\n`);
// Quotes in some chunks, an empty line, a CRLF line, a bad value (skipped with ignoreInvalidLines).
const mixed = writeTestFile(dir, 'mixed.csv', `${rows.slice(0, 1000).join('\n')}\n"k1","q,uoted",5,1\n\nk2,x,6,2\r\nk3,x,notanumber,3\n${rows.slice(1000).join('\n')}\n`);

describe('compiled pipelines give what the interpreted operators give', () => {
  it('readCsv with includedFields -> map -> filter -> groupBy(0).sum().andMin().andMax()', async () => {
    const [first] = await bothWays((env) =>
      env
        .readCsv(plain, [Types.STRING, Types.LONG, Types.INT], { includedFields: [true, false, true, true] })
        .map(([k, v, w]) => [k, v, w, 1] as [string, number, number, number])
        .filter(([, v]) => v % 3 !== 0)
        .groupBy(0)
        .sum(1)
        .andMin(2)
        .andMax(3)
        .collect(),
    );
    // Worked out by hand from the rows.
    const expected = new Map<string, [string, number, number, number]>();
    rows.forEach((row, i) => {
      const [k, , v, w] = row.split(',') as [string, string, string, string];
      if (Number(v) % 3 === 0) return;
      const g = expected.get(k);
      if (g === undefined) expected.set(k, [k, Number(v), Number(w), 1]);
      else expected.set(k, [k, g[1] + Number(v), Math.min(g[2], Number(w)), 1]);
      void i;
    });
    assertSameMultiset(first!, [...expected.values()]);
  });

  it('project -> aggregate over everything, count and sum', async () => {
    const [first] = await bothWays((env) => env.readCsv(plain, [Types.STRING, Types.STRING, Types.LONG, Types.LONG]).project(2, 3).aggregate(Aggregation.SUM, 0).andSum(1).collect());
    assert.deepEqual(first, [[rows.reduce((t, r) => t + Number(r.split(',')[2]), 0), rows.reduce((t, r) => t + Number(r.split(',')[3]), 0)]]);
  });

  it('number keys, and keys of mixed types, with sum and min', async () => {
    await bothWays((env) =>
      env
        .readCsv(plain, [Types.STRING, Types.STRING, Types.LONG, Types.LONG])
        .map(([k, , v, w]) => [w % 2 === 0 ? w : k, v, -v] as [number | string, number, number])
        .groupBy(0)
        .sum(1)
        .andMin(2)
        .collect(),
    );
  });

  it('a CSV with quoted fields, an empty line, CRLF and a bad row skipped', async () => {
    await bothWays((env) => env.readCsv(mixed, [Types.STRING, Types.STRING, Types.LONG, Types.INT], { ignoreInvalidLines: true }).groupBy(0).sum(2).collect());
  });

  it('the same error for a bad row, a throwing map, a projection out of range and a sum of text', async () => {
    const errors = [
      await bothFail((env) => env.readCsv(mixed, [Types.STRING, Types.STRING, Types.LONG, Types.INT]).groupBy(0).sum(2).collect()),
      await bothFail((env) =>
        env
          .readCsv(plain, [Types.STRING, Types.STRING, Types.LONG, Types.LONG])
          .map((r) => {
            if (r[0] === 'k13' && r[2] === 46) throw new Error('no 999'); // one row (i = 1234): the error names its record at every p
            return r;
          })
          .groupBy(0)
          .sum(2)
          .collect(),
      ),
      await bothFail((env) =>
        env
          .readCsv(plain, [Types.STRING, Types.STRING, Types.LONG, Types.LONG])
          .map((r) => (r[2] === 999 ? ['short'] : r) as unknown as [string, string, number, number])
          .project(0, 3)
          .groupBy(0)
          .sum(1)
          .collect(),
      ),
      await bothFail((env) =>
        env
          .readCsv(plain, [Types.STRING, Types.STRING, Types.LONG, Types.LONG])
          .map((r) => [r[0], r[2] === 999 ? 'text' : r[2]] as unknown as [string, number])
          .groupBy(0)
          .sum(1)
          .collect(),
      ),
    ];
    assert.match(errors[0]![0]!, /mixed\.csv:1004/);
    assert.match(errors[1]![0]!, /no 999/);
    assert.match(errors[2]![0]!, /project: field 3 is out of range for a tuple of 1 fields/);
    assert.match(errors[3]![0]!, /cannot sum field 1/);
  });

  it('a rich map function is opened once per subtask, and its accumulators count every record', async () => {
    class Tagger extends MapFunction<[string, string, number, number], [string, number]> {
      private readonly seen = new IntCounter();
      private readonly instances = new IntCounter();
      override open(ctx: RuntimeContext): void {
        ctx.addAccumulator('seen', this.seen);
        ctx.addAccumulator('instances', this.instances);
        this.instances.add(1);
      }
      map(r: [string, string, number, number]): [string, number] {
        this.seen.add(1);
        return [r[0], r[2]];
      }
    }
    let run = 0;
    const outcomes = await bothWays(async (env) => {
      const out = `${dir}/rich-${run++}`;
      env.readCsv(plain, [Types.STRING, Types.STRING, Types.LONG, Types.LONG]).map(new Tagger()).groupBy(0).sum(1).writeCsv(out);
      const result = await env.execute();
      return [`seen ${result.accumulators.seen}`, `instances ${result.accumulators.instances}`, ...readOutput(out)];
    });
    for (const [i, records] of outcomes.entries()) assert.ok(records.includes('seen 3000') && records.includes(`instances ${PARALLELISMS[i]}`), JSON.stringify(records).slice(0, 200));
  });
});

describe('compiled joins (the integer-key build table) give what the interpreted join gives', () => {
  const orders = Array.from({ length: 2000 }, (_, i) => [i, i % 301, i * 3] as [number, number, number]);
  const customers = Array.from({ length: 300 }, (_, c) => [c, `n${c % 17}`, { nested: c }] as [number, string, { nested: number }]);
  const flat = customers.map(([c, n]) => [c, n] as [number, string]);

  it('inner join on integer keys, build side of flat tuples and of nested ones, duplicate build keys', async () => {
    for (const build of [flat, customers, [...flat, ...flat.slice(0, 50)]] as unknown[][]) {
      const [first] = await bothWays((env) =>
        env
          .fromCollection(orders)
          .join(env.fromCollection(build as [number, string][]))
          .where(1)
          .equalTo(0)
          .collect(),
      );
      assert.ok(first!.length > 1900);
    }
  });

  it('a build side of 20 000 keys (the table grows past its first sizes), with keys far apart and negative', async () => {
    const big = Array.from({ length: 20_000 }, (_, c) => [c % 2 === 0 ? c * 104_729 : -c, `c${c % 97}`] as [number, string]);
    const probes = Array.from({ length: 30_000 }, (_, i) => [i, i % 3 === 0 ? (i % 20_000) * 104_729 : -(i % 20_011), i] as [number, number, number]);
    const [first] = await bothWays((env) =>
      env
        .fromCollection(probes)
        .join(env.fromCollection(big))
        .where(1)
        .equalTo(0)
        .using((o, c) => [o[0], c[1]] as [number, string])
        .collect(),
    );
    const byKey = new Map(big.map((c) => [c[0], c[1]]));
    const expected = probes.filter((o) => byKey.has(o[1])).map((o) => [o[0], byKey.get(o[1])]);
    assert.ok(expected.length > 10_000);
    assertSameMultiset(first!, expected);
  });

  it('the user function mutating the build record it was given changes no other pair', async () => {
    await bothWays((env) =>
      env
        .fromCollection(orders)
        .join(env.fromCollection(flat))
        .where(1)
        .equalTo(0)
        .using((o, c) => {
          c[1] = `${c[1]}!`; // a held record handed out again must be a fresh copy
          return [o[0], c[1]] as [number, string];
        })
        .collect(),
    );
  });

  it('keys that are not integers: strings after integers, NaN, -0, fractions, on either side', async () => {
    const left = [
      [0, 'a'],
      [-0, 'b'],
      [1.5, 'c'],
      [Number.NaN, 'd'],
      ['1', 'e'],
      [1, 'f'],
      [2 ** 40, 'g'],
    ] as [unknown, string][];
    const right = [
      [0, 'x'],
      [1, 'y'],
      [2 ** 40, 'z'],
      [Number.NaN, 'w'],
    ] as [unknown, string][];
    const rightThenText = [...right, ['1', 'v'] as [unknown, string]];
    for (const r of [right, rightThenText]) {
      await bothWays((env) => env.fromCollection(left).join(env.fromCollection(r)).where(0).equalTo(0).collect());
      await bothWays((env) => env.fromCollection(r).join(env.fromCollection(left)).where(0).equalTo(0).collect());
    }
  });

  it('outer joins: unmatched records on either side paired with null', async () => {
    const some = flat.filter(([c]) => c % 3 !== 0);
    const fewOrders = orders.filter(([i]) => i % 5 !== 0);
    await bothWays((env) =>
      env
        .fromCollection(fewOrders)
        .leftOuterJoin(env.fromCollection(some))
        .where(1)
        .equalTo(0)
        .using((o, c) => [o[0], c === null ? null : c[1]])
        .collect(),
    );
    await bothWays((env) =>
      env
        .fromCollection(fewOrders)
        .rightOuterJoin(env.fromCollection(some))
        .where(1)
        .equalTo(0)
        .using((o, c) => [o === null ? null : o[0], c[1]])
        .collect(),
    );
    await bothWays((env) =>
      env
        .fromCollection(fewOrders)
        .fullOuterJoin(env.fromCollection(some))
        .where(1)
        .equalTo(0)
        .using((o, c) => [o === null ? null : o[0], c === null ? null : c[1]])
        .collect(),
    );
  });

  it('the same error, from the same record, when a probe key fails after a pair whose function throws, or alone', async () => {
    const bad = [...orders.slice(0, 500), [7] as unknown as [number, number, number], ...orders.slice(500)];
    const [thrown] = await bothFail(
      (env) =>
        env
          .fromCollection(bad)
          .join(env.fromCollection(flat))
          .where(1)
          .equalTo(0)
          .using((o, c) => {
            if (o[0] === 450) throw new Error('pair 450');
            return [o[0], c[1]];
          })
          .collect(),
      [1], // which error comes first is a race between subtasks at p > 1, on either path
    );
    assert.match(thrown!, /pair 450/);
    const [keyError] = await bothFail((env) => env.fromCollection(bad).join(env.fromCollection(flat)).where(1).equalTo(0).collect());
    assert.match(keyError!, /out of range|field 1/);
  });

  it('a join followed by map and an aggregate, compiled into the join task', async () => {
    await bothWays((env) =>
      env
        .fromCollection(orders)
        .join(env.fromCollection(flat))
        .where(1)
        .equalTo(0)
        .using((o, c) => [c[1], o[2], 1] as [string, number, number])
        .groupBy(0)
        .sum(1)
        .andSum(2)
        .collect(),
    );
  });
});

describe('compiled distinct (the typed-array key set) gives what the interpreted distinct gives', () => {
  const pairs = Array.from({ length: 6000 }, (_, i) => [(i * 7) % 911, i % 13] as [number, number]);

  it('on whole tuples of integers, on field positions, on integer scalars', async () => {
    const [first] = await bothWays((env) => env.fromCollection(pairs).distinct().collect());
    assert.equal(first!.length, new Set(pairs.map((p) => `${p[0]},${p[1]}`)).size);
    await bothWays((env) => env.fromCollection(pairs).distinct(1).collect());
    await bothWays((env) => env.fromCollection(pairs).distinct(0, 1).collect());
    await bothWays((env) =>
      env
        .fromCollection(pairs)
        .map((p) => p[0])
        .distinct()
        .collect(),
    );
  });

  it('keys that are not integers hand over to the interpreted operator: fractions, strings, -0, tuples of other lengths', async () => {
    const odd = [...pairs.slice(0, 3000), [1.5, 2], ['7', 1], [-0, 0], [0, 0], [1, 2, 3], ...pairs.slice(3000)] as unknown as [number, number][];
    await bothWays((env) => env.fromCollection(odd).distinct().collect());
    await bothWays((env) => env.fromCollection([-0, 0, 1, 1, 2.5, 2.5, Number.NaN, Number.NaN]).distinct().collect());
  });

  it('past the memory budget: handed over, spilled, the same records', async () => {
    const dir = tempDir('tsflink-compiled-budget-');
    smallBudget = writeTestFile(dir, 'tsflink.yaml', `taskmanager.memory: 256k\nio.tmp.dirs: ${dir}\n`);
    try {
      const many = Array.from({ length: 40000 }, (_, i) => [i % 25000, (i * 3) % 7] as [number, number]);
      const [first] = await bothWays((env) => env.fromCollection(many).distinct().collect());
      assert.equal(first!.length, new Set(many.map((p) => `${p[0]},${p[1]}`)).size);
    } finally {
      smallBudget = undefined;
    }
  });
});

describe('which operators are compiled together', () => {
  const planOf = (compile: boolean) => {
    const env = envWith(compile, 2);
    env
      .readCsv(plain, [Types.STRING, Types.LONG], { includedFields: [true, false, true] })
      .map(([k, v]) => [k, v, 1] as [string, number, number])
      .groupBy(0)
      .sum(1)
      .andSum(2)
      .name('Sums')
      .writeCsv(`${dir}/out.csv`);
    return env.pendingLogicalPlan('plan');
  };

  it('the plan lists each run (text and JSON); with the switch off there is none', () => {
    const on = optimize(planOf(true), { compilePipelines: true });
    assert.deepEqual(on.tasks[0]!.compiled, [{ first: 0, last: 2 }]);
    // The final aggregate (a head reading the exchange) and the sink.
    assert.deepEqual(on.tasks[1]!.compiled, [
      { first: 0, last: 0 },
      { first: 1, last: 1 },
    ]);
    assert.match(formatPlan(on, 'text'), /\n {2}compiled: DataSource \(readCsv\) at compiled-pipelines\.test\.ts:\d+ -> Map at compiled-pipelines\.test\.ts:\d+ -> Combine \(Sums\)\n/);
    const nodes = (JSON.parse(formatPlan(on, 'json')) as { nodes: { name: string; compiled?: string }[] }).nodes;
    assert.deepEqual(
      nodes.map((n) => n.compiled ?? null),
      ['0.0', '0.0', '0.0', '1.0', '1.1'],
    );
    const off = optimize(planOf(true), { compilePipelines: false });
    assert.ok(off.tasks.every((t) => t.compiled === undefined));
    assert.doesNotMatch(formatPlan(off, 'text'), /compiled together/);
  });

  it('TSFLINK_COMPILE=0 turns it off for a job', () => {
    const env = envWith(false, 2);
    env
      .readCsv(plain, [Types.STRING, Types.LONG], { includedFields: [true, false, true] })
      .groupBy(0)
      .sum(1)
      .writeCsv(`${dir}/off.csv`);
    assert.doesNotMatch(env.getExecutionPlan(), /"compiled"/);
    const on = envWith(true, 2);
    on.readCsv(plain, [Types.STRING, Types.LONG], { includedFields: [true, false, true] })
      .groupBy(0)
      .sum(1)
      .writeCsv(`${dir}/on.csv`);
    assert.match(on.getExecutionPlan(), /"compiled"/);
  });

  it('runs: a CSV head with a plain dialect, map/filter/project, an aggregate on one field position', () => {
    const runsOf = (build: (env: ExecutionEnvironment) => void): unknown[] => {
      const env = envWith(true, 1);
      build(env);
      return optimize(env.pendingLogicalPlan('runs')).tasks.map((t) => t.compiled ?? []);
    };
    // A comment prefix: the head is read by the general parser; the aggregate alone is still compiled.
    assert.deepEqual(
      runsOf((env) =>
        env
          .readCsv(plain, [Types.STRING, Types.LONG], { includedFields: [true, false, true], ignoreComments: '#' })
          .map((r) => r)
          .groupBy(0)
          .sum(1)
          .writeCsv(`${dir}/a`),
      ),
      [
        [{ first: 1, last: 2 }],
        [
          { first: 0, last: 0 },
          { first: 1, last: 1 },
        ],
      ], // the final aggregate and the CSV sink too
    );
    // A key selector and a map alone: nothing to specialise.
    assert.deepEqual(
      runsOf((env) =>
        env
          .fromElements([1, 'a'] as [number, string])
          .map((r) => r)
          .groupBy((r) => r[1])
          .reduce((a, b) => [a[0] + b[0], a[1]])
          .writeText(`${dir}/b`),
      ),
      [[], []],
    );
  });
});
