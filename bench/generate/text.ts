/**
 * WordCount input: lines of English-looking prose whose words follow a Zipf law over a fixed
 * vocabulary — a few very common short words, a long tail of rare long ones — with
 * capitalised sentence starts and punctuation, so the tokenizer has real work to do.
 */
import { ChunkedWriter } from './chunked-writer.ts';
import type { DataFacts } from './manifest.ts';
import { ZipfSampler, randomInt, seededRandom } from './random.ts';

export interface TextParams {
  readonly bytes: number;
  readonly vocabulary: number;
}

const CONSONANTS = 'bcdfghjklmnprstvwyz';
const VOWELS = 'aeiou';

/** Distinct lower-case words; rank r has about log10(r) + 1 syllables, so frequent words are short. */
export function makeVocabulary(size: number, random: () => number): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  while (words.length < size) {
    const syllables = 1 + Math.floor(Math.log10(words.length + 1)) + randomInt(random, 2);
    let w = '';
    for (let s = 0; s < syllables; s++) w += CONSONANTS[randomInt(random, CONSONANTS.length)]! + VOWELS[randomInt(random, VOWELS.length)]!;
    if (random() < 0.3) w += CONSONANTS[randomInt(random, CONSONANTS.length)]!;
    if (words.length > 50 && random() < 0.01) w += "'s";
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words;
}

export function generateText(path: string, params: TextParams, seed: number): DataFacts {
  const random = seededRandom(seed);
  const words = makeVocabulary(params.vocabulary, random);
  const zipf = new ZipfSampler(words.length, 1.0);
  const out = new ChunkedWriter(path);
  let lines = 0;
  let tokens = 0;
  let sentenceStart = true;
  while (out.bytes < params.bytes) {
    const n = 6 + randomInt(random, 13);
    let line = '';
    for (let i = 0; i < n; i++) {
      let w = words[zipf.sample(random)]!;
      if (sentenceStart) w = w[0]!.toUpperCase() + w.slice(1);
      sentenceStart = false;
      const p = random();
      if (i === n - 1 || p < 0.07) {
        w += '.';
        sentenceStart = true;
      } else if (p < 0.15) w += ',';
      else if (p < 0.16) w += ';';
      else if (p < 0.165) w = `"${w}"`;
      line += i === 0 ? w : ` ${w}`;
    }
    out.write(`${line}\n`);
    lines++;
    tokens += n;
  }
  out.close();
  return { lines, words: tokens };
}
