/**
 * Compressed input and output (issue 13): gzip files are read by readText, readCsv and readJson
 * (by their magic number), whole, by one instance each; sinks whose path ends in .gz write gzip
 * (a file at p=1, a directory of gzip parts at p > 1), which the gzip tool reads back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputPathError, Types } from '../../src/index.ts';
import { formatPlan } from '../../src/optimizer/explain.ts';
import type { PhysicalPlan } from '../../src/optimizer/physical-plan.ts';
import { assertSameMultiset, causeOf, envAt, failure, tempDir } from '../helpers.ts';

/** The files of a sink's output (the file, or a directory's parts in order). */
function parts(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .map((f) => join(path, f))
    : [path];
}

/** What the system's gzip tool makes of a file. */
function gunzipTool(file: string): string {
  return execFileSync('gzip', ['-dc', file], { encoding: 'utf8' });
}

for (const p of [1, 4]) {
  describe(`gzip at p=${p}`, () => {
    test('writeText, writeCsv and writeJson to .gz write gzip that the gzip tool and the readers read back', async () => {
      const dir = tempDir();
      const env = envAt(p);
      const rows = env.generateSequence(1, 3000).map((n) => [n, `w${n % 7}`, n % 2 === 0] as [number, string, boolean]);
      rows.map(([n, w]) => `${n} ${w}`).writeText(join(dir, 'text.gz'));
      rows.writeCsv(join(dir, 'rows.csv.gz'));
      rows.map(([n, w, even]) => ({ n, w, even })).writeJson(join(dir, 'rows.jsonl.gz'));
      await env.execute();
      for (const out of ['text.gz', 'rows.csv.gz', 'rows.jsonl.gz']) {
        const files = parts(join(dir, out));
        assert.equal(files.length, p, out);
        for (const f of files) assert.deepEqual([...readFileSync(f).subarray(0, 2)], [0x1f, 0x8b], `${f} is gzip`);
        const lines = files.flatMap((f) => gunzipTool(f).split('\n').filter(Boolean));
        assert.equal(lines.length, 3000, out);
      }
      const expected = Array.from({ length: 3000 }, (_, i) => [i + 1, `w${(i + 1) % 7}`, (i + 1) % 2 === 0]);
      assertSameMultiset(
        await envAt(p).readText(join(dir, 'text.gz')).collect(),
        expected.map(([n, w]) => `${n} ${w}`),
      );
      assertSameMultiset(await envAt(p).readCsv(join(dir, 'rows.csv.gz'), [Types.INT, Types.STRING, Types.BOOL]).collect(), expected);
      assertSameMultiset(
        await envAt(p)
          .readJson(join(dir, 'rows.jsonl.gz'), { schema: { n: Types.INT, w: Types.STRING, even: Types.BOOL } })
          .map((r) => [r.n, r.w, r.even])
          .collect(),
        expected,
      );
    });

    test('a gzip file made by the gzip tool, larger than a split, is read whole by one instance, every line once', async () => {
      const dir = tempDir();
      // Random hex lines compress to about half: over 12 MiB of gzip, which a plain file would split at p=4.
      const lines = Array.from({ length: 130_000 }, (_, i) => `${i} ${randomBytes(96).toString('hex')}`);
      const plain = join(dir, 'big.txt');
      writeFileSync(plain, `${lines.join('\n')}\n`);
      execFileSync('gzip', ['-1', plain]);
      const gz = `${plain}.gz`;
      assert.ok(statSync(gz).size > 12 * 1024 * 1024, `${statSync(gz).size} bytes`);
      const read = await envAt(p)
        .readText(gz)
        .map((l) => Number(l.slice(0, l.indexOf(' '))))
        .collect();
      assert.equal(read.length, lines.length);
      assert.equal(new Set(read).size, lines.length);
    });

    test('a corrupt or truncated gzip input fails the job naming the file and the place', async () => {
      const dir = tempDir();
      const gz = gzipSync('{"a":1}\n'.repeat(1000));
      const cut = join(dir, 'cut.jsonl.gz');
      writeFileSync(cut, gz.subarray(0, gz.length - 4));
      const e = causeOf(
        await envAt(p)
          .readJson(cut)
          .count()
          .then(
            () => assert.fail('no error'),
            (x: unknown) => x,
          ),
        InputPathError,
      );
      assert.match(e.message, /cut\.jsonl\.gz' is truncated gzip data \(it ends at compressed byte \d+ inside a member\)/);
      const corrupt = Buffer.from(gz);
      corrupt[40]! ^= 0x55;
      const bad = join(dir, 'bad.txt.gz');
      writeFileSync(bad, corrupt);
      const e2 = causeOf(
        await envAt(p)
          .readText(bad)
          .count()
          .then(
            () => assert.fail('no error'),
            (x: unknown) => x,
          ),
        InputPathError,
      );
      assert.match(e2.message, /bad\.txt\.gz' is (not valid|truncated) gzip data/);
    });
  });
}

describe('zstd input', () => {
  test('a .zst file made by the zstd tool (two frames) is read by readText and readCsv at p=1 and p=4, whole, every line once', async () => {
    const dir = tempDir();
    const lines = Array.from({ length: 50_000 }, (_, i) => `${i},w${i % 11}`);
    const plain = join(dir, 'rows.csv');
    writeFileSync(plain, `${lines.slice(0, 20_000).join('\n')}\n`);
    execFileSync('zstd', ['-q', plain, '-o', join(dir, 'a.zst')]);
    writeFileSync(plain, `${lines.slice(20_000).join('\n')}\n`);
    execFileSync('zstd', ['-q', plain, '-o', join(dir, 'b.zst')]);
    writeFileSync(join(dir, 'rows.csv.zst'), Buffer.concat([readFileSync(join(dir, 'a.zst')), readFileSync(join(dir, 'b.zst'))]));
    for (const p of [1, 4]) {
      assertSameMultiset(await envAt(p).readText(join(dir, 'rows.csv.zst')).collect(), lines);
      const rows = await envAt(p).readCsv(join(dir, 'rows.csv.zst'), [Types.INT, Types.STRING]).collect();
      assertSameMultiset(
        rows,
        lines.map((l) => [Number(l.split(',')[0]), l.split(',')[1]]),
      );
    }
  });

  test('a truncated .zst file is an error naming the file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.txt'), `${'some text\n'.repeat(10_000)}`);
    execFileSync('zstd', ['-q', join(dir, 'x.txt'), '-o', join(dir, 'x.zst')]);
    const zst = readFileSync(join(dir, 'x.zst'));
    writeFileSync(join(dir, 'cut.zst'), zst.subarray(0, zst.length - 20));
    const e = causeOf(await failure(envAt(1).readText(join(dir, 'cut.zst')).collect()), InputPathError);
    assert.match(e.message, /cut\.zst' is truncated zstd data/);
  });
});

describe('compressed input in the plan', () => {
  test('tsflink plan says that a compressed file is read whole by one instance', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt.gz'), gzipSync('x\n'));
    writeFileSync(join(dir, 'b.txt'), 'y\n');
    const planOf = (ds: { env: { collectPlan(id: number): PhysicalPlan }; id: number }): string => formatPlan(ds.env.collectPlan(ds.id), 'text');
    assert.match(planOf(envAt(2).readText(join(dir, 'a.txt.gz'))), /SOURCE from '.*a\.txt\.gz' \(compressed: read whole by one instance, not split\)/);
    assert.match(planOf(envAt(2).readCsv(dir, [Types.STRING])), /\(1 of 2 files compressed: read whole by one instance, not split\)/);
    assert.doesNotMatch(planOf(envAt(2).readText(join(dir, 'b.txt'))), /compressed/);
  });
});
