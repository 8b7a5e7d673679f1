/**
 * Errors: every failure is a clear error naming the operator, the cause and, where it helps,
 * the input (file and line of a bad CSV row, the record — truncated — of a throwing function);
 * a failed job leaves outputs untouched.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type Collector, InputFormatError, InputPathError, JobExecutionError, MapFunction, PlanError, TaskError, TsflinkError, Types, UserFunctionError, WriteMode } from '../../src/index.ts';
import { lineOfNextCall } from '../call-sites.ts';
import { envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { record, recorded, spyLog } from '../spy.ts';
import { lines, runScript } from './spawn-script.ts';

/** Asserts that `promise` rejects with a JobExecutionError and returns it. */
async function jobError(promise: Promise<unknown>): Promise<JobExecutionError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof JobExecutionError, `expected a JobExecutionError, got ${String(caught)}`);
  return caught;
}

function csvFile(text: string): string {
  const path = join(tempDir(), 'bad.csv');
  writeFileSync(path, text);
  return path;
}

describe('malformed CSV', () => {
  for (const p of PARALLELISMS) {
    test(`a wrong field count names file and line, and the counts, at p=${p}`, async () => {
      const path = csvFile('a,1\nb,2\nc\n');
      const e = await jobError(envAt(p).readCsv(path, [Types.STRING, Types.INT]).collect());
      assert.ok(e.cause instanceof InputFormatError);
      assert.equal(e.cause.file, path);
      assert.equal(e.cause.line, 3);
      assert.ok(e.message.includes(`${path}:3`), e.message);
      assert.match(e.message, /expected 2 fields but found 1/);
    });

    test(`too many fields at p=${p}`, async () => {
      const path = csvFile('a,1,extra\n');
      const e = await jobError(envAt(p).readCsv(path, [Types.STRING, Types.INT]).collect());
      assert.ok(e.message.includes(`${path}:1`), e.message);
      assert.match(e.message, /expected 2 fields but found 3/);
    });

    test(`a non-numeric INT names file, line, field and value at p=${p}`, async () => {
      const path = csvFile('a,1\nb,2\nc,3\nd,four\n');
      const e = await jobError(envAt(p).readCsv(path, [Types.STRING, Types.INT]).collect());
      assert.ok(e.cause instanceof InputFormatError);
      assert.deepEqual([e.cause.file, e.cause.line, e.cause.field], [path, 4, 2]);
      assert.ok(e.message.includes(`${path}:4, field 2`), e.message);
      assert.match(e.message, /'four'/);
      assert.match(e.message, /INT/);
    });

    test(`an unclosed quote names file, line and field at p=${p}`, async () => {
      const path = csvFile('a,1\nb,"2\nc,3\n');
      const e = await jobError(envAt(p).readCsv(path, [Types.STRING, Types.INT]).collect());
      assert.ok(e.cause instanceof InputFormatError);
      assert.deepEqual([e.cause.file, e.cause.line, e.cause.field], [path, 2, 2]);
      assert.ok(e.message.includes(`${path}:2, field 2`), e.message);
      assert.match(e.message, /quote/);
    });
  }

  test('other bad values: DOUBLE, BOOL, a line number after a multi-line quoted field', async () => {
    let e = await jobError(envAt(1).readCsv(csvFile('1.5\nx.5\n'), [Types.DOUBLE]).collect());
    assert.match(e.message, /:2, field 1/);
    e = await jobError(envAt(1).readCsv(csvFile('true\nyes\n'), [Types.BOOL]).collect());
    assert.match(e.message, /:2, field 1: .*'yes'/);
    e = await jobError(envAt(1).readCsv(csvFile('"multi\nline",1\nx,y\n'), [Types.STRING, Types.INT]).collect());
    assert.match(e.message, /:3, field 2/);
  });

  test('a bad row fails the job: no output is left', async () => {
    const dir = tempDir();
    const path = join(dir, 'in.csv');
    writeFileSync(path, `${Array.from({ length: 500 }, (_, i) => `k${i},${i}`).join('\n')}\nbad,row\n`);
    const env = envAt(4);
    env.readCsv(path, [Types.STRING, Types.INT]).writeCsv(join(dir, 'out'));
    await jobError(env.execute());
    assert.deepEqual(readdirSync(dir), ['in.csv']);
  });
});

describe('missing input path', () => {
  for (const [what, source] of [
    ['readText', (env: ReturnType<typeof envAt>, path: string) => env.readText(path)],
    ['readCsv', (env: ReturnType<typeof envAt>, path: string) => env.readCsv(path, [Types.STRING]).map((t) => t[0])],
  ] as const) {
    test(`${what}: an error naming the path before anything runs; a sink of the same job is untouched`, async () => {
      const dir = tempDir();
      const missing = join(dir, 'no-such-input.txt');
      const kept = join(dir, 'kept.txt');
      writeFileSync(kept, 'old\n');
      const env = envAt(4);
      // Logged from wherever the map would run (worker threads at p=4).
      const calls = spyLog();
      env
        .generateSequence(1, 10)
        .map((x) => {
          record(calls, x);
          return x;
        })
        .writeText(kept, WriteMode.OVERWRITE);
      env.generateSequence(1, 3).writeText(join(dir, 'fresh'));
      source(env, missing).writeText(join(dir, 'out'));
      await assert.rejects(env.execute(), (e: unknown) => {
        assert.ok(e instanceof InputPathError, String(e));
        assert.ok(e.message.includes(missing), e.message);
        return true;
      });
      assert.deepEqual(recorded(calls), [], 'no task ran');
      assert.equal(readFileSync(kept, 'utf8'), 'old\n');
      assert.deepEqual(readdirSync(dir).sort(), ['kept.txt']);
    });
  }

  test('collect() of a missing input fails the same way', async () => {
    await assert.rejects(envAt(1).readText(join(tempDir(), 'nope')).collect(), InputPathError);
  });
});

describe('a throwing user function', () => {
  for (const p of PARALLELISMS) {
    test(`fails the job naming the operator (default name: kind at file:line) and the record at p=${p}`, async () => {
      const dir = tempDir();
      const env = envAt(p);
      const boom = new Error('cannot handle 13');
      const line = lineOfNextCall('map');
      const mapped = env.generateSequence(1, 20).map((x): [number, string] => {
        if (x === 13) throw boom;
        return [x, `v${x}`];
      });
      mapped.writeText(join(dir, 'out'));
      const e = await jobError(env.execute());
      assert.ok(e instanceof TsflinkError);
      assert.ok(e.cause instanceof UserFunctionError, String(e.cause));
      // The original error is the cause: the very object in this thread, a copy from a worker thread.
      if (p === 1) assert.equal(e.cause.cause, boom, 'the original error is the cause');
      else assert.ok(e.cause.cause instanceof Error && e.cause.cause.message === boom.message, 'a copy of the original error is the cause');
      assert.equal(e.cause.operator, `Map at errors.test.ts:${line}`);
      assert.equal(e.cause.record, '13');
      assert.ok(e.message.includes(`Map at errors.test.ts:${line}`), e.message);
      assert.match(e.message, /cannot handle 13/);
      assert.match(e.message, /record 13\b/);
      assert.deepEqual(readdirSync(dir), [], 'no partial output');
    });

    test(`a custom name() is the operator's name in the error at p=${p}`, async () => {
      const env = envAt(p);
      const e = await jobError(
        env
          .fromElements<[string, number]>(['a', 1], ['b', 2])
          .rebalance()
          .filter((t) => {
            if (t[0] === 'b') throw new TypeError('no b allowed');
            return true;
          })
          .name('drop the bad ones')
          .collect(),
      );
      assert.ok(e.cause instanceof UserFunctionError);
      assert.equal(e.cause.operator, 'drop the bad ones');
      assert.ok(e.cause.cause instanceof TypeError);
      assert.match(e.message, /'drop the bad ones'/);
      assert.match(e.message, /\(b,2\)/);
      assert.match(e.message, /no b allowed/);
    });
  }

  test('a huge record is truncated in the message', async () => {
    const huge = 'x'.repeat(100_000);
    const e = await jobError(
      envAt(1)
        .fromElements(huge)
        .map((): number => {
          throw new Error('too big');
        })
        .collect(),
    );
    assert.ok(e.cause instanceof UserFunctionError);
    assert.ok(e.message.length < 2000, `message of ${e.message.length} chars`);
    assert.ok(e.cause.record!.length < 1000);
    assert.ok(e.cause.record!.startsWith('"xxxx'));
    assert.match(e.message, /too big/);
  });

  test('a nested huge tuple is truncated too', async () => {
    const big: [number, number[]] = [1, Array.from({ length: 50_000 }, (_, i) => i)];
    const e = await jobError(
      envAt(2)
        .fromElements(big)
        .flatMap((): number[] => {
          throw new Error('flat');
        })
        .collect(),
    );
    assert.ok(e.message.length < 2000);
    assert.match(e.message, /FlatMap at errors\.test\.ts:\d+/);
    assert.match(e.message, /\(1,\(0,1,2,3/);
  });

  test('a non-Error thrown value is reported too', async () => {
    const e = await jobError(
      envAt(1)
        .fromElements(1)
        .map(() => {
          throw 'a plain string';
        })
        .collect(),
    );
    assert.ok(e.cause instanceof UserFunctionError);
    assert.match(e.message, /a plain string/);
  });

  for (const p of PARALLELISMS) {
    test(`other function kinds name their operator: reduce, reduceGroup, key selector, join, open() at p=${p}`, async () => {
      const env = envAt(p);
      const pairs = env.fromElements<[string, number]>(['a', 1], ['a', 2], ['b', 3]);

      let e = await jobError(
        pairs
          .groupBy(0)
          .reduce(() => {
            throw new Error('reduce failed');
          })
          .name('the reduce')
          .collect(),
      );
      assert.match(e.message, /the reduce/);
      assert.match(e.message, /reduce failed/);

      e = await jobError(
        pairs
          .groupBy(0)
          .reduceGroup((_values: Iterable<[string, number]>, _out: Collector<number>) => {
            throw new Error('group failed');
          })
          .name('the group reduce')
          .collect(),
      );
      assert.match(e.message, /the group reduce/);
      assert.match(e.message, /group failed/);

      e = await jobError(
        pairs
          .groupBy((t: [string, number]) => {
            if (t[1] === 3) throw new Error('no key for 3');
            return t[0];
          })
          .reduceGroup((values: Iterable<[string, number]>, out: Collector<number>) => out.collect([...values].length))
          .collect(),
      );
      assert.ok(e.cause instanceof UserFunctionError);
      assert.match(e.message, /no key for 3/);
      assert.match(e.message, /\(b,3\)/);

      e = await jobError(
        pairs
          .join(pairs)
          .where(0)
          .equalTo(0)
          .using((): number => {
            throw new Error('join failed');
          })
          .name('the join')
          .collect(),
      );
      assert.match(e.message, /the join/);
      assert.match(e.message, /join failed/);

      class FailingOpen extends MapFunction<number, number> {
        override open(): void {
          throw new Error('open failed');
        }
        map(v: number): number {
          return v;
        }
      }
      e = await jobError(env.fromElements(1).map(new FailingOpen()).name('opens badly').collect());
      assert.ok(e.cause instanceof UserFunctionError);
      assert.match(e.message, /opens badly/);
      assert.match(e.message, /open failed/);
    });
  }
});

describe('a key position out of range at run time (untyped data)', () => {
  for (const p of PARALLELISMS) {
    test(`groupBy names the grouping operator at p=${p}`, async () => {
      const env = envAt(p);
      const rows = env.fromElements<unknown[]>([1, 'a'], [2], [3, 'c']);
      const line = lineOfNextCall('reduceGroup');
      const grouped = rows.groupBy(1).reduceGroup((values: Iterable<unknown[]>, out: Collector<number>) => out.collect([...values].length));
      const e = await jobError(grouped.collect());
      assert.ok(e.cause instanceof TaskError, String(e.cause));
      assert.equal(e.cause.operator, `GroupReduce at errors.test.ts:${line}`);
      assert.match(e.message, /key position 1 is out of range/);
      assert.match(e.message, /\(2\)/);
    });

    test(`a named reduce and a join name themselves at p=${p}`, async () => {
      const env = envAt(p);
      const rows = env.fromElements<unknown[]>([1, 'a'], [2]);
      let e = await jobError(
        rows
          .groupBy(1)
          .reduce((a) => a)
          .name('reduce on 1')
          .collect(),
      );
      assert.ok(e.cause instanceof TaskError, String(e.cause));
      // The reduce or its combiner (`Combine (reduce on 1)`), which reads the key first.
      assert.match(e.cause.operator, /reduce on 1/);
      e = await jobError(rows.join(rows).where(1).equalTo(0).name('join on 1').collect());
      assert.ok(e.cause instanceof TaskError, String(e.cause));
      assert.equal(e.cause.operator, 'join on 1');
      assert.match(e.message, /key position 1/);
    });
  }
});

describe('error classes', () => {
  test('every error is a TsflinkError with its own class name', () => {
    for (const E of [PlanError, InputPathError, InputFormatError, UserFunctionError, TaskError, JobExecutionError]) {
      assert.ok(E.prototype instanceof TsflinkError);
    }
    const cause = new Error('x');
    const u = new UserFunctionError('op', '(1)', cause);
    const j = new JobExecutionError('job', u);
    assert.equal(j.name, 'JobExecutionError');
    assert.equal(u.name, 'UserFunctionError');
    assert.equal(j.cause, u);
    assert.equal(u.cause, cause);
    assert.equal(j.jobName, 'job');
  });

  test('plan mistakes are PlanErrors raised when the plan is built', () => {
    const env = envAt(1);
    const ds = env.fromElements<[number, number]>([1, 2]);
    assert.throws(() => ds.groupBy(-1 as 0), PlanError);
    assert.throws(() => ds.first(0), PlanError);
    assert.throws(() => ds.map(42 as unknown as (x: [number, number]) => number), PlanError);
    assert.throws(() => ds.writeText(''), PlanError);
  });

  test('a failed job leaves an existing target untouched and no output of the other sinks', async () => {
    const dir = tempDir();
    const target = join(dir, 'target');
    writeFileSync(target, 'before\n');
    const env = envAt(4);
    const ds = env.generateSequence(1, 100).map((x) => {
      if (x === 50) throw new Error('half way');
      return x;
    });
    ds.writeText(target, WriteMode.OVERWRITE);
    ds.writeCsv(join(dir, 'second'));
    await jobError(env.execute());
    assert.equal(readFileSync(target, 'utf8'), 'before\n');
    assert.equal(existsSync(join(dir, 'second')), false);
    assert.deepEqual(readdirSync(dir), ['target']);
  });
});

describe('in a separate program at p=4 (worker threads where the engine uses them)', () => {
  test('a throwing function and a key out of range name their operators', () => {
    const dir = tempDir();
    const r = runScript(
      dir,
      'fails',
      ['getEnvironment'],
      `const env = getEnvironment();
env.setParallelism(4);
const rows = env.fromElements([1, 'a'], [2], [3, 'c']).rebalance();
const grouped = rows.groupBy(1).reduceGroup((vs, out) => out.collect([...vs].length));
try {
  await grouped.collect();
} catch (e) {
  console.log('1: ' + e.message);
}
const mapped = env.generateSequence(1, 100).map((x) => { if (x === 42) throw new Error('no 42'); return x; });
try {
  await mapped.collect();
} catch (e) {
  console.log('2: ' + e.constructor.name + ' ' + e.cause?.constructor.name + ' ' + e.message);
}`,
    );
    assert.equal(r.status, 0, r.stderr);
    const [first, second] = lines(r.stdout);
    assert.match(first!, /GroupReduce at fails\.mts:5/);
    assert.match(first!, /key position 1 is out of range/);
    assert.match(second!, /^2: JobExecutionError UserFunctionError /);
    assert.match(second!, /Map at fails\.mts:11/);
    assert.match(second!, /record 42\b/);
    assert.match(second!, /no 42/);
  });
});
