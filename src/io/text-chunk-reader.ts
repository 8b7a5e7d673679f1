/**
 * Reads a file as UTF-8 text, one chunk at a time, synchronously: the input side of
 * `readText` and `readCsv`. Never holds the whole file; a character split across two
 * chunks is decoded whole (string_decoder keeps the partial bytes).
 *
 * Bytes that are not UTF-8 become U+FFFD, one per maximal invalid subsequence (the WHATWG
 * decoder, as Java's decoder with REPLACE does), wherever the chunk boundaries fall, so every
 * parallelism reads the same text. A UTF-8 byte-order mark at the start of a file is not text
 * and is skipped (Java's UTF-8 decoder, and so Flink's text formats, keep it as U+FEFF in the
 * first value, where it silently breaks that field's parse or match; DuckDB, Spark and pandas skip it). A file that starts like gzip, zstd
 * or xz data is an error naming it, not a stream of replacement characters.
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
    if (start === 0) this.position = this.skipFileStart();
  }

  /** Where the text of the file starts: after a byte-order mark. Refuses compressed data. */
  private skipFileStart(): number {
    const head = Buffer.alloc(6);
    let n: number;
    try {
      n = readSync(this.fd, head, 0, head.length, 0);
    } catch (e) {
      this.close();
      throw new InputPathError(this.file, `Cannot read input file '${this.file}': ${(e as Error).message}`, { cause: e });
    }
    const compression = compressionOf(head.subarray(0, n));
    if (compression !== null) {
      this.close();
      throw new InputPathError(this.file, `Input file '${this.file}' holds ${compression}-compressed data; tsflink does not read compressed input yet: decompress it first`);
    }
    return Math.min(utf8BomLength(head.subarray(0, n)), this.end);
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

/** 3 when `bytes` start with a UTF-8 byte-order mark (EF BB BF), else 0. */
export function utf8BomLength(bytes: Uint8Array): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/**
 * The compression whose magic number starts `head`, or null. Only magic numbers that cannot
 * start UTF-8 text (each holds a byte no valid text has there) count, so no text file is refused.
 */
function compressionOf(head: Uint8Array): string | null {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  return null;
}
