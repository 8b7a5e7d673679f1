/**
 * Broadcast variables: every parallel instance of the filter sees the whole stop-word list.
 *
 *   npx tsflink run examples/broadcast.ts -p 2
 */
import { FilterFunction, type RuntimeContext, getEnvironment } from 'tsflink';

class NotAStopWord extends FilterFunction<string> {
  private stopWords = new Set<string>();

  override open(ctx: RuntimeContext): void {
    this.stopWords = new Set(ctx.getBroadcastVariable<string>('stopWords'));
  }

  filter(word: string): boolean {
    return !this.stopWords.has(word);
  }
}

const env = getEnvironment();
const stopWords = env.fromElements('the', 'a', 'of', 'and');
const words = env.fromElements('the', 'quick', 'brown', 'fox', 'and', 'a', 'lazy', 'dog', 'of', 'the', 'night');

words.filter(new NotAStopWord()).withBroadcastSet('stopWords', stopWords).name('Remove stop words').output();

await env.execute({ jobName: 'Broadcast stop words' });
