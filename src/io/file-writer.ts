/**
 * A synchronous, buffered UTF-8 file writer for sinks: one `fs.writeSync` per ~1 MiB.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const BUFFER_BYTES = 1 << 20;

export class BufferedFileWriter {
  readonly path: string;
  private fd: number;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;

  /** Creates (or truncates) the file, and its parent directories. */
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    if (this.fd < 0) throw new Error(`BufferedFileWriter: '${this.path}' is closed`);
    // A UTF-16 code unit takes at most 3 UTF-8 bytes, so this bound guarantees that the text fits.
    if (this.used + 3 * text.length > BUFFER_BYTES) {
      this.flush();
      if (3 * text.length > BUFFER_BYTES) {
        writeFully(this.fd, Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Writes what is buffered and closes the file. A second call does nothing. */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private flush(): void {
    if (this.used > 0) writeFully(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

function writeFully(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}
