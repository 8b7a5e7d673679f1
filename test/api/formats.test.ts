/**
 * Input and output formats of your own (Flink's createInput(InputFormat) and
 * output(OutputFormat)): every split read once by some instance, every record written once by
 * the instance that holds it, opened and closed per instance; their errors name the operator.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Collector, type InputFormat, JobExecutionError, type OutputFormat, PlanError } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt, tempDir } from '../helpers.ts';

/** Ranges [from, to) as splits: the numbers in them. */
const ranges: InputFormat<number, [number, number]> = {
  createInputSplits: (n) => Array.from({ length: n * 3 }, (_, i) => [i * 10, i * 10 + 10] as [number, number]),
  readSplit([from, to], out: Collector<number>) {
    for (let i = from; i < to; i++) out.collect(i);
  },
};

/** One file per instance in `dir`, a line per record (state in the instance: each worker gets its own copy). */
class FilesIn implements OutputFormat<number> {
  readonly dir: string;
  private lines: string[] = [];
  private file = '';
  constructor(dir: string) {
    this.dir = dir;
  }
  open(task: number, tasks: number): void {
    this.file = join(this.dir, `part-${task + 1}-of-${tasks}`);
    this.lines = [];
  }
  writeRecord(n: number): void {
    this.lines.push(String(n));
  }
  close(): void {
    writeFileSync(this.file, this.lines.map((l) => `${l}\n`).join(''));
  }
}

for (const p of PARALLELISMS) {
  test(`createInput reads every split once and output(format) writes every record once, per instance, at p=${p}`, async () => {
    const dir = tempDir();
    const env = envAt(p);
    env
      .createInput(ranges)
      .map((n) => n * 2)
      .output(new FilesIn(dir));
    await env.execute();
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, Array.from({ length: p }, (_, i) => `part-${i + 1}-of-${p}`).sort());
    const written = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map(Number));
    assertSameMultiset(
      written,
      Array.from({ length: p * 30 }, (_, i) => i * 2),
    );
  });

  test(`a throwing readSplit or writeRecord fails the job naming the operator, at p=${p}`, async () => {
    const bad: InputFormat<number> = {
      createInputSplits: () => [1, 2],
      readSplit(split) {
        if (split === 2) throw new Error('cannot read split two');
      },
    };
    await assert.rejects(
      envAt(p).createInput(bad).collect(),
      (e: unknown) => e instanceof JobExecutionError && /DataSource \(createInput\).*readSplit failed on split 2: cannot read split two/.test(String((e as Error).message)),
    );
    const env = envAt(p);
    env.fromElements(1).output({
      writeRecord: () => {
        throw new Error('disk says no');
      },
    });
    await assert.rejects(env.execute(), /writeRecord failed: disk says no/);
  });
}

test('a format without its methods is a plan error', () => {
  const env = envAt(1);
  assert.throws(() => env.createInput({ readSplit() {} } as never), PlanError);
  assert.throws(() => env.fromElements(1).output(42 as never), /expected \{ toError\? \} or an OutputFormat/);
});
