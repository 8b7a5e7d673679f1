/**
 * WordCount on a gzip'd text file by hand, on one thread: fs.createReadStream → zlib.createGunzip
 * → a StringDecoder → lines → lower-cased words → a Map of counts → `word,count` rows.
 *
 *   node --import tsx bench/baselines/wordcount-gzip.ts <input.txt.gz> <output.csv>
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { WORD_SEPARATOR } from '../shared/word-separator.ts';
import { LineWriter } from './line-writer.ts';

const [input, output] = process.argv.slice(2) as [string, string];

const counts = new Map<string, number>();
const countLine = (line: string): void => {
  for (const word of line.toLowerCase().split(WORD_SEPARATOR)) {
    if (word.length > 0) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
};

const decoder = new StringDecoder('utf8');
let rest = '';
const gunzip = createGunzip({ chunkSize: 1 << 20 });
// pipeline: a read error destroys the gunzip stream with it, and the loop below throws it.
pipeline(createReadStream(input, { highWaterMark: 1 << 20 }), gunzip, () => {});
for await (const chunk of gunzip) {
  const text = rest + decoder.write(chunk as Buffer);
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    countLine(text.slice(start, nl));
    start = nl + 1;
  }
  rest = text.slice(start);
}
rest += decoder.end();
if (rest.length > 0) countLine(rest);

const out = new LineWriter(output);
for (const [word, count] of counts) out.line(`${word},${count}`);
out.close();
