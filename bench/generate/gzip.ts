/**
 * A gzip'd copy of a generated file (zlib level 6, one gzip member, mtime 0 in the header, so the
 * same input gives the same bytes), streamed in a child process: the manifests are synchronous.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import type { DataFacts } from './manifest.ts';

const SCRIPT = `
const { createReadStream, createWriteStream } = require('node:fs');
const { pipeline } = require('node:stream');
const { createGzip } = require('node:zlib');
const [input, output] = process.argv.slice(1);
pipeline(createReadStream(input, { highWaterMark: 1 << 20 }), createGzip({ level: 6 }), createWriteStream(output), (e) => {
  if (e) { console.error(e); process.exit(1); }
});`;

export function gzipFile(input: string, output: string): DataFacts {
  const r = spawnSync(process.execPath, ['-e', SCRIPT, input, output], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`gzip of ${input} failed (exit ${r.status})`);
  return { uncompressedBytes: statSync(input).size };
}
