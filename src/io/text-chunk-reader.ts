/**
 * Reads a file as UTF-8 text, one chunk at a time, synchronously: the input side of
 * `readText` and `readCsv`. Never holds the whole file; a character split across two
 * chunks is decoded whole (string_decoder keeps the partial bytes).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputPathError } from '../errors/index.ts';

export const DEFAULT_CHUNK_SIZE = 1 << 20;

export class TextChunkReader {
  readonly file: string;
  private fd: number;
  private readonly buffer: Buffer;
  private readonly decoder = new StringDecoder('utf8');
  private position: number;
  private readonly end: number;
  private done = false;

  /** Reads bytes [start, end) of the file (an input split; see input-splits.ts), all of it by default. */
  constructor(file: string, chunkSize = DEFAULT_CHUNK_SIZE, start = 0, end = Number.POSITIVE_INFINITY) {
    this.position = start;
    this.end = end;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
    this.file = file;
    try {
      this.fd = openSync(file, 'r');
    } catch (e) {
      throw new InputPathError(file, `Cannot open input file '${file}': ${(e as Error).message}`, { cause: e });
    }
    this.buffer = Buffer.allocUnsafe(chunkSize);
  }

  /** The next decoded text (possibly '' while a character is incomplete), or null at the end of the file. */
  next(): string | null {
    if (this.done) return null;
    let n: number;
    try {
      n = this.position >= this.end ? 0 : readSync(this.fd, this.buffer, 0, Math.min(this.buffer.length, this.end - this.position), this.position);
    } catch (e) {
      throw new InputPathError(this.file, `Cannot read input file '${this.file}': ${(e as Error).message}`, { cause: e });
    }
    if (n === 0) {
      this.done = true;
      const rest = this.decoder.end();
      return rest.length > 0 ? rest : null;
    }
    this.position += n;
    return this.decoder.write(n === this.buffer.length ? this.buffer : this.buffer.subarray(0, n));
  }

  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
