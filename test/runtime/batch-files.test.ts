/** Files of back-to-back record batches: whole batches written and read back, and a truncated file is an error, not a hang. */
import assert from 'node:assert/strict';
import { closeSync, openSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readBatchAt, writeAllAt } from '../../src/runtime/spill/batch-files.ts';
import { RecordReader } from '../../src/serde/record-reader.ts';
import { RecordWriter } from '../../src/serde/record-writer.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';
import { tempDir } from '../helpers.ts';

function batchOf(records: unknown[]): Uint8Array {
  const w = new RecordWriter(new TypeRegistry());
  for (const r of records) w.write(r);
  return w.finish().slice();
}

test('batches written back to back are read back one by one, then null at the end', () => {
  const path = join(tempDir('tsflink-batch-files-'), 'batches.bin');
  const a = batchOf([
    [1, 'a'],
    [2, 'b'],
  ]);
  const b = batchOf(['x'.repeat(100_000)]);
  const fd = openSync(path, 'w+');
  try {
    writeAllAt(fd, a, 0);
    writeAllAt(fd, b, a.length);
    const reader = new RecordReader(new TypeRegistry());
    const first = readBatchAt(fd, 0, path)!;
    assert.deepEqual(reader.readAll(first), [
      [1, 'a'],
      [2, 'b'],
    ]);
    const second = readBatchAt(fd, first.length, path)!;
    assert.deepEqual(reader.readAll(second), ['x'.repeat(100_000)]);
    assert.equal(readBatchAt(fd, first.length + second.length, path), null);
  } finally {
    closeSync(fd);
  }
});

test('a batch cut short by the end of the file is an error naming the file', () => {
  const path = join(tempDir('tsflink-batch-files-'), 'cut.bin');
  const a = batchOf([
    [1, 'a'],
    [2, 'b'],
  ]);
  const fd = openSync(path, 'w+');
  try {
    writeAllAt(fd, a, 0);
    truncateSync(path, a.length - 3);
    assert.throws(() => readBatchAt(fd, 0, path), new RegExp(`spill file ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} ended early`));
  } finally {
    closeSync(fd);
  }
});
