/** Sources: readText, readCsv (every option), fromElements, fromCollection, generateSequence. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { JobExecutionError, MapFunction, Types } from '../../src/index.ts';
import { assertSameMultiset, envAt, PARALLELISMS, tempDir } from '../helpers.ts';

function file(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Tags each element with the index of the parallel instance that produced it. */
class TagSubtask<T> extends MapFunction<T, [number, T]> {
  map(v: T): [number, T] {
    return [this.context.getIndexOfThisSubtask(), v];
  }
}

describe('readText', () => {
  for (const p of PARALLELISMS) {
    test(`one element per line, no terminator, from a plain path at p=${p}`, async () => {
      const path = file(tempDir(), 'in.txt', 'first line\nsecond, line\n  third  \n');
      assertSameMultiset(await envAt(p).readText(path).collect(), ['first line', 'second, line', '  third  ']);
    });

    test(`from a file:/// URI at p=${p}`, async () => {
      const path = file(tempDir(), 'uri.txt', 'a\nb\n');
      const uri = pathToFileURL(path).href;
      assert.ok(uri.startsWith('file:///'));
      assertSameMultiset(await envAt(p).readText(uri).collect(), ['a', 'b']);
    });

    test(`CRLF loses its \\r, empty lines are kept, a missing last terminator is fine, at p=${p}`, async () => {
      const path = file(tempDir(), 'crlf.txt', 'a\r\n\r\nb\n\nc\r\n\n d');
      assertSameMultiset(await envAt(p).readText(path).collect(), ['a', '', 'b', '', 'c', '', ' d']);
    });

    test(`a directory: every file in it at p=${p}`, async () => {
      const dir = join(tempDir(), 'in');
      mkdirSync(dir);
      file(dir, 'b.txt', 'b1\nb2\n');
      file(dir, 'a.txt', 'a1\n');
      file(dir, '10', 'ten\n');
      file(dir, '2', 'two\n');
      file(dir, 'empty', '');
      assertSameMultiset(await envAt(p).readText(dir).collect(), ['b1', 'b2', 'a1', 'ten', 'two']);
    });
  }

  test('a relative path resolves against the working directory', async () => {
    const path = file(tempDir(), 'rel.txt', 'relative\n');
    const rel = relative(process.cwd(), path);
    assert.ok(!rel.startsWith('/'));
    assert.deepEqual(await envAt(1).readText(rel).collect(), ['relative']);
  });

  test('a directory is read in name order (one instance reads the files one after another)', async () => {
    const dir = join(tempDir(), 'ordered');
    mkdirSync(dir);
    file(dir, 'b', 'b1\nb2\n');
    file(dir, 'a', 'a1\na2\n');
    file(dir, '10', 'ten\n');
    file(dir, '2', 'two\n');
    const env = envAt(1);
    assert.deepEqual(await env.readText(dir).collect(), ['ten', 'two', 'a1', 'a2', 'b1', 'b2']);
  });

  test('an empty file yields nothing', async () => {
    const path = file(tempDir(), 'empty.txt', '');
    assert.deepEqual(await envAt(4).readText(path).collect(), []);
  });

  test('a file with only a line break yields one empty line', async () => {
    const path = file(tempDir(), 'nl.txt', '\n');
    assert.deepEqual(await envAt(1).readText(path).collect(), ['']);
  });

  test('UTF-8 text survives', async () => {
    const path = file(tempDir(), 'utf8.txt', 'grüße\n日本語\n🎉\n');
    assertSameMultiset(await envAt(2).readText(path).collect(), ['grüße', '日本語', '🎉']);
  });
});

describe('readCsv', () => {
  for (const p of PARALLELISMS) {
    test(`all six field types at p=${p}`, async () => {
      const path = file(tempDir(), 'types.csv', '1,9007199254740991,1.5,-2.25e3,hello,true\n-7,-9007199254740991,0,3,,false\n');
      const ds = envAt(p).readCsv(path, [Types.INT, Types.LONG, Types.FLOAT, Types.DOUBLE, Types.STRING, Types.BOOL]);
      const rows: [number, number, number, number, string, boolean][] = await ds.collect();
      assertSameMultiset(rows, [
        [1, 9007199254740991, 1.5, -2250, 'hello', true],
        [-7, -9007199254740991, 0, 3, '', false],
      ]);
    });
  }

  test('BOOL reads true/false in any case', async () => {
    const path = file(tempDir(), 'bool.csv', 'true\nTRUE\nTrue\ntRuE\nfalse\nFALSE\nFalse\nfAlSe\n');
    const rows = await envAt(1).readCsv(path, [Types.BOOL]).collect();
    assert.deepEqual(rows, [[true], [true], [true], [true], [false], [false], [false], [false]]);
  });

  test('fieldDelimiter', async () => {
    const path = file(tempDir(), 'pipe.csv', 'a|1|x,y\nb|2|z\n');
    const rows = await envAt(2).readCsv(path, [Types.STRING, Types.INT, Types.STRING], { fieldDelimiter: '|' }).collect();
    assertSameMultiset(rows, [
      ['a', 1, 'x,y'],
      ['b', 2, 'z'],
    ]);
  });

  test('a multi-character fieldDelimiter', async () => {
    const path = file(tempDir(), 'multi.csv', 'a::1\nb::2\n');
    const rows = await envAt(1).readCsv(path, [Types.STRING, Types.INT], { fieldDelimiter: '::' }).collect();
    assert.deepEqual(rows, [
      ['a', 1],
      ['b', 2],
    ]);
  });

  test('lineDelimiter', async () => {
    const path = file(tempDir(), 'semi.csv', 'a,1;b,2;c,3;');
    const rows = await envAt(1).readCsv(path, [Types.STRING, Types.INT], { lineDelimiter: ';' }).collect();
    assert.deepEqual(rows, [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  test('a multi-character lineDelimiter; a newline is then ordinary field text', async () => {
    const path = file(tempDir(), 'hash.csv', 'a\nb,1##c,2##');
    const rows = await envAt(1).readCsv(path, [Types.STRING, Types.INT], { lineDelimiter: '##' }).collect();
    assert.deepEqual(rows, [
      ['a\nb', 1],
      ['c', 2],
    ]);
  });

  test('the default line delimiter accepts CRLF', async () => {
    const path = file(tempDir(), 'crlf.csv', 'a,1\r\nb,2\r\n');
    const rows = await envAt(1).readCsv(path, [Types.STRING, Types.INT]).collect();
    assert.deepEqual(rows, [
      ['a', 1],
      ['b', 2],
    ]);
  });

  test('quoted fields: delimiters, line breaks and doubled quotes inside', async () => {
    const path = file(tempDir(), 'quoted.csv', '"a,b",1\n"say ""hi""",2\n"two\nlines",3\n"",4\n');
    const rows = await envAt(1).readCsv(path, [Types.STRING, Types.INT]).collect();
    assert.deepEqual(rows, [
      ['a,b', 1],
      ['say "hi"', 2],
      ['two\nlines', 3],
      ['', 4],
    ]);
  });

  test('a quoted number field', async () => {
    const path = file(tempDir(), 'qnum.csv', '"12","1.5","true"\n');
    assert.deepEqual(await envAt(1).readCsv(path, [Types.INT, Types.DOUBLE, Types.BOOL]).collect(), [[12, 1.5, true]]);
  });

  test('quoteCharacter: a custom quote, doubled inside a quoted field', async () => {
    const path = file(tempDir(), 'single.csv', "'it''s, here',1\n'plain',2\n\"dq\",3\n");
    const rows = await envAt(1).readCsv(path, [Types.STRING, Types.INT], { quoteCharacter: "'" }).collect();
    assert.deepEqual(rows, [
      ["it's, here", 1],
      ['plain', 2],
      ['"dq"', 3],
    ]);
  });

  test('ignoreFirstLine skips the header of every file', async () => {
    const dir = join(tempDir(), 'headers');
    mkdirSync(dir);
    file(dir, '1', 'name,n\na,1\nb,2\n');
    file(dir, '2', 'name,n\nc,3\n');
    for (const p of PARALLELISMS) {
      const rows = await envAt(p).readCsv(dir, [Types.STRING, Types.INT], { ignoreFirstLine: true }).collect();
      assertSameMultiset(rows, [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
    }
  });

  test('ignoreComments skips lines that start with the prefix', async () => {
    const path = file(tempDir(), 'comments.csv', '# a comment\na,1\n#another,x\nb,2\n // not a comment prefix,3\n');
    const rows = await envAt(1).readCsv(path, [Types.STRING, Types.INT], { ignoreComments: '#' }).collect();
    assert.deepEqual(rows, [
      ['a', 1],
      ['b', 2],
      [' // not a comment prefix', 3],
    ]);
  });

  test('ignoreComments with a multi-character prefix', async () => {
    const path = file(tempDir(), 'slashes.csv', '// skip,me\na,1\n/b,2\n');
    const rows = await envAt(1).readCsv(path, [Types.STRING, Types.INT], { ignoreComments: '//' }).collect();
    assert.deepEqual(rows, [
      ['a', 1],
      ['/b', 2],
    ]);
  });

  test('includedFields is a mask over the columns; types list only the included ones', async () => {
    const path = file(tempDir(), 'mask.csv', 'skip,1,x,true,ignored\nskip2,2,y,false,ignored\n');
    for (const p of PARALLELISMS) {
      const rows = await envAt(p)
        .readCsv(path, [Types.INT, Types.BOOL], { includedFields: [false, true, false, true] })
        .collect();
      assertSameMultiset(rows, [
        [1, true],
        [2, false],
      ]);
    }
  });

  test('an excluded column is not converted (a non-number there is fine)', async () => {
    const path = file(tempDir(), 'mask2.csv', 'not-a-number,a\n');
    assert.deepEqual(
      await envAt(1)
        .readCsv(path, [Types.STRING], { includedFields: [false, true] })
        .collect(),
      [['a']],
    );
  });

  test('every option at once', async () => {
    const path = file(tempDir(), 'all.csv', "id|name|x|ok##% comment##1|'a|b'|z|TRUE##2|'it''s'|z|false##");
    const rows = await envAt(1)
      .readCsv(path, [Types.LONG, Types.STRING, Types.BOOL], {
        fieldDelimiter: '|',
        lineDelimiter: '##',
        quoteCharacter: "'",
        ignoreFirstLine: true,
        ignoreComments: '%',
        includedFields: [true, true, false, true],
      })
      .collect();
    assert.deepEqual(rows, [
      [1, 'a|b', true],
      [2, "it's", false],
    ]);
  });

  for (const p of PARALLELISMS) {
    test(`ignoreInvalidLines skips bad rows and counts them as accumulator invalidLines at p=${p}`, async () => {
      const dir = tempDir();
      const path = file(dir, 'bad.csv', 'a,1\nb,x\nc\nd,4\ne,5,extra\n"f,6\n');
      const env = envAt(p);
      const ds = env.readCsv(path, [Types.STRING, Types.INT], { ignoreInvalidLines: true });
      ds.writeCsv(join(dir, 'out')).setParallelism(1);
      const result = await env.execute();
      assert.deepEqual(result.accumulators, { invalidLines: 4 });
      assertSameMultiset(await envAt(p).readCsv(join(dir, 'out'), [Types.STRING, Types.INT]).collect(), [
        ['a', 1],
        ['d', 4],
      ]);
    });
  }

  test('ignoreInvalidLines over a directory at p=4 adds up the counts of every instance', async () => {
    const dir = join(tempDir(), 'many');
    mkdirSync(dir);
    for (let i = 1; i <= 6; i++) file(dir, `part-${i}`, `k${i},${i}\nbad${i}\nworse,${i},x\n`);
    const env = envAt(4);
    env.readCsv(dir, [Types.STRING, Types.INT], { ignoreInvalidLines: true }).writeText(join(dir, '..', 'out'));
    const result = await env.execute();
    assert.deepEqual(result.accumulators, { invalidLines: 12 });
  });

  test('two sources with ignoreInvalidLines are counted as invalidLines:<source name>', async () => {
    const dir = tempDir();
    const left = file(dir, 'left.csv', 'a,1\nbad\n');
    const right = file(dir, 'right.csv', 'x\ny,2\nz,q\n');
    const env = envAt(2);
    const l = env.readCsv(left, [Types.STRING, Types.INT], { ignoreInvalidLines: true }).name('left');
    const r = env.readCsv(right, [Types.STRING, Types.INT], { ignoreInvalidLines: true }).name('right');
    l.union(r).writeText(join(dir, 'out'));
    const result = await env.execute();
    assert.deepEqual(result.accumulators, { 'invalidLines:left': 1, 'invalidLines:right': 2 });
  });

  test('without ignoreInvalidLines no invalidLines accumulator appears', async () => {
    const dir = tempDir();
    const env = envAt(2);
    env.readCsv(file(dir, 'ok.csv', 'a,1\n'), [Types.STRING, Types.INT]).writeText(join(dir, 'out'));
    assert.deepEqual((await env.execute()).accumulators, {});
  });

  test('a bad row without ignoreInvalidLines fails the job', async () => {
    const path = file(tempDir(), 'bad.csv', 'a,1\nb,x\n');
    await assert.rejects(envAt(1).readCsv(path, [Types.STRING, Types.INT]).collect(), JobExecutionError);
  });

  test('a directory written at p>1 reads back', async () => {
    const dir = join(tempDir(), 'parts');
    mkdirSync(dir);
    file(dir, '1', 'a,1\n');
    file(dir, '2', '');
    file(dir, '3', 'b,2\nc,3\n');
    assertSameMultiset(await envAt(4).readCsv(dir, [Types.STRING, Types.INT]).collect(), [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });
});

describe('fromElements and fromCollection', () => {
  for (const p of PARALLELISMS) {
    test(`fromElements yields exactly its arguments at p=${p}`, async () => {
      const env = envAt(p);
      assertSameMultiset(await env.fromElements(3, 1, 3, 2).collect(), [3, 1, 3, 2]);
      assertSameMultiset(
        await env
          .fromElements('a', 'b')
          .map((s) => s.toUpperCase())
          .collect(),
        ['A', 'B'],
      );
      assertSameMultiset(await env.fromElements([1, 'a'] as [number, string], [2, 'b']).collect(), [
        [1, 'a'],
        [2, 'b'],
      ]);
    });

    test(`fromCollection of an array, a Set, a Map's entries and a generator at p=${p}`, async () => {
      const env = envAt(p);
      assertSameMultiset(await env.fromCollection([1, 2, 2]).collect(), [1, 2, 2]);
      assertSameMultiset(await env.fromCollection(new Set(['x', 'y', 'x'])).collect(), ['x', 'y']);
      assertSameMultiset(await env.fromCollection(new Map([['k', 1]]).entries()).collect(), [['k', 1]]);
      function* squares(n: number): Generator<number> {
        for (let i = 1; i <= n; i++) yield i * i;
      }
      assertSameMultiset(await env.fromCollection(squares(5)).collect(), [1, 4, 9, 16, 25]);
    });
  }

  test('fromElements with no arguments is an empty data set', async () => {
    assert.deepEqual(await envAt(4).fromElements<number>().collect(), []);
  });

  test('a generator is consumed when fromCollection is called, once', async () => {
    let pulled = 0;
    function* gen(): Generator<number> {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield i;
      }
    }
    const env = envAt(2);
    const ds = env.fromCollection(gen());
    assertSameMultiset(await ds.collect(), [0, 1, 2]);
    assertSameMultiset(await ds.collect(), [0, 1, 2]);
    assert.equal(pulled, 3);
  });
});

describe('generateSequence', () => {
  for (const p of PARALLELISMS) {
    test(`inclusive at both ends at p=${p}`, async () => {
      const env = envAt(p);
      assertSameMultiset(await env.generateSequence(1, 10).collect(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assertSameMultiset(await env.generateSequence(-3, 2).collect(), [-3, -2, -1, 0, 1, 2]);
      assert.deepEqual(await env.generateSequence(5, 5).collect(), [5]);
      assert.equal(await env.generateSequence(0, 9999).count(), 10000);
    });
  }

  test('split across the 4 parallel instances: every instance gets part, together exactly the range', async () => {
    const tagged = await envAt(4).generateSequence(1, 100).map(new TagSubtask<number>()).collect();
    const bySubtask = new Map<number, number[]>();
    for (const [s, v] of tagged) bySubtask.set(s, [...(bySubtask.get(s) ?? []), v]);
    assert.deepEqual([...bySubtask.keys()].sort(), [0, 1, 2, 3]);
    for (const [s, values] of bySubtask) assert.ok(values.length >= 20 && values.length <= 30, `instance ${s} got ${values.length}`);
    assertSameMultiset(
      tagged.map(([, v]) => v),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  test('fewer numbers than instances: some instances get nothing, nothing is lost or repeated', async () => {
    assertSameMultiset(await envAt(4).generateSequence(7, 8).collect(), [7, 8]);
  });
});
