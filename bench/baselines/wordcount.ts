/**
 * WordCount by hand, on one thread: lines → lower-cased words → a Map of counts → `word,count` rows.
 *
 *   node --import tsx bench/baselines/wordcount.ts <input.txt> <output.csv>
 */
import { WORD_SEPARATOR } from '../shared/word-separator.ts';
import { LineWriter } from './line-writer.ts';
import { forEachLine } from './read-lines.ts';

const [input, output] = process.argv.slice(2) as [string, string];

const counts = new Map<string, number>();
forEachLine(input, (line) => {
  for (const word of line.toLowerCase().split(WORD_SEPARATOR)) {
    if (word.length > 0) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
});

const out = new LineWriter(output);
for (const [word, count] of counts) out.line(`${word},${count}`);
out.close();
