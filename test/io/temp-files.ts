/** Real temporary files for the io tests; every directory is removed when the process exits. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsflink-io-'));
  created.push(dir);
  return dir;
}

/** Writes `content` (a string as UTF-8, or raw bytes) to a new file in a new temp directory. */
export function tempFile(content: string | Uint8Array, name = 'input.txt'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, content);
  return file;
}
