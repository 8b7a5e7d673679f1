/**
 * The options of a declared-async operator (`mapAsync`, `flatMapAsync`), checked at the call and
 * turned into the plan's AsyncSpec. Semantics: docs/async-operators.md.
 */
import type { AsyncRetrySpec, AsyncSpec } from '../plan/nodes.ts';
import { describeArgument, planError } from './checks.ts';
import type { UserObjects } from './user-objects.ts';

/** Flink's AsyncDataStream default capacity. */
export const DEFAULT_ASYNC_CAPACITY = 100;

export interface AsyncOptions {
  /** Invocations per parallel subtask started and not yet emitted (Flink's capacity); default 100. */
  capacity?: number;
  /** Emit results in input order (Flink's orderedWait, the default), or as they complete (unorderedWait). */
  ordered?: boolean;
  /** Milliseconds one attempt may take before it counts as failed (retried if `retry` allows); default: no limit. */
  timeoutMs?: number;
  /** Retries of an element whose attempt rejected, threw or timed out (Flink's AsyncRetryStrategy); default: none. */
  retry?: AsyncRetryOptions;
}

export interface AsyncRetryOptions {
  /** Attempts after the first: an element is invoked at most 1 + maxRetries times. */
  maxRetries: number;
  /** Milliseconds before the first retry; default 0. */
  delayMs?: number;
  /** Each further retry waits this many times longer (exponential backoff); default 1 (a fixed delay). */
  multiplier?: number;
  /** The longest wait between attempts; default: no cap. */
  maxDelayMs?: number;
  /** Retries only errors this accepts (a timeout is an AsyncTimeoutError); default: every error. */
  retryIf?: (error: unknown) => boolean;
}

export function toAsyncSpec(what: string, options: AsyncOptions | undefined, objects: UserObjects): AsyncSpec {
  if (options === undefined) return { capacity: DEFAULT_ASYNC_CAPACITY, ordered: true, timeoutMs: null, retry: null };
  if (options === null || typeof options !== 'object') throw planError(what, `expected an options object, got ${describeArgument(options)}`);
  const capacity = options.capacity ?? DEFAULT_ASYNC_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1) throw planError(what, `capacity must be a positive integer, got ${describeArgument(capacity)}`);
  if (options.ordered !== undefined && typeof options.ordered !== 'boolean') throw planError(what, `ordered must be a boolean, got ${describeArgument(options.ordered)}`);
  const timeoutMs = options.timeoutMs ?? null;
  if (timeoutMs !== null) checkMs(what, 'timeoutMs', timeoutMs, false);
  return { capacity, ordered: options.ordered ?? true, timeoutMs, retry: options.retry === undefined ? null : toRetrySpec(what, options.retry, objects) };
}

function toRetrySpec(what: string, retry: AsyncRetryOptions, objects: UserObjects): AsyncRetrySpec {
  if (retry === null || typeof retry !== 'object') throw planError(what, `retry must be an object ({ maxRetries, delayMs? … }), got ${describeArgument(retry)}`);
  if (!Number.isInteger(retry.maxRetries) || retry.maxRetries < 0) throw planError(what, `retry.maxRetries must be a non-negative integer, got ${describeArgument(retry.maxRetries)}`);
  const delayMs = retry.delayMs ?? 0;
  checkMs(what, 'retry.delayMs', delayMs, true);
  const multiplier = retry.multiplier ?? 1;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1) throw planError(what, `retry.multiplier must be a number ≥ 1, got ${describeArgument(multiplier)}`);
  const maxDelayMs = retry.maxDelayMs ?? null;
  if (maxDelayMs !== null) checkMs(what, 'retry.maxDelayMs', maxDelayMs, true);
  let retryIf: string | null = null;
  if (retry.retryIf !== undefined) {
    if (typeof retry.retryIf !== 'function') throw planError(what, `retry.retryIf must be a function (error) => boolean, got ${describeArgument(retry.retryIf)}`);
    retryIf = objects.add(retry.retryIf);
  }
  return { maxRetries: retry.maxRetries, delayMs, multiplier, maxDelayMs, fn: retryIf };
}

function checkMs(what: string, name: string, ms: unknown, zeroOk: boolean): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || (!zeroOk && ms === 0)) {
    throw planError(what, `${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number of milliseconds, got ${describeArgument(ms)}`);
  }
}
