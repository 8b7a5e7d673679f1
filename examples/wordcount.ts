/**
 * WordCount: the classic. Counts the words of a text file (or directory of files).
 *
 *   npx tsflink run examples/wordcount.ts - [input] [output.csv]
 *
 * Without an output path the counts are printed on stdout, one `(word,count)` per line.
 */
import { getEnvironment } from 'tsflink';

const [input = new URL('./data/hamlet.txt', import.meta.url).pathname, output] = process.argv.slice(2);

const env = getEnvironment();
const counts = env
  .readText(input)
  .flatMap((line: string) =>
    line
      .toLowerCase()
      .split(/[^\p{L}\p{N}']+/u)
      .filter((word) => word.length > 0),
  )
  .name('Tokenizer')
  .map((word) => [word, 1])
  .groupBy(0)
  .sum(1)
  .name('Count');

if (output) counts.writeCsv(output, { fieldDelimiter: ',' });
else counts.output();

await env.execute({ jobName: 'WordCount' });
