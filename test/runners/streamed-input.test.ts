import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StreamedInput } from '../../src/runners/flink/streamed-input.ts';
import { RecordWriter } from '../../src/serde/record-writer.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';
import { tempDir } from '../helpers.ts';

const types = new TypeRegistry();
function batch(records: unknown[]): Uint8Array {
  const w = new RecordWriter(types);
  for (const r of records) w.write(r);
  return w.finish();
}

/** A JVM stand-in: answers each credit with the next of `frames`, then the end; counts the credits. */
function jvm(frames: { slot: number; records: unknown[] }[]) {
  let credits = 0;
  const queue = frames.map((f) => ({ slot: f.slot, batch: batch(f.records) }));
  return {
    next: () => {
      credits++;
      return queue.shift() ?? null;
    },
    get credits() {
      return credits;
    },
  };
}

describe('streamed worker input (Flink target)', () => {
  it('asks for one batch at a time, as the operator reads, and spools nothing for the input being read', () => {
    const dir = join(tempDir('tsflink-stream-'), 'spool');
    const source = jvm([
      { slot: 0, records: [1, 2] },
      { slot: 0, records: [3] },
      { slot: 0, records: [4, 5] },
    ]);
    const input = new StreamedInput(1, dir, source.next);
    const seen: [number, number][] = [];
    input.channel(0, types).forEach((r) => seen.push([r as number, source.credits]));
    // Record 1 arrived after one credit, record 3 after two: nothing was read ahead.
    assert.deepEqual(seen, [
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 3],
    ]);
    assert.equal(source.credits, 4); // the last credit was answered with the end
    input.finish();
    assert.equal(source.credits, 4);
    assert.equal(existsSync(dir), false, 'the spool folder is made only when needed');
  });

  it('gives its batches one by one, sending a credit only when the next one is asked for (an async operator)', () => {
    const dir = join(tempDir('tsflink-stream-'), 'spool');
    const source = jvm([
      { slot: 0, records: [1, 2] },
      { slot: 1, records: ['b'] },
      { slot: 0, records: [3] },
    ]);
    const input = new StreamedInput(2, dir, source.next);
    const batches = input.channel(0, types).batches()[Symbol.iterator]();
    assert.equal(source.credits, 0, 'nothing asked for before the first batch is wanted');
    assert.deepEqual(batches.next().value, [1, 2]);
    assert.equal(source.credits, 1);
    assert.deepEqual(batches.next().value, [3]); // the other slot's batch is spooled on the way
    assert.equal(source.credits, 3);
    assert.equal(batches.next().done, true);
    assert.deepEqual(input.channel(1, types).toArray(), ['b']);
    input.finish();
  });

  it('spools the batches of another input that arrive meanwhile and reads them in order later', () => {
    const dir = join(tempDir('tsflink-stream-'), 'spool');
    const source = jvm([
      { slot: 0, records: ['p1', 'p2'] },
      { slot: 1, records: ['b1'] },
      { slot: 0, records: ['p3'] },
      { slot: 1, records: ['b2', 'b3'] },
    ]);
    const input = new StreamedInput(2, dir, source.next);
    const probe = input.channel(0, types);
    const build = input.channel(1, types);
    // A hash join reads its build side (slot 1) first.
    assert.deepEqual(build.toArray(), ['b1', 'b2', 'b3']);
    assert.deepEqual(readdirSync(dir), ['input-0']);
    assert.deepEqual(probe.toArray(), ['p1', 'p2', 'p3']);
    assert.equal(source.credits, 5);
    input.finish();
    assert.equal(source.credits, 5);
  });

  it('finish() reads what the operators left, so the JVM reaches the end of the input', () => {
    const dir = tempDir('tsflink-stream-');
    const source = jvm([
      { slot: 0, records: [1] },
      { slot: 1, records: [2] },
    ]);
    const input = new StreamedInput(2, dir, source.next);
    input.finish();
    assert.equal(source.credits, 3);
  });
});
