/**
 * Writes generated text to a file in ~1 MiB pieces and counts the bytes written, so a generator
 * can stop at a target size. Generated data is ASCII: a string's length is its size in bytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_AT = 1 << 20;

export class ChunkedWriter {
  private readonly fd: number;
  private pending = '';
  /** Bytes written or pending. */
  bytes = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.pending += text;
    this.bytes += text.length;
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length > 0) writeSync(this.fd, this.pending);
    this.pending = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
