/**
 * Bad programs (issue 11, item 5): a mistake in the plan is a PlanError thrown by the call that
 * made it, whose message names that call and its line in the script (`map at job.ts:12: …`);
 * a mistake only a running function can make (an unregistered broadcast name, a key selector
 * returning no key) fails the job the same way at every parallelism, naming the operator.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { type Collector, type DataSet, GroupReduceFunction, JobExecutionError, KeySelector, MapFunction, PlanError, TaskError, Types, WriteMode } from '../../src/index.ts';
import { lineOfNextCall } from '../call-sites.ts';
import { assertSameMultiset, clientEnv, envAt, tempDir } from '../helpers.ts';
import { record, recorded, spyLog } from '../spy.ts';
import { INDEX_TS } from './spawn-script.ts';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Asserts that `f` throws a PlanError whose message starts with `call at bad-programs.test.ts:line: `
 * and returns the message; `line` is by default that of the next call of the method `call` names
 * (`groupBy().reduceGroup`: reduceGroup) from where planErrorAt is called.
 */
function planErrorAt(f: () => unknown, call: string, line = lineOfNextCall(call.split('.').pop()!, 2)): string {
  let message = '';
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof PlanError, `expected a PlanError, got ${String(e)}`);
    message = e.message;
    return true;
  });
  assert.match(message, new RegExp(`^${escapeRegExp(call)} at bad-programs\\.test\\.ts:${line}: `), message);
  return message;
}

/** Asserts that `promise` rejects with a JobExecutionError caused by a TaskError, and returns that. */
async function taskError(promise: Promise<unknown>): Promise<TaskError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof JobExecutionError, `expected a JobExecutionError, got ${String(caught)}`);
  assert.ok(caught.cause instanceof TaskError, `expected a TaskError as the cause, got ${String(caught.cause)}`);
  return caught.cause;
}

describe('execute() with no sink', () => {
  test('names execute() and its line, on a fresh environment and after the sinks ran', async () => {
    const env = envAt(1);
    let line = lineOfNextCall('execute');
    await assert.rejects(env.execute(), (e: unknown) => {
      assert.ok(e instanceof PlanError, String(e));
      assert.match(e.message, new RegExp(`^execute at bad-programs\\.test\\.ts:${line}: No data sinks have been defined`));
      assert.match(e.message, /output\(\), writeText\(\) or writeCsv\(\)/);
      return true;
    });
    env.fromElements(1).output();
    const dir = tempDir();
    env.fromElements(1).writeText(join(dir, 'out'));
    await env.execute();
    line = lineOfNextCall('execute');
    await assert.rejects(env.execute(), (e: unknown) => e instanceof PlanError && e.message.startsWith(`execute at bad-programs.test.ts:${line}: No data sinks`));
    planErrorAt(() => env.getExecutionPlan(), 'getExecutionPlan');
  });

  test("Flink's execute('name') and other bad options name the fix, and the pending sinks stay pending", async () => {
    const env = envAt(1);
    const dir = tempDir();
    env.fromElements(1).writeText(join(dir, 'out'));
    const bad = (v: unknown) => v as never;
    for (const [options, says] of [
      ['My job', /expected options \{ jobName\?, local\? \}, got the string "My job"; use execute\(\{ jobName: "My job" \}\)$/],
      [42, /got the number 42$/],
      [null, /got null$/],
      [{ jobName: 7 }, /jobName must be a non-empty string, got the number 7$/],
      [{ local: 'yes' }, /local must be true or false, got the string "yes"$/],
    ] as const) {
      const line = lineOfNextCall('execute');
      await assert.rejects(env.execute(bad(options)), (e: unknown) => {
        assert.ok(e instanceof PlanError, String(e));
        assert.ok(e.message.startsWith(`execute at bad-programs.test.ts:${line}: `), e.message);
        assert.match(e.message, says);
        return true;
      });
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing ran');
    assert.equal((await env.execute({ jobName: 'My job' })).jobName, 'My job');
    assert.deepEqual(readdirSync(dir), ['out']);
  });
});

describe('a data set of another environment', () => {
  const a = envAt(1);
  const b = envAt(1);
  const mine = a.fromElements<[number, string]>([1, 'a']);
  const otherLine = lineOfNextCall('fromElements');
  const theirs = b.fromElements<[number, string]>([1, 'b']);
  const theirName = `DataSource (fromElements) at bad-programs.test.ts:${otherLine}`;
  const keyed = (x: [number, string]) => x[0];

  const cases: { call: string; line: number; run: () => unknown }[] = [
    { call: 'union', line: lineOfNextCall('union'), run: () => mine.union(theirs) },
    { call: 'join', line: lineOfNextCall('join'), run: () => mine.join(theirs) },
    { call: 'joinWithTiny', line: lineOfNextCall('joinWithTiny'), run: () => mine.joinWithTiny(theirs) },
    { call: 'joinWithHuge', line: lineOfNextCall('joinWithHuge'), run: () => mine.joinWithHuge(theirs) },
    { call: 'leftOuterJoin', line: lineOfNextCall('leftOuterJoin'), run: () => mine.leftOuterJoin(theirs) },
    { call: 'rightOuterJoin', line: lineOfNextCall('rightOuterJoin'), run: () => mine.rightOuterJoin(theirs) },
    { call: 'fullOuterJoin', line: lineOfNextCall('fullOuterJoin'), run: () => mine.fullOuterJoin(theirs) },
    { call: 'coGroup', line: lineOfNextCall('coGroup'), run: () => mine.coGroup(theirs) },
    { call: 'cross', line: lineOfNextCall('cross'), run: () => mine.cross(theirs) },
    { call: 'crossWithTiny', line: lineOfNextCall('crossWithTiny'), run: () => mine.crossWithTiny(theirs) },
    { call: 'crossWithHuge', line: lineOfNextCall('crossWithHuge'), run: () => mine.crossWithHuge(theirs) },
    { call: 'withBroadcastSet', line: lineOfNextCall('withBroadcastSet'), run: () => mine.map((x) => x).withBroadcastSet('b', theirs) },
    { call: 'withBroadcastSet', line: lineOfNextCall('withBroadcastSet'), run: () => mine.map((x) => x).withBroadcastSet(theirs, 'b') },
    { call: 'iterateDelta', line: lineOfNextCall('iterateDelta'), run: () => mine.iterateDelta(theirs, 3, 0) },
    { call: 'closeWith', line: lineOfNextCall('closeWith'), run: () => mine.iterate(3).closeWith(theirs) },
    { call: 'closeWith', line: lineOfNextCall('closeWith'), run: () => mine.iterate(3).closeWith(mine, theirs) },
    { call: 'closeWith', line: lineOfNextCall('closeWith'), run: () => mine.iterateDelta(mine, 3, keyed).closeWith(theirs, mine) },
  ];
  for (const c of cases) {
    test(`${c.call} (line ${c.line}) names the call, its line and the foreign data set`, () => {
      const message = planErrorAt(c.run, c.call, c.line);
      assert.ok(message.includes(`'${theirName}' belongs to another execution environment`), message);
    });
  }

  test('something that is not a data set at all is named as such', () => {
    const notADataSet = [1, 2] as unknown as DataSet<[number, string]>;
    assert.match(
      planErrorAt(() => mine.union(notADataSet), 'union'),
      /expected a DataSet, got an array$/,
    );
    assert.match(
      planErrorAt(() => mine.join(42 as unknown as DataSet<number>), 'join'),
      /expected a DataSet, got the number 42$/,
    );
    assert.match(
      planErrorAt(() => mine.map((x) => x).withBroadcastSet('n', null as unknown as DataSet<number>), 'withBroadcastSet'),
      /got null$/,
    );
  });

  test('each environment still runs its own plan', async () => {
    assertSameMultiset(await mine.union(a.fromElements<[number, string]>([2, 'c'])).collect(), [
      [1, 'a'],
      [2, 'c'],
    ]);
    assertSameMultiset(await theirs.collect(), [[1, 'b']]);
  });
});

describe('a non-function where a function is expected', () => {
  type T = [number, string];
  const env = envAt(1);
  const ds = env.fromElements<T>([1, 'a'], [2, 'b']);
  const grouped = ds.groupBy(0);
  const joined = ds.join(ds).where(0).equalTo(0);
  const crossed = ds.cross(ds);
  // Each bad argument in turn; the call under test is on the line of its case.
  type Bad = never;
  const cases: { call: string; method: string; line: number; run: (bad: Bad) => unknown }[] = [
    { call: 'map', method: 'map', line: lineOfNextCall('map'), run: (bad) => ds.map(bad) },
    { call: 'flatMap', method: 'flatMap', line: lineOfNextCall('flatMap'), run: (bad) => ds.flatMap(bad) },
    { call: 'filter', method: 'filter', line: lineOfNextCall('filter'), run: (bad) => ds.filter(bad) },
    { call: 'mapPartition', method: 'mapPartition', line: lineOfNextCall('mapPartition'), run: (bad) => ds.mapPartition(bad) },
    { call: 'reduce', method: 'reduce', line: lineOfNextCall('reduce'), run: (bad) => ds.reduce(bad) },
    { call: 'reduceGroup', method: 'reduce', line: lineOfNextCall('reduceGroup'), run: (bad) => ds.reduceGroup(bad) },
    { call: 'groupBy().reduce', method: 'reduce', line: lineOfNextCall('reduce'), run: (bad) => grouped.reduce(bad) },
    { call: 'groupBy().reduceGroup', method: 'reduce', line: lineOfNextCall('reduceGroup'), run: (bad) => grouped.reduceGroup(bad) },
    { call: 'groupBy().reduceGroup', method: 'reduce', line: lineOfNextCall('reduceGroup'), run: (bad) => grouped.sortGroup(1, 'ASCENDING').reduceGroup(bad) },
    { call: 'join().using', method: 'join', line: lineOfNextCall('using'), run: (bad) => joined.using(bad) },
    { call: 'leftOuterJoin().using', method: 'join', line: lineOfNextCall('using'), run: (bad) => ds.leftOuterJoin(ds).where(0).equalTo(0).using(bad) },
    { call: 'rightOuterJoin().using', method: 'join', line: lineOfNextCall('using'), run: (bad) => ds.rightOuterJoin(ds).where(0).equalTo(0).using(bad) },
    { call: 'fullOuterJoin().using', method: 'join', line: lineOfNextCall('using'), run: (bad) => ds.fullOuterJoin(ds).where(0).equalTo(0).using(bad) },
    { call: 'coGroup().using', method: 'coGroup', line: lineOfNextCall('using'), run: (bad) => ds.coGroup(ds).where(0).equalTo(0).using(bad) },
    { call: 'cross().using', method: 'cross', line: lineOfNextCall('using'), run: (bad) => crossed.using(bad) },
  ];
  const bads: [string, unknown, RegExp][] = [
    ['42', 42, /got the number 42$/],
    ['null', null, /got null$/],
    ['undefined', undefined, /got undefined$/],
    ['{}', {}, /got a plain object without a \w+\(\) method$/],
    ["'f'", 'f', /got the string "f"$/],
  ];
  for (const c of cases) {
    test(`${c.call} (line ${c.line}) rejects 42, null, undefined, {} and a string at the call`, () => {
      for (const [, bad, tail] of bads) {
        const message = planErrorAt(() => c.run(bad as Bad), c.call, c.line);
        assert.match(message, new RegExp(`expected a function or a \\w+Function \\(an object with a ${c.method}\\(\\) method\\)`), message);
        assert.match(message, tail, message);
      }
    });
  }

  test('a rich-function class instead of its instance is named, with the fix', () => {
    class Doubler extends MapFunction<T, number> {
      map(v: T): number {
        return v[0] * 2;
      }
    }
    const message = planErrorAt(() => ds.map(Doubler as unknown as Doubler), 'map');
    assert.match(message, /the class Doubler itself; pass an instance \(new Doubler\(\)\)/);
  });

  for (const [label, selector] of [
    ['null', null],
    ['{}', {}],
    ['true', true],
  ] as const) {
    test(`a key argument that is neither a position, a name nor a selector (${label}) is named at the call`, () => {
      const bad = selector as unknown as 0;
      const tail = /a key must be a field position, a field name or a key selector \(a function or a KeySelector\), got /;
      assert.match(
        planErrorAt(() => ds.groupBy(bad), 'groupBy'),
        tail,
      );
      assert.match(
        planErrorAt(() => ds.distinct(bad), 'distinct'),
        tail,
      );
      assert.match(
        planErrorAt(() => ds.partitionByHash(bad), 'partitionByHash'),
        tail,
      );
      assert.match(
        planErrorAt(() => ds.join(ds).where(bad), 'join().where'),
        tail,
      );
      assert.match(
        planErrorAt(() => ds.join(ds).where(0).equalTo(bad), 'join().equalTo'),
        tail,
      );
      assert.match(
        planErrorAt(() => ds.coGroup(ds).where(bad), 'coGroup().where'),
        tail,
      );
      assert.match(
        planErrorAt(() => ds.leftOuterJoin(ds).where(bad), 'leftOuterJoin().where'),
        tail,
      );
      assert.match(
        planErrorAt(() => grouped.sortGroup(bad, 'ASCENDING'), 'sortGroup'),
        tail,
      );
      assert.match(
        planErrorAt(() => ds.sortPartition(bad, 'ASCENDING'), 'sortPartition'),
        tail,
      );
      assert.match(
        planErrorAt(() => ds.iterateDelta(ds, 2, bad), 'iterateDelta'),
        tail,
      );
    });
  }

  test('a KeySelector class instead of its instance is named', () => {
    class ById extends KeySelector<T, number> {
      getKey(v: T): number {
        return v[0];
      }
    }
    assert.match(
      planErrorAt(() => ds.groupBy(ById as unknown as ById), 'groupBy'),
      /the class ById itself; pass an instance \(new ById\(\)\)/,
    );
  });

  test('rich-function instances and objects with the method are accepted, and run', async () => {
    class Doubler extends MapFunction<T, number> {
      map(v: T): number {
        return v[0] * 2;
      }
    }
    class Count extends GroupReduceFunction<T, number> {
      reduce(values: Iterable<T>, out: Collector<number>): void {
        out.collect([...values].length);
      }
    }
    class ById extends KeySelector<T, number> {
      getKey(v: T): number {
        return v[0];
      }
    }
    assertSameMultiset(await ds.map(new Doubler()).collect(), [2, 4]);
    assertSameMultiset(await ds.groupBy(new ById()).reduceGroup(new Count()).collect(), [1, 1]);
    const plainRich = { filter: (v: T) => v[0] > 1 } as unknown as (v: T) => boolean;
    assertSameMultiset(await ds.filter(plainRich).collect(), [[2, 'b']]);
    const plainSelector = { getKey: (v: T) => v[1] } as unknown as (v: T) => string;
    assertSameMultiset(await ds.groupBy(plainSelector).reduceGroup(new Count()).collect(), [1, 1]);
  });
});

describe('other plan mistakes name the call and its line too', () => {
  type T = [number, string];
  const env = envAt(1);
  const ds = env.fromElements<T>([1, 'a']);
  const bad = (v: unknown) => v as never;
  const cases: { call: string; line: number; run: () => unknown; says: RegExp }[] = [
    { call: 'setParallelism', line: lineOfNextCall('setParallelism'), run: () => ds.map((x) => x).setParallelism(0), says: /0 is not a positive integer/ },
    { call: 'setParallelism', line: lineOfNextCall('setParallelism'), run: () => env.setParallelism(1.5), says: /1\.5 is not a positive integer/ },
    { call: 'setParallelism', line: lineOfNextCall('setParallelism'), run: () => ds.output().setParallelism(-1), says: /-1 is not a positive integer/ },
    { call: 'setNumberOfExecutionRetries', line: lineOfNextCall('setNumberOfExecutionRetries'), run: () => env.setNumberOfExecutionRetries(-1), says: /-1 is not a non-negative integer/ },
    { call: 'first', line: lineOfNextCall('first'), run: () => ds.first(0), says: /n must be a positive integer, got 0/ },
    { call: 'first', line: lineOfNextCall('first'), run: () => ds.groupBy(0).first(-2), says: /got -2/ },
    { call: 'project', line: lineOfNextCall('project'), run: () => ds.project(), says: /at least one field/ },
    { call: 'project', line: lineOfNextCall('project'), run: () => ds.project(bad(-1)), says: /-1 is not a field position/ },
    { call: 'aggregate', line: lineOfNextCall('aggregate'), run: () => ds.aggregate(bad('MEDIAN'), 0), says: /unknown aggregation MEDIAN/ },
    { call: 'aggregate', line: lineOfNextCall('sum'), run: () => ds.groupBy((t: T) => t[1]).sum(0), says: /not a key selector/ },
    { call: 'sortPartition', line: lineOfNextCall('sortPartition'), run: () => ds.sortPartition(0, bad('UP')), says: /unknown sort order UP/ },
    { call: 'sortGroup', line: lineOfNextCall('sortGroup'), run: () => ds.groupBy(0).sortGroup(1, bad('UP')), says: /unknown sort order UP/ },
    { call: 'groupBy', line: lineOfNextCall('groupBy'), run: () => ds.groupBy(bad(-1)), says: /key position -1 is not a non-negative integer/ },
    { call: 'distinct', line: lineOfNextCall('distinct'), run: () => ds.distinct(bad('a..b')), says: /invalid key expression 'a\.\.b'/ },
    { call: 'join().equalTo', line: lineOfNextCall('equalTo'), run: () => ds.join(ds).where(0, 1).equalTo(0), says: /same number of fields \(2 vs 1\)/ },
    {
      call: 'cross().using',
      line: lineOfNextCall('using'),
      run: () =>
        ds
          .cross(ds)
          .projectFirst(0)
          .using(bad((l: T) => l)),
      says: /using\(\) cannot follow projectFirst\/projectSecond/,
    },
    { call: 'writeText', line: lineOfNextCall('writeText'), run: () => ds.writeText(''), says: /a sink needs a non-empty path, got the string ""/ },
    { call: 'writeCsv', line: lineOfNextCall('writeCsv'), run: () => ds.writeCsv('/tmp/never', { writeMode: bad('SOMETIMES') }), says: /unknown write mode SOMETIMES/ },
    { call: 'readText', line: lineOfNextCall('readText'), run: () => env.readText(bad(undefined)), says: /a non-empty path is required, got undefined/ },
    { call: 'readCsv', line: lineOfNextCall('readCsv'), run: () => env.readCsv('x.csv', [Types.INT, bad('WORD')]), says: /unknown field type WORD/ },
    { call: 'fromCollection', line: lineOfNextCall('fromCollection'), run: () => env.fromCollection(bad(42)), says: /expected an iterable, got the number 42/ },
    { call: 'generateSequence', line: lineOfNextCall('generateSequence'), run: () => env.generateSequence(0, 2 ** 60), says: /bounds must be safe integers/ },
    {
      call: 'registerCustomType',
      line: lineOfNextCall('registerCustomType'),
      run: () => env.registerCustomType(bad(null), { serialize: () => new Uint8Array() }, { deserialize: () => null }),
      says: /expected a class, got null/,
    },
    { call: 'iterate', line: lineOfNextCall('iterate'), run: () => ds.iterate(0), says: /maxIterations must be a positive integer, got 0/ },
    { call: 'iterateDelta', line: lineOfNextCall('iterateDelta'), run: () => ds.iterateDelta(ds, 2), says: /the solution set needs a key/ },
    { call: 'withBroadcastSet', line: lineOfNextCall('withBroadcastSet'), run: () => ds.map((x) => x).withBroadcastSet('', ds), says: /the name must be a non-empty string, got the string ""/ },
  ];
  for (const c of cases) {
    test(`${c.call} (line ${c.line})`, () => {
      assert.match(planErrorAt(c.run, c.call, c.line), c.says);
    });
  }

  test('using() after a projection names the call', () => {
    const projected = ds.join(ds).where(0).equalTo(0).projectFirst(0);
    assert.match(
      planErrorAt(() => projected.using((l) => l), 'join().using'),
      /using\(\) cannot follow projectFirst\/projectSecond/,
    );
  });

  test('closeWith twice names the second call', () => {
    const it = ds.iterate(2);
    it.closeWith(it.map((x) => x));
    assert.match(
      planErrorAt(() => it.closeWith(it), 'closeWith'),
      /this iteration is already closed/,
    );
  });
});

describe('a broadcast set read under a name never registered', () => {
  class ReadsX extends MapFunction<number, number> {
    map(v: number): number {
      return v + this.context.getBroadcastVariable<number>('x').length;
    }
  }
  for (const p of [1, 2]) {
    test(`fails the job naming the operator, the name and the registered names at p=${p}`, async () => {
      const env = envAt(p);
      const line = lineOfNextCall('map');
      const mapped = env.fromElements(1, 2, 3).map(new ReadsX()).withBroadcastSet('y', env.fromElements(9)).withBroadcastSet('z', env.fromElements(8));
      const e = await taskError(mapped.collect());
      assert.equal(e.operator, `Map at bad-programs.test.ts:${line}`);
      assert.match(e.message, /getBroadcastVariable\('x'\): no broadcast set named 'x' was registered on this operator with withBroadcastSet\(name, dataSet\) \(registered: 'y', 'z'\)$/);
    });

    test(`with none registered it says so, the same at p=${p}`, async () => {
      const env = envAt(p);
      const line = lineOfNextCall('map');
      const e = await taskError(env.fromElements(1, 2, 3).map(new ReadsX()).collect());
      assert.equal(e.operator, `Map at bad-programs.test.ts:${line}`);
      assert.match(e.message, /\(registered: none\)$/);
    });

    test(`a set registered on the operator before is not this operator's, even when both run in one task, at p=${p}`, async () => {
      const env = envAt(p);
      const first = env
        .fromElements(1, 2, 3)
        .map((v: number) => v)
        .withBroadcastSet('x', env.fromElements(7));
      const line = lineOfNextCall('map');
      const e = await taskError(first.map(new ReadsX()).collect());
      assert.equal(e.operator, `Map at bad-programs.test.ts:${line}`);
      assert.match(e.message, /\(registered: none\)$/);
    });
  }
});

describe('a key selector that returns no key', () => {
  const bads: [string, (x: number) => unknown, string][] = [
    ['undefined', () => undefined, 'undefined'],
    ['NaN', (x) => x * Number.NaN, 'NaN'],
    ['a function', (x) => () => x, 'a function'],
    ['a symbol', () => Symbol('k'), 'a symbol'],
    ['a tuple holding undefined', (x) => [x, undefined], 'a tuple holding undefined'],
    ['an object holding a function', (x) => ({ id: x, then: () => x }), "an object holding a function in 'then'"],
  ];
  const reason = 'a key must be a string, a number (not NaN), a boolean, a bigint, null, bytes, a tuple of these, an object or a registered custom type';
  for (const p of [1, 2]) {
    for (const [label, selector, returned] of bads) {
      test(`returning ${label} fails reduceGroup, reduce and join naming the operator and the record at p=${p}`, async () => {
        const env = envAt(p);
        const ds = env.fromElements(10, 20, 30);
        let line = lineOfNextCall('reduceGroup');
        const grouped = ds.groupBy(selector).reduceGroup((vs: Iterable<number>, out: Collector<number>) => out.collect([...vs].length));
        let e = await taskError(grouped.collect());
        assert.equal(e.operator, `GroupReduce at bad-programs.test.ts:${line}`);
        assert.match(e.message, new RegExp(`the key selector returned ${escapeRegExp(returned)} for the record (10|20|30); ${escapeRegExp(reason)}$`));

        // A combinable reduce reads the key first in its combiner (where p=2 used to fail on a function key).
        line = lineOfNextCall('reduce');
        const summed = ds.groupBy(selector).reduce((x, y) => x + y);
        e = await taskError(summed.collect());
        assert.equal(e.operator, `Combine (Reduce at bad-programs.test.ts:${line})`);
        assert.match(e.message, new RegExp(`the key selector returned ${escapeRegExp(returned)} for the record (10|20|30); `));

        line = lineOfNextCall('equalTo');
        const joined = ds
          .join(env.fromElements(10, 20))
          .where(selector)
          .equalTo((x: number) => x);
        e = await taskError(joined.collect());
        assert.equal(e.operator, `Join at bad-programs.test.ts:${line}`);
        assert.match(e.message, new RegExp(`the key selector returned ${escapeRegExp(returned)} for the record (10|20|30); `));
      });
    }

    test(`keys of every key type still group by value at p=${p}`, async () => {
      const env = envAt(p);
      const ds = env.fromElements(1, 2, 3, 4, 5, 6);
      const count = (vs: Iterable<number>, out: Collector<number>) => out.collect([...vs].length);
      assertSameMultiset(
        await ds
          .groupBy((x: number) => (x % 2 === 0 ? null : 'odd'))
          .reduceGroup(count)
          .collect(),
        [3, 3],
      );
      assertSameMultiset(
        await ds
          .groupBy((x: number) => [x % 2, x % 3 === 0])
          .reduceGroup(count)
          .collect(),
        [2, 1, 2, 1],
      );
      assertSameMultiset(
        await ds
          .groupBy((x: number) => BigInt(x % 3))
          .reduceGroup(count)
          .collect(),
        [2, 2, 2],
      );
      assertSameMultiset(
        await ds
          .groupBy((x: number) => ({ half: x > 3 }))
          .reduceGroup(count)
          .collect(),
        [3, 3],
      );
    });
  }
});

describe('a sink writing where a source of the same job reads', () => {
  /** Asserts that `run` throws the PlanError naming both operators. */
  function assertRefused(run: () => unknown, sinkLine: number, sourceLine: number, sinkKind: string, sourceKind: string, how: RegExp): void {
    assert.throws(run, (e: unknown) => {
      assert.ok(e instanceof PlanError, String(e));
      assert.ok(e.message.includes(`'DataSink (${sinkKind}) at bad-programs.test.ts:${sinkLine}'`), e.message);
      assert.ok(e.message.includes(`'DataSource (${sourceKind}) at bad-programs.test.ts:${sourceLine}'`), e.message);
      assert.match(e.message, how);
      assert.match(e.message, /write the output to another path$/);
      return true;
    });
  }

  for (const p of [1, 2]) {
    test(`writeCsv to the file readCsv reads (OVERWRITE) is refused before anything runs at p=${p}`, async () => {
      const dir = tempDir();
      const input = join(dir, 'in.csv');
      writeFileSync(input, 'a,1\nb,2\n');
      const env = envAt(p);
      const calls = spyLog();
      const sourceLine = lineOfNextCall('readCsv');
      const rows = env.readCsv(input, [Types.STRING, Types.INT]).map((r) => {
        record(calls, r);
        return r;
      });
      const sinkLine = lineOfNextCall('writeCsv');
      rows.writeCsv(input, { writeMode: WriteMode.OVERWRITE });
      let caught: unknown;
      await env.execute().catch((e: unknown) => (caught = e));
      assert.ok(caught instanceof PlanError, String(caught));
      assertRefused(
        () => {
          throw caught;
        },
        sinkLine,
        sourceLine,
        'writeCsv',
        'readCsv',
        new RegExp(`writes to '${escapeRegExp(input)}', which is the input '${escapeRegExp(input)}'`),
      );
      assert.deepEqual(recorded(calls), [], 'no task ran');
      assert.equal(readFileSync(input, 'utf8'), 'a,1\nb,2\n', 'the input is untouched');
      assert.deepEqual(readdirSync(dir), ['in.csv']);
    });
  }

  test('writeText into the input directory, a sink directory holding the input, file:// and relative spellings, a symbolic link', async () => {
    const dir = tempDir();
    const inDir = join(dir, 'in');
    mkdirSync(inDir);
    const input = join(inDir, 'part');
    writeFileSync(input, 'x\ny\n');
    symlinkSync(inDir, join(dir, 'link'));

    let env = envAt(1);
    let sourceLine = lineOfNextCall('readText');
    let text = env.readText(inDir);
    let sinkLine = lineOfNextCall('writeText');
    text.writeText(join(inDir, 'out'));
    assertRefused(() => env.getExecutionPlan(), sinkLine, sourceLine, 'writeText', 'readText', /which is inside the input directory/);

    env = envAt(2);
    sourceLine = lineOfNextCall('readText');
    text = env.readText(input);
    sinkLine = lineOfNextCall('writeText');
    text.writeText(inDir, WriteMode.OVERWRITE);
    assertRefused(() => env.getExecutionPlan(), sinkLine, sourceLine, 'writeText', 'readText', /which is a directory holding the input/);

    env = envAt(1);
    sourceLine = lineOfNextCall('readText');
    text = env.readText(pathToFileURL(input).href);
    sinkLine = lineOfNextCall('writeText');
    text.writeText(relative(process.cwd(), input), WriteMode.OVERWRITE);
    assertRefused(() => env.getExecutionPlan(), sinkLine, sourceLine, 'writeText', 'readText', /which is the input/);

    env = envAt(1);
    sourceLine = lineOfNextCall('readText');
    text = env.readText(join(dir, 'link', 'part'));
    sinkLine = lineOfNextCall('writeText');
    text.writeText(input, WriteMode.OVERWRITE);
    assertRefused(() => env.getExecutionPlan(), sinkLine, sourceLine, 'writeText', 'readText', /which is the input/);

    // collect() builds the same plan: refused too.
    env = envAt(1);
    env.readText(input).writeText(input, WriteMode.OVERWRITE);
    await assert.rejects(env.fromElements(1).collect(), PlanError);
    assert.deepEqual(readdirSync(dir).sort(), ['in', 'link']);
    assert.deepEqual(readdirSync(inDir), ['part']);
    assert.equal(readFileSync(input, 'utf8'), 'x\ny\n');
  });

  test('two sinks of one job on one path are refused; neighbours and later jobs are fine', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'x\n');
    let env = envAt(1);
    const lines = env.readText(input);
    const first = lineOfNextCall('writeText');
    lines.writeText(join(dir, 'out'));
    const second = lineOfNextCall('writeText');
    lines.map((l) => l.toUpperCase()).writeText(join(dir, 'out'));
    assert.throws(
      () => env.getExecutionPlan(),
      (e: unknown) =>
        e instanceof PlanError && e.message.includes(`'DataSink (writeText) at bad-programs.test.ts:${first}' and 'DataSink (writeText) at bad-programs.test.ts:${second}' write to overlapping paths`),
    );

    // A name that merely starts like the input is another path; a later job may read what an earlier one wrote.
    env = envAt(2);
    env.readText(input).writeText(`${input}.out`);
    await env.execute();
    env.readText(`${input}.out`).writeText(join(dir, 'again'));
    await env.execute();
    assertSameMultiset(
      readdirSync(join(dir, 'again')).flatMap((f) =>
        readFileSync(join(dir, 'again', f), 'utf8')
          .split('\n')
          .filter((l) => l !== ''),
      ),
      ['x'],
    );
  });
});

describe('through the tsflink CLI (worker threads at p=2)', () => {
  const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const TSX = import.meta.resolve('tsx');

  /** `tsflink run -p 2 <name>.mts` of a script whose first line imports the API: exit code and stderr. */
  function tsflinkRun(dir: string, name: string, body: string): { status: number | null; stderr: string } {
    writeFileSync(join(dir, `${name}.mts`), `import { getEnvironment } from ${JSON.stringify(INDEX_TS)};\n${body}\n`);
    const env = clientEnv();
    for (const k of Object.keys(env)) if (k.startsWith('TSFLINK_')) delete env[k];
    // --quiet: a job slower than 3 s (a loaded machine) would add progress lines to stderr (test/cli/progress.test.ts covers them).
    const r = spawnSync(process.execPath, ['--import', TSX, MAIN, 'run', '-q', '-p', '2', `${name}.mts`], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    if (r.error) throw r.error;
    return { status: r.status, stderr: r.stderr };
  }

  test('a plan mistake and a bad key name the line of the script, exit 1, one line on stderr', () => {
    const dir = tempDir();
    let r = tsflinkRun(dir, 'no-fn', `const env = getEnvironment();\nenv.fromElements(1, 2).map(42).output();\nawait env.execute();`);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, 'tsflink: PlanError: map at no-fn.mts:3: expected a function or a MapFunction (an object with a map() method), got the number 42\n');

    r = tsflinkRun(dir, 'no-sink', `const env = getEnvironment();\nenv.fromElements(1, 2).map((x) => x);\nawait env.execute();`);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^tsflink: PlanError: execute at no-sink\.mts:4: No data sinks have been defined/);

    r = tsflinkRun(
      dir,
      'no-key',
      `const env = getEnvironment();\nconst counts = env.generateSequence(1, 1000).groupBy((x) => (x === 700 ? undefined : x % 7)).reduceGroup((vs, out) => out.collect([...vs].length));\nawait counts.collect();`,
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^tsflink: JobExecutionError: Job '[^']+' failed: Operator 'GroupReduce at no-key\.mts:3': the key selector returned undefined for the record 700; /);
    assert.deepEqual(readdirSync(dir).sort(), ['no-fn.mts', 'no-key.mts', 'no-sink.mts']);
  });
});
