/**
 * Files of binary record batches written back to back — spilled runs, hash partitions and
 * exchanges: writing a batch whole at an offset, and reading one back whole.
 */
import { readSync, writeSync } from 'node:fs';
import { HEADER_SIZE } from '../../serde/record-format.ts';

/** Writes every byte of `bytes` at `position`. */
export function writeAllAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
}

/** Fills `into` from `position`; a file that ends first is an error naming `path`, never a hang. */
export function readExactlyAt(fd: number, into: Uint8Array, position: number, path: string): void {
  let done = 0;
  while (done < into.byteLength) {
    const n = readSync(fd, into, done, into.byteLength - done, position + done);
    if (n === 0) throw new Error(`spill file ${path} ended early`);
    done += n;
  }
}

/** The whole batch stored at `position` (its header says how long it is), or null at the end of the file. */
export function readBatchAt(fd: number, position: number, path: string): Uint8Array | null {
  const header = new Uint8Array(HEADER_SIZE);
  const n = readSync(fd, header, 0, HEADER_SIZE, position);
  if (n === 0) return null;
  if (n < HEADER_SIZE) readExactlyAt(fd, header.subarray(n), position + n, path);
  const body = new DataView(header.buffer).getUint32(12, true);
  const batch = new Uint8Array(HEADER_SIZE + body);
  batch.set(header);
  readExactlyAt(fd, batch.subarray(HEADER_SIZE), position + HEADER_SIZE, path);
  return batch;
}
