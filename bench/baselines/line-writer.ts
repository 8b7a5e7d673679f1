/** Buffered output for the baselines: lines gathered into ~1 MiB strings, each written with one `fs.writeSync`. */
import { closeSync, openSync, writeSync } from 'node:fs';

export class LineWriter {
  private readonly fd: number;
  private pending = '';

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  line(text: string): void {
    this.pending += `${text}\n`;
    if (this.pending.length >= 1 << 20) {
      writeSync(this.fd, this.pending);
      this.pending = '';
    }
  }

  close(): void {
    if (this.pending.length > 0) writeSync(this.fd, this.pending);
    closeSync(this.fd);
  }
}
