/** Emits what a flatMap-like user function returned: nothing, or each element of an iterable. */
import { TaskError } from '../errors/index.ts';
import type { Output } from './collector.ts';

export function emitReturned(result: unknown, out: Output, operator: string): void {
  if (result === undefined || result === null) return;
  if (result instanceof Promise) throw returnedPromise(operator);
  if (Array.isArray(result)) {
    for (let i = 0; i < result.length; i++) out.collect(result[i]);
    return;
  }
  if (typeof result === 'object' && typeof (result as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const v of result as Iterable<unknown>) out.collect(v);
    return;
  }
  throw new TaskError(operator, `the function returned ${typeof result === 'string' ? 'a string' : typeof result}; return an iterable (e.g. an array) of elements, or call out.collect()`);
}

/**
 * tsflink's functions are synchronous, as Flink's are, unless the operator is declared async: a Promise returned (an `async` function)
 * would be taken for the element itself, or for `true` by a filter. One `instanceof` per call.
 */
export function returnedPromise(operator: string): TaskError {
  return new TaskError(
    operator,
    'the function returned a Promise (is it async?); functions must return their result synchronously: declare the operator async (mapAsync, flatMapAsync: docs/async-operators.md), or do the asynchronous work before the job (e.g. fetch the data, then fromCollection) or after it (on what collect() returns)',
  );
}
