/**
 * The driver of a declared-async operator (mapAsync, flatMapAsync): Flink's AsyncWaitOperator
 * for batch. It pulls its input a batch at a time (InputChannel.batches) and starts one invocation
 * per record while fewer than `capacity` are pending; at capacity it awaits until one is emitted,
 * so it never reads (nor starts) more of its input than that. Ordered: results wait in a queue
 * and leave it in input order (capacity counts the queue, completed entries included, as
 * Flink's); unordered: each leaves as it completes. A failed attempt (rejection, throw, timeout)
 * is retried as the retry spec says; a final failure fails the subtask at once, and what is still
 * in flight is ignored. The chain behind it stays a synchronous push: results enter it from the
 * promise callbacks. Its output is closed (and so the function's close() called: CloseHook) only
 * after the last invocation has settled. Semantics: docs/async-operators.md.
 */
import { AsyncTimeoutError, UserFunctionError } from '../../errors/index.ts';
import type { AsyncSpec, NodeParams } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { describeRecord } from '../describe-record.ts';
import { emitReturned } from '../emit.ts';
import type { InputChannel } from '../input-channel.ts';
import type { OperatorSetup } from '../operator-setup.ts';

type AsyncParams = NodeParams & { kind: 'MapAsync' | 'FlatMapAsync' };
type Invoke = (value: unknown) => unknown;

/** A started element in ordered mode: its result once done, until its turn to be emitted. */
interface Pending {
  done: boolean;
  value: unknown;
}

export function prepareAsync(setup: OperatorSetup, params: AsyncParams): (inputs: readonly InputChannel[], out: Output) => Promise<void> {
  const flat = params.kind === 'FlatMapAsync';
  const bound = setup.bind<Invoke>(params.fn, flat ? 'asyncFlatMap' : 'asyncMap');
  const onTimeout = bound.method<Invoke>('timeout');
  const spec = params.async;
  const retryIf = spec.retry?.fn != null ? setup.fn<(error: unknown) => unknown>(spec.retry.fn, 'retryIf') : null;
  const attempts = createAttempts(bound.call, onTimeout, spec, retryIf);
  const { capacity, ordered } = spec;
  const name = setup.name;
  // A result that waits for earlier ones is held: copied then, as every held record is.
  const hold = flat ? (v: unknown) => holdIterable(v, setup) : (v: unknown) => setup.copy(v);

  return async (inputs, out) => {
    const emit = flat ? (v: unknown) => emitReturned(v, out, name) : (v: unknown) => out.collect(v);
    let pending = 0; // started and not yet emitted
    let failure: unknown = null;
    let wake: (() => void) | null = null;
    const signal = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const fail = (e: unknown): void => {
      failure ??= e;
      signal();
    };
    const queue: (Pending | undefined)[] = [];
    let head = 0;
    const drain = (): void => {
      for (let e = queue[head]; e?.done; e = queue[head]) {
        queue[head++] = undefined;
        pending--;
        emit(e.value);
      }
      if (head >= 1024 && head * 2 >= queue.length) {
        queue.splice(0, head);
        head = 0;
      }
    };
    const start = (record: unknown): void => {
      pending++;
      const entry: Pending | null = ordered ? { done: false, value: undefined } : null;
      if (entry !== null) queue.push(entry);
      attempts
        .run(record, () => failure !== null)
        .then(
          (result) => {
            if (failure !== null) return;
            try {
              if (entry === null) {
                pending--;
                emit(result);
              } else {
                entry.done = true;
                entry.value = queue[head] === entry ? result : hold(result);
                drain();
              }
            } catch (e) {
              fail(e); // from the chain behind (a sink, a key): it names its own operator
              return;
            }
            signal();
          },
          (e: unknown) => fail(new UserFunctionError(name, describeRecord(record), e)),
        );
    };
    const room = (): Promise<void> => new Promise((resolve) => (wake = resolve));
    for (const input of inputs) {
      for (const batch of input.batches()) {
        for (let i = 0; i < batch.length; i++) {
          while (pending >= capacity && failure === null) await room();
          if (failure !== null) throw failure;
          start(batch[i]);
        }
      }
    }
    while (pending > 0 && failure === null) await room();
    if (failure !== null) throw failure;
    out.close();
  };
}

/** A flatMapAsync result held in the ordered queue: its elements, copied (what emitReturned rejects stays as it is, to be rejected at its turn). */
function holdIterable(v: unknown, setup: OperatorSetup): unknown {
  if (v === null || v === undefined || typeof v !== 'object' || typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function') return v;
  return Array.from(v as Iterable<unknown>, (x) => setup.copy(x));
}

/** One element's attempts: invocation, timeout, retries with backoff, the timeout() hook. */
function createAttempts(invoke: Invoke, onTimeout: Invoke | null, spec: AsyncSpec, retryIf: ((error: unknown) => unknown) | null) {
  const { timeoutMs, retry } = spec;
  const once = (record: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | null = null;
      const settle = (ok: boolean, v: unknown): void => {
        if (settled) return;
        settled = true;
        if (timer !== null) clearTimeout(timer);
        if (ok) resolve(v);
        else reject(v);
      };
      let r: unknown;
      try {
        r = invoke(record);
      } catch (e) {
        settle(false, e);
        return;
      }
      if (!isThenable(r)) {
        settle(true, r);
        return;
      }
      // The timed-out Promise is not cancelled (JavaScript cannot): it runs on, and what it gives is ignored.
      if (timeoutMs !== null) timer = setTimeout(() => settle(false, new AsyncTimeoutError(timeoutMs)), timeoutMs);
      r.then(
        (v) => settle(true, v),
        (e) => settle(false, e),
      );
    });
  const delayBefore = (retryNumber: number): number => {
    const d = retry!.delayMs * retry!.multiplier ** (retryNumber - 1);
    return retry!.maxDelayMs === null ? d : Math.min(d, retry!.maxDelayMs);
  };
  return {
    async run(record: unknown, aborted: () => boolean): Promise<unknown> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(record);
        } catch (e) {
          if (!aborted() && retry !== null && attempt <= retry.maxRetries && (retryIf === null || retryIf(e))) {
            const ms = delayBefore(attempt);
            if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
            if (!aborted()) continue;
          }
          if (e instanceof AsyncTimeoutError && onTimeout !== null) return await onTimeout(record);
          throw attempt > 1 ? new AsyncAttemptsError(e, attempt) : e;
        }
      }
    },
  };
}

/** The last error of an element that was retried, saying how many attempts it had. */
class AsyncAttemptsError extends Error {
  constructor(last: unknown, attempts: number) {
    super(`${last instanceof Error ? last.message : String(last)} (after ${attempts} attempts)`, { cause: last });
    this.name = last instanceof Error ? last.name : 'Error';
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}
