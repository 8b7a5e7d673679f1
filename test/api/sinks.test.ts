/** Sinks: output, writeText, writeCsv; paths, file or directory layout, write modes; DataSink; no output from a failed job. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DataSink, JobExecutionError, OutputExistsError, PlanError, Types, WriteMode } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';
import { record, recorded, spyLog } from '../spy.ts';
import { lines, runScript } from './spawn-script.ts';

/** The lines of a sink's output: the file, or the files 1…p of the directory. */
function outputLines(path: string): string[] {
  const files = statSync(path).isDirectory() ? readdirSync(path).map((f) => join(path, f)) : [path];
  return files.flatMap((f) => lines(readFileSync(f, 'utf8')));
}

describe('output()', () => {
  for (const p of PARALLELISMS) {
    test(`writes only the elements' text form to stdout, toError to stderr, no prefix, at p=${p}`, () => {
      const dir = tempDir();
      const r = runScript(
        dir,
        'print',
        ['getEnvironment'],
        `const env = getEnvironment();
env.setParallelism(${p});
env.generateSequence(1, 12).map((x) => [x, 'n' + x]).output();
env.fromElements('warn 1', 'warn 2').output({ toError: true });
env.generateSequence(100, 103).output({ toError: true });
await env.execute();`,
        { TSFLINK_VERBOSE: undefined },
      );
      assert.equal(r.status, 0, r.stderr);
      assertSameMultiset(
        lines(r.stdout),
        Array.from({ length: 12 }, (_, i) => `(${i + 1},n${i + 1})`),
      );
      assertSameMultiset(lines(r.stderr), ['warn 1', 'warn 2', '100', '101', '102', '103']);
    });
  }

  test('an output() sink at setParallelism(3) still prints plain lines', () => {
    const r = runScript(
      tempDir(),
      'print3',
      ['getEnvironment'],
      `const env = getEnvironment();
env.setParallelism(1);
env.fromElements('a', 'b', 'c', 'd').rebalance().output().setParallelism(3);
await env.execute();`,
    );
    assert.equal(r.status, 0, r.stderr);
    assertSameMultiset(lines(r.stdout), ['a', 'b', 'c', 'd']);
    assert.equal(r.stderr, '');
  });

  test("the engine's own messages go to stderr, never between the elements on stdout", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.csv'), 'a,1\nbad\nb,2\n');
    const r = runScript(
      dir,
      'messages',
      ['getEnvironment'],
      `const env = getEnvironment();
env.setParallelism(4);
env.readCsv('in.csv', ['STRING', 'INT'], { ignoreInvalidLines: true }).rebalance().output();
await env.execute();`,
    );
    assert.equal(r.status, 0, r.stderr);
    assertSameMultiset(lines(r.stdout), ['(a,1)', '(b,2)']);
    assert.match(r.stderr, /invalid line/);
  });

  test('a failed job prints nothing on stdout and exits non-zero', () => {
    const r = runScript(
      tempDir(),
      'printfail',
      ['getEnvironment'],
      `const env = getEnvironment();
env.setParallelism(2);
env.generateSequence(1, 10).map((x) => { if (x === 10) throw new Error('ten'); return x; }).output();
await env.execute();`,
    );
    assert.notEqual(r.status, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /ten/);
  });
});

describe('writeText', () => {
  for (const p of PARALLELISMS) {
    test(`one element per line in its text form at p=${p}`, async () => {
      const out = join(tempDir(), 'out');
      const env = envAt(p);
      env
        .fromElements<unknown>('plain', 42, [1, 'a', [2, 3]], true, null)
        .writeText(out)
        .setParallelism(1);
      await env.execute();
      assert.ok(statSync(out).isFile());
      assertSameMultiset(lines(readFileSync(out, 'utf8')), ['plain', '42', '(1,a,(2,3))', 'true', 'null']);
    });
  }

  test('a sink at parallelism 1 writes one file at the path', async () => {
    const out = join(tempDir(), 'single.txt');
    const env = envAt(4);
    env.generateSequence(1, 100).writeText(out).setParallelism(1);
    await env.execute();
    assert.ok(statSync(out).isFile());
    assertSameMultiset(
      lines(readFileSync(out, 'utf8')),
      Array.from({ length: 100 }, (_, i) => String(i + 1)),
    );
  });

  test('an environment at parallelism 1 writes one file', async () => {
    const out = join(tempDir(), 'p1.txt');
    const env = envAt(1);
    env.generateSequence(1, 3).writeText(out);
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), '1\n2\n3\n');
  });

  test('at parallelism 3: a directory with files 1, 2 and 3, all existing, some possibly empty', async () => {
    const out = join(tempDir(), 'dir-out');
    const env = envAt(1);
    // Two elements from one producer over three sink instances: at least one file stays empty.
    env.fromElements('x', 'y').writeText(out).setParallelism(3);
    await env.execute();
    assert.ok(statSync(out).isDirectory());
    assert.deepEqual(readdirSync(out).sort(), ['1', '2', '3']);
    for (const f of ['1', '2', '3']) assert.ok(statSync(join(out, f)).isFile());
    assert.ok(['1', '2', '3'].some((f) => readFileSync(join(out, f), 'utf8') === ''));
    assertSameMultiset(outputLines(out), ['x', 'y']);
  });

  test('the environment parallelism decides the layout when the sink has none', async () => {
    const out = join(tempDir(), 'env3');
    const env = envAt(3);
    env.generateSequence(1, 30).writeText(out);
    await env.execute();
    assert.deepEqual(readdirSync(out).sort(), ['1', '2', '3']);
    assertSameMultiset(
      outputLines(out),
      Array.from({ length: 30 }, (_, i) => String(i + 1)),
    );
  });

  test('readText reads such a directory back', async () => {
    const out = join(tempDir(), 'roundtrip');
    const env = envAt(3);
    const data = ['alpha', '', 'gamma delta', 'ε'];
    env.fromCollection(data).writeText(out).setParallelism(3);
    await env.execute();
    for (const p of PARALLELISMS) assertSameMultiset(await envAt(p).readText(out).collect(), data);
  });

  test('a file:/// URI as the target', async () => {
    const out = join(tempDir(), 'uri.txt');
    const env = envAt(2);
    env.fromElements('u').writeText(pathToFileURL(out).href).setParallelism(1);
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), 'u\n');
  });

  test('missing parent directories are created', async () => {
    const out = join(tempDir(), 'a', 'b', 'c.txt');
    const env = envAt(1);
    env.fromElements('deep').writeText(out);
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), 'deep\n');
  });

  test('an empty data set still writes its (empty) file, or its directory of empty files', async () => {
    const dir = tempDir();
    const env = envAt(2);
    const empty = env.fromElements<string>();
    empty.writeText(join(dir, 'one')).setParallelism(1);
    empty.writeText(join(dir, 'many'));
    await env.execute();
    assert.equal(readFileSync(join(dir, 'one'), 'utf8'), '');
    assert.deepEqual(readdirSync(join(dir, 'many')).sort(), ['1', '2']);
  });
});

describe('writeCsv', () => {
  for (const p of PARALLELISMS) {
    test(`tuples as rows, readCsv reads back exactly what was written (quoting round trip) at p=${p}`, async () => {
      const out = join(tempDir(), 'rt.csv');
      const rows: [string, number, boolean][] = [
        ['plain', 1, true],
        ['with,comma', -2, false],
        ['say "hi"', 3.5, true],
        ['two\nlines', 0, false],
        ['cr\rhere', 4, true],
        ['', 5, false],
        ['  spaced  ', 6, true],
      ];
      const env = envAt(p);
      env.fromCollection(rows).writeCsv(out);
      await env.execute();
      for (const q of PARALLELISMS) {
        assertSameMultiset(await envAt(q).readCsv(out, [Types.STRING, Types.DOUBLE, Types.BOOL]).collect(), rows);
      }
    });
  }

  test('fields are quoted only when they hold a delimiter, a quote or a line break', async () => {
    const out = join(tempDir(), 'q.csv');
    const env = envAt(1);
    env.fromElements(['a', 'b,c', 'd"e', 'f\ng', 'h']).writeCsv(out);
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), 'a,"b,c","d""e","f\ng",h\n');
  });

  test('custom field and line delimiters', async () => {
    const out = join(tempDir(), 'custom.csv');
    const env = envAt(1);
    env.fromElements(['a', 1] as [string, number], ['b|c', 2]).writeCsv(out, { fieldDelimiter: '|', lineDelimiter: ';' });
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), 'a|1;"b|c"|2;');
    const back = await envAt(1).readCsv(out, [Types.STRING, Types.INT], { fieldDelimiter: '|', lineDelimiter: ';' }).collect();
    assert.deepEqual(back, [
      ['a', 1],
      ['b|c', 2],
    ]);
  });

  test('a nested tuple in a row is written in its text form: 1|(2,3)', async () => {
    const out = join(tempDir(), 'nested.csv');
    const env = envAt(1);
    env.fromElements<[number, [number, number]]>([1, [2, 3]]).writeCsv(out, { fieldDelimiter: '|' });
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), '1|(2,3)\n');
  });

  test('with the default delimiter the nested tuple is quoted and reads back as its text', async () => {
    const out = join(tempDir(), 'nested2.csv');
    const env = envAt(1);
    env.fromElements<[number, [number, [string, boolean]]]>([1, [2, ['x', true]]]).writeCsv(out);
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), '1,"(2,(x,true))"\n');
    assert.deepEqual(await envAt(1).readCsv(out, [Types.INT, Types.STRING]).collect(), [[1, '(2,(x,true))']]);
  });

  // A null field is refused at write time (CSV has no null readCsv gives back): test/io/round-trips.test.ts.
  test('bytes, booleans and nested nulls in rows use the text form', async () => {
    const out = join(tempDir(), 'forms.csv');
    const env = envAt(1);
    env.fromElements<[[null], Uint8Array, boolean, number]>([[null], new Uint8Array([0xca, 0xfe]), false, 1e21]).writeCsv(out);
    await env.execute();
    assert.equal(readFileSync(out, 'utf8'), '(null),cafe,false,1e+21\n');
  });

  test('at parallelism 3 a directory of files 1, 2, 3 that readCsv reads back', async () => {
    const out = join(tempDir(), 'csvdir');
    const env = envAt(1);
    env
      .fromElements(['only', 1] as [string, number])
      .writeCsv(out)
      .setParallelism(3);
    await env.execute();
    assert.deepEqual(readdirSync(out).sort(), ['1', '2', '3']);
    assert.deepEqual(await envAt(4).readCsv(out, [Types.STRING, Types.INT]).collect(), [['only', 1]]);
  });
});

describe('write modes', () => {
  for (const [what, write] of [
    ['writeText', (env: ReturnType<typeof envAt>, path: string) => env.fromElements('new').writeText(path)],
    ['writeCsv', (env: ReturnType<typeof envAt>, path: string) => env.fromElements(['new']).writeCsv(path)],
  ] as const) {
    test(`${what} NO_OVERWRITE (the default): an existing target fails before anything runs, untouched`, async () => {
      const dir = tempDir();
      const target = join(dir, 'exists.txt');
      writeFileSync(target, 'old\n');
      const env = envAt(2);
      // Logged from wherever the map would run (worker threads at p=2).
      const calls = spyLog();
      env
        .fromElements('a', 'b')
        .map((s) => {
          record(calls, s);
          return s;
        })
        .writeText(join(dir, 'other'));
      write(env, target);
      await assert.rejects(env.execute(), (e: unknown) => e instanceof OutputExistsError && e.message.includes(target));
      assert.equal(readFileSync(target, 'utf8'), 'old\n');
      assert.deepEqual(recorded(calls), [], 'no task ran');
      assert.equal(existsSync(join(dir, 'other')), false, 'no other sink of the job was written');
      assert.deepEqual(readdirSync(dir), ['exists.txt'], 'no staging left behind');
    });
  }

  test('NO_OVERWRITE given explicitly, on an existing directory', async () => {
    const dir = tempDir();
    const target = join(dir, 'd');
    mkdirSync(target);
    writeFileSync(join(target, '1'), 'old\n');
    const env = envAt(1);
    env.fromElements('x').writeText(target, WriteMode.NO_OVERWRITE);
    await assert.rejects(env.execute(), OutputExistsError);
    assert.deepEqual(readdirSync(target), ['1']);
    assert.equal(readFileSync(join(target, '1'), 'utf8'), 'old\n');
  });

  test('OVERWRITE replaces a file, by a directory too', async () => {
    const dir = tempDir();
    const target = join(dir, 't');
    writeFileSync(target, 'old\n');
    let env = envAt(1);
    env.fromElements('one').writeText(target, WriteMode.OVERWRITE);
    await env.execute();
    assert.equal(readFileSync(target, 'utf8'), 'one\n');

    env = envAt(1);
    env
      .fromElements(['a', 1] as [string, number], ['b', 2])
      .writeCsv(target, { writeMode: WriteMode.OVERWRITE })
      .setParallelism(2);
    await env.execute();
    assert.ok(statSync(target).isDirectory());
    assert.deepEqual(readdirSync(target).sort(), ['1', '2']);
    assertSameMultiset(outputLines(target), ['a,1', 'b,2']);
  });

  test('OVERWRITE replaces a directory, by a file too, leaving none of the old files', async () => {
    const dir = tempDir();
    const target = join(dir, 'd');
    mkdirSync(target);
    for (const f of ['1', '2', '3', '4', 'stray']) writeFileSync(join(target, f), 'old\n');
    let env = envAt(2);
    env.fromElements('p', 'q').writeText(target, WriteMode.OVERWRITE);
    await env.execute();
    assert.deepEqual(readdirSync(target).sort(), ['1', '2']);
    assertSameMultiset(outputLines(target), ['p', 'q']);

    env = envAt(2);
    env.fromElements('file now').writeText(target, WriteMode.OVERWRITE).setParallelism(1);
    await env.execute();
    assert.equal(readFileSync(target, 'utf8'), 'file now\n');
    assert.deepEqual(readdirSync(dir), ['d']);
  });

  for (const p of [1, 2]) {
    test(`OVERWRITE never replaces a symbolic link nor what it points to, before anything runs, at p=${p}`, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'real'), 'precious\n');
      symlinkSync(join(dir, 'real'), join(dir, 'link'));
      for (const write of ['text', 'csv'] as const) {
        const env = envAt(p);
        let ran = false;
        const ds = env.fromElements(['a', 1] as [string, number]).map((t) => ((ran = true), t));
        if (write === 'text') ds.writeText(join(dir, 'link'), WriteMode.OVERWRITE);
        else ds.writeCsv(join(dir, 'link'), { writeMode: WriteMode.OVERWRITE });
        await assert.rejects(env.execute(), /will not write output '.*link': it is a symbolic link/);
        assert.equal(ran, false);
        assert.equal(readlinkSync(join(dir, 'link')), join(dir, 'real'));
        assert.equal(readFileSync(join(dir, 'real'), 'utf8'), 'precious\n');
        assert.deepEqual(readdirSync(dir).sort(), ['link', 'real']);
      }
    });
  }

  test('an unknown write mode is rejected when the sink is defined', () => {
    assert.throws(
      () =>
        envAt(1)
          .fromElements(1)
          .writeText('/tmp/never', 'SOMETIMES' as WriteMode),
      PlanError,
    );
  });
});

describe('a failed job leaves no output', () => {
  for (const p of PARALLELISMS) {
    test(`no partial output and no staging leftovers at p=${p}`, async () => {
      const dir = tempDir();
      const env = envAt(p);
      const ds = env.generateSequence(1, 1000).map((x) => {
        if (x === 900) throw new Error('boom at 900');
        return x;
      });
      ds.writeText(join(dir, 'text'));
      ds.writeCsv(join(dir, 'csv')).setParallelism(1);
      env.fromElements('fine').writeText(join(dir, 'unrelated')).setParallelism(1);
      await assert.rejects(env.execute(), JobExecutionError);
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  test('an existing target under OVERWRITE stays as it was when the job fails', async () => {
    const dir = tempDir();
    const target = join(dir, 'keep');
    writeFileSync(target, 'precious\n');
    const env = envAt(4);
    env
      .generateSequence(1, 100)
      .map((x) => {
        if (x === 77) throw new Error('no');
        return x;
      })
      .writeText(target, WriteMode.OVERWRITE);
    await assert.rejects(env.execute(), JobExecutionError);
    assert.equal(readFileSync(target, 'utf8'), 'precious\n');
    assert.deepEqual(readdirSync(dir), ['keep']);
  });
});

describe('DataSink', () => {
  test('output, writeText and writeCsv return a DataSink with chainable name() and setParallelism()', async () => {
    const dir = tempDir();
    const env = envAt(4);
    const ds = env.fromElements(['a', 1] as [string, number]);
    const sinks = [ds.output(), ds.writeText(join(dir, 't')), ds.writeCsv(join(dir, 'c'))];
    for (const s of sinks) {
      assert.ok(s instanceof DataSink);
      assert.equal(s.name('a name'), s);
      assert.equal(s.setParallelism(1), s);
    }
    assert.throws(() => sinks[1]!.setParallelism(0), PlanError);
    assert.throws(() => sinks[1]!.setParallelism(1.5), PlanError);
  });

  test('name() names the sink in the plan; setParallelism() sets its file layout', async () => {
    const dir = tempDir();
    const env = envAt(4);
    env.generateSequence(1, 10).writeText(join(dir, 'named')).name('my text sink').setParallelism(2);
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { kind: string; name: string; parallelism: number }[] };
    const sink = plan.nodes.find((n) => n.kind === 'TextSink')!;
    assert.equal(sink.name, 'my text sink');
    assert.equal(sink.parallelism, 2);
    await env.execute();
    assert.deepEqual(readdirSync(join(dir, 'named')).sort(), ['1', '2']);
  });
});

describe('print() and printToErr()', () => {
  test('run the job at once and print the text form of each element before the script goes on, as Flink does', () => {
    const dir = tempDir();
    const r = runScript(
      dir,
      'eager',
      ['getEnvironment'],
      `const env = getEnvironment();
env.setParallelism(2);
await env.fromElements([1, 'a'], [2, 'b']).map((t) => [t[0] * 10, t[1]]).print();
console.log('after print');
await env.fromElements('to stderr').printToErr();
await env.fromElements().print();`,
      { TSFLINK_VERBOSE: undefined },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out[2], 'after print');
    assertSameMultiset(out.slice(0, 2), ['(10,a)', '(20,b)']);
    assert.deepEqual(lines(r.stderr), ['to stderr']);
  });
});
