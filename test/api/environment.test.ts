/** The environment, and configuration as the environment sees it. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ExecutionEnvironment, getEnvironment, IntCounter, MapFunction, PlanError, type RuntimeContext, Types } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { record, recorded, spyLog } from '../spy.ts';
import { runScript } from './spawn-script.ts';

/** Runs `fn` with the environment variables set (undefined: removed), restoring them afterwards. */
function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

/** Environment variables that would make a child ignore the configuration under test. */
const CLEAN = { TSFLINK_PARALLELISM: undefined, TSFLINK_CONF: undefined, TSFLINK_TARGET: undefined, TSFLINK_JOBMANAGER: undefined };

/** Tags every element with the number of parallel instances of the operator that saw it. */
class TagParallelism extends MapFunction<number, [number, number]> {
  map(v: number): [number, number] {
    return [this.context.getNumberOfParallelSubtasks(), v];
  }
}

describe('getEnvironment', () => {
  test('returns a new, independent environment per call', async () => {
    const a = getEnvironment();
    const b = getEnvironment();
    assert.ok(a instanceof ExecutionEnvironment);
    assert.notEqual(a, b);
    a.setParallelism(3);
    b.setParallelism(1);
    assert.equal(a.getParallelism(), 3);
    assert.equal(b.getParallelism(), 1);
    a.setNumberOfExecutionRetries(2);
    assert.equal(b.getNumberOfExecutionRetries(), 0);

    const dir = tempDir();
    a.fromElements('a').writeText(join(dir, 'a.txt')).setParallelism(1);
    b.fromElements('b').writeText(join(dir, 'b.txt')).setParallelism(1);
    await b.execute();
    assert.equal(existsSync(join(dir, 'a.txt')), false, "b's execute() must not run a's sink");
    assert.equal(readFileSync(join(dir, 'b.txt'), 'utf8'), 'b\n');
    await a.execute();
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'a\n');
  });

  test('data sets of two environments cannot be combined', () => {
    const a = getEnvironment().fromElements(1, 2);
    const b = getEnvironment().fromElements(3);
    assert.throws(() => a.union(b), PlanError);
  });
});

describe('parallelism', () => {
  for (const p of [1, 3, 4]) {
    test(`setParallelism(${p}) is what getParallelism() returns and what operators run with`, async () => {
      const env = getEnvironment();
      env.setParallelism(p);
      assert.equal(env.getParallelism(), p);
      const tagged = await env.generateSequence(1, 40).map(new TagParallelism()).collect();
      assert.equal(tagged.length, 40);
      assert.deepEqual(new Set(tagged.map(([n]) => n)), new Set([p]));
      const partitions = await env.generateSequence(1, 40).countElementsPerPartition().collect();
      assert.deepEqual(
        partitions.map(([i]) => i).sort(),
        Array.from({ length: p }, (_, i) => i),
      );
      assert.equal(
        partitions.reduce((s, [, c]) => s + c, 0),
        40,
      );
    });
  }

  test('setParallelism rejects what is not a positive integer', () => {
    const env = getEnvironment();
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => env.setParallelism(bad), PlanError, String(bad));
  });

  test('the default is the number of cores when nothing is configured', () => {
    const dir = tempDir();
    const r = runScript(dir, 'cores', ['getEnvironment'], 'process.stdout.write(String(getEnvironment().getParallelism()));', CLEAN);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, String(os.availableParallelism()));
  });

  test('the default is parallelism.default of ./tsflink.yaml', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tsflink.yaml'), 'parallelism.default: 3\n');
    const r = runScript(dir, 'yaml', ['getEnvironment'], 'process.stdout.write(String(getEnvironment().getParallelism()));', CLEAN);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '3');
  });

  test('TSFLINK_CONF names the configuration file', () => {
    const dir = tempDir();
    const conf = join(dir, 'other.yaml');
    writeFileSync(conf, 'parallelism.default: 6\n');
    const r = runScript(dir, 'conf', ['getEnvironment'], 'process.stdout.write(String(getEnvironment().getParallelism()));', { ...CLEAN, TSFLINK_CONF: conf });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '6');
  });

  test('TSFLINK_PARALLELISM overrides the configuration file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tsflink.yaml'), 'parallelism.default: 3\n');
    const r = runScript(dir, 'envvar', ['getEnvironment'], 'process.stdout.write(String(getEnvironment().getParallelism()));', { ...CLEAN, TSFLINK_PARALLELISM: '5' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '5');
  });

  test('TSFLINK_PARALLELISM changes getParallelism() and the parallelism jobs run with', async () => {
    const env = withEnv({ TSFLINK_PARALLELISM: '2', TSFLINK_CONF: undefined }, () => getEnvironment());
    assert.equal(env.getParallelism(), 2);
    const tagged = await env.generateSequence(1, 10).map(new TagParallelism()).collect();
    assert.deepEqual(new Set(tagged.map(([n]) => n)), new Set([2]));
    // An explicit setParallelism still wins.
    env.setParallelism(3);
    assert.equal(env.getParallelism(), 3);
  });
});

describe('settings', () => {
  test('setNumberOfExecutionRetries: default 0, settable, non-negative integers only', () => {
    const env = getEnvironment();
    assert.equal(env.getNumberOfExecutionRetries(), 0);
    env.setNumberOfExecutionRetries(3);
    assert.equal(env.getNumberOfExecutionRetries(), 3);
    env.setNumberOfExecutionRetries(0);
    assert.equal(env.getNumberOfExecutionRetries(), 0);
    for (const bad of [-1, 0.5]) assert.throws(() => env.setNumberOfExecutionRetries(bad), PlanError);
  });

  test('registerCustomType checks its arguments', () => {
    class P {}
    const env = getEnvironment();
    const ser = { serialize: () => new Uint8Array() };
    const de = { deserialize: () => new P() };
    assert.throws(() => env.registerCustomType(null as unknown as typeof P, ser, de), PlanError);
    assert.throws(() => env.registerCustomType(P, {} as typeof ser, de), PlanError);
    assert.throws(() => env.registerCustomType(P, ser, {} as typeof de), PlanError);
    env.registerCustomType(P, ser, de);
  });

  test('source arguments are checked when the source is defined', () => {
    const env = getEnvironment();
    assert.throws(() => env.readText(''), PlanError);
    assert.throws(() => env.readCsv('x.csv', []), PlanError);
    assert.throws(() => env.readCsv('x.csv', ['INT', 'WORD'] as unknown as ['INT']), PlanError);
    assert.throws(() => env.readCsv('x.csv', [Types.INT], { includedFields: [true, true] }), PlanError);
    assert.throws(() => env.fromCollection(42 as unknown as Iterable<number>), PlanError);
    assert.throws(() => env.generateSequence(0, 2 ** 60), PlanError);
  });
});

describe('laziness (nothing is read or computed before execute)', () => {
  test('a source path is read when the job runs, not when it is defined', async () => {
    const dir = tempDir();
    const input = join(dir, 'later.txt');
    const env = getEnvironment();
    const lines = env.readText(input); // does not exist yet: no error now
    const csv = env.readCsv(join(dir, 'later.csv'), [Types.INT]);
    writeFileSync(input, 'written after the plan\n');
    writeFileSync(join(dir, 'later.csv'), '7\n');
    assert.deepEqual(await lines.collect(), ['written after the plan']);
    assert.deepEqual(await csv.collect(), [[7]]);
  });

  test('no user function runs while the plan is built', async () => {
    // The calls are logged from wherever the functions run (worker threads at p=2).
    const calls = spyLog();
    const env = envAt(2);
    const ds = env
      .generateSequence(1, 5)
      .map((x) => {
        record(calls, `map ${x}`);
        return x * 2;
      })
      .filter((x) => {
        record(calls, `filter ${x}`);
        return x > 2;
      });
    const out = join(tempDir(), 'out.txt');
    ds.writeText(out).setParallelism(1);
    assert.equal(recorded(calls).length, 0);
    assert.equal(existsSync(out), false);
    assertSameMultiset(await ds.collect(), [4, 6, 8, 10]);
    // One job ran the pending sink and the collect, reading the data set once.
    assertSameMultiset(
      recorded(calls),
      [1, 2, 3, 4, 5].flatMap((x) => [`map ${x}`, `filter ${x * 2}`]),
    );
    assertSameMultiset(readFileSync(out, 'utf8').split('\n').filter(Boolean), ['4', '6', '8', '10']);
  });
});

describe('execute()', () => {
  for (const p of PARALLELISMS) {
    test(`resolves to { jobName, netRuntimeMs, accumulators } at p=${p}`, async () => {
      const env = envAt(p);
      const counted = env.generateSequence(1, 100).map(
        new (class extends MapFunction<number, number> {
          private seen = new IntCounter();
          override open(ctx: RuntimeContext): void {
            ctx.addAccumulator('seen', this.seen);
          }
          map(v: number): number {
            this.seen.add(1);
            return v;
          }
        })(),
      );
      counted.writeText(join(tempDir(), 'out'));
      const result = await env.execute({ jobName: 'my job' });
      assert.deepEqual(Object.keys(result).sort(), ['accumulators', 'figures', 'jobName', 'netRuntimeMs']);
      assert.equal(result.jobName, 'my job');
      assert.equal(typeof result.netRuntimeMs, 'number');
      assert.ok(result.netRuntimeMs >= 0 && Number.isFinite(result.netRuntimeMs));
      assert.deepEqual(result.accumulators, { seen: 100 });
    });
  }

  test('without a jobName the job still has a non-empty name', async () => {
    const env = envAt(1);
    env.fromElements(1).writeText(join(tempDir(), 'o'));
    const { jobName } = await env.execute();
    assert.equal(typeof jobName, 'string');
    assert.ok(jobName.length > 0);
  });

  test('execute({ local: true }) runs embedded', async () => {
    const env = envAt(2);
    const out = join(tempDir(), 'local.txt');
    env.fromElements('x', 'y').writeText(out).setParallelism(1);
    await env.execute({ local: true });
    assertSameMultiset(readFileSync(out, 'utf8').split('\n').filter(Boolean), ['x', 'y']);
  });
});
