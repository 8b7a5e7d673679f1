/**
 * A synchronous, buffered UTF-8 file writer for sinks: one `fs.writeSync` per ~1 MiB. A failed
 * file-system call (a full disk, a quota, an I/O error) is an OutputWriteError naming the sink.
 * With `gzip`, each buffer is written as one gzip member (node:zlib): the file is a valid
 * multi-member gzip file, as `cat a.gz b.gz` is, which gzip, DuckDB and readText read whole.
 */
import { gzipSync } from 'node:zlib';
import { OutputWriteError, TsflinkError } from '../errors/index.ts';
import { fileSystemOf, parentPath, type WriteHandle } from './fs/file-system.ts';

const BUFFER_BYTES = 1 << 20;

/** The sink a file belongs to, for errors. */
export interface FileOwner {
  /** The sink operator's name. */
  readonly operator: string;
  /** e.g. ` (subtask 1 of 2)`. */
  readonly where: string;
  /** The sink's target path (the file is written to its staging). */
  readonly target: string;
}

export class BufferedFileWriter {
  readonly path: string;
  private readonly owner: FileOwner | undefined;
  private fd: WriteHandle | null;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private readonly gzip: boolean;
  private written = false;

  /** Creates (or truncates) the file, and its parent directories. */
  constructor(path: string, owner?: FileOwner, options: { readonly gzip?: boolean } = {}) {
    this.path = path;
    this.owner = owner;
    this.gzip = options.gzip === true;
    try {
      this.fd = fileSystemOf(path).create(path);
    } catch (e) {
      throw this.failure(e);
    }
  }

  write(text: string): void {
    if (this.fd === null) throw new Error(`BufferedFileWriter: '${this.path}' is closed`);
    // A UTF-16 code unit takes at most 3 UTF-8 bytes, so this bound guarantees that the text fits.
    if (this.used + 3 * text.length > BUFFER_BYTES) {
      this.flush();
      if (3 * text.length > BUFFER_BYTES) {
        this.writeFully(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /**
   * For a writer of bytes (a compiled CSV sink: csv-writer.ts `writeRow`): the buffer, with room
   * for `n` more bytes at `used` (flushed first if need be), or null when `n` is more than it holds.
   * The caller writes at `used` and then `commit`s the new end.
   */
  room(n: number): Buffer | null {
    if (this.fd === null) throw new Error(`BufferedFileWriter: '${this.path}' is closed`);
    if (n > BUFFER_BYTES) return null;
    if (this.used + n > BUFFER_BYTES) this.flush();
    return this.buffer;
  }

  /** Where the next byte goes (see `room`). */
  get offset(): number {
    return this.used;
  }

  /** Ends what the caller wrote into the buffer at `end` (see `room`). */
  commit(end: number): void {
    this.used = end;
  }

  /** Writes what is buffered and closes the file. A second call does nothing. */
  close(): void {
    if (this.fd === null) return;
    let failure: unknown = null;
    try {
      this.flush();
    } catch (e) {
      failure = e;
    }
    // A failed close (EIO, a full NFS disk) loses data too; the first error is the one reported.
    try {
      this.fd.close();
    } catch (e) {
      failure ??= this.failure(e);
    }
    this.fd = null;
    if (failure !== null) throw failure;
  }

  private flush(): void {
    // (An empty gzip file is one empty member: every gzip reader takes it.)
    if (this.used > 0 || (this.gzip && !this.written)) this.writeFully(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private writeFully(raw: Uint8Array): void {
    this.written = true;
    const bytes = this.gzip ? gzipSync(raw) : raw;
    try {
      this.fd!.write(bytes);
    } catch (e) {
      throw this.failure(e);
    }
  }

  private failure(error: unknown): unknown {
    if (error instanceof TsflinkError || typeof (error as { syscall?: unknown } | null)?.syscall !== 'string') return error;
    const target = this.owner?.target ?? this.path;
    return new OutputWriteError(this.owner?.operator ?? 'a sink', this.owner?.where ?? '', target, parentPath(target), error);
  }
}

/** Whether a sink's target path asks for gzip output (`.gz`, `.gzip`). */
export function wantsGzip(target: string): boolean {
  return /\.(gz|gzip)$/i.test(target);
}
