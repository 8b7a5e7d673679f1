/**
 * WordCount as a tsflink job: readText → tokenize → groupBy(word).sum(count) → CSV.
 *
 *   tsflink run bench/jobs/wordcount.ts -p N - <input.txt> <output>
 */
import { WriteMode, getEnvironment } from 'tsflink';
import { WORD_SEPARATOR } from '../shared/word-separator.ts';

const [input, output] = process.argv.slice(2) as [string, string];

const env = getEnvironment();
env
  .readText(input)
  .flatMap<[string, number]>((line, out) => {
    for (const word of line.toLowerCase().split(WORD_SEPARATOR)) {
      if (word.length > 0) out.collect([word, 1]);
    }
  })
  .name('Tokenizer')
  .groupBy(0)
  .sum(1)
  .name('Count')
  .writeCsv(output, { writeMode: WriteMode.OVERWRITE });

await env.execute({ jobName: 'bench: WordCount' });
