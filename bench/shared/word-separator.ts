/**
 * The one tokenizer rule every WordCount contender uses (on the lower-cased line), so they all
 * count the same words: runs of letters, digits and apostrophes.
 */
export const WORD_SEPARATOR = /[^a-z0-9']+/;
