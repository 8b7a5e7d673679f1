/**
 * Errors thrown in a worker thread reach the coordinator as plain data and are rebuilt there as
 * the same class with the same message, so a job fails with the same text on every engine.
 */
import * as errors from '../../errors/index.ts';
import type { ErrorInfo } from './protocol.ts';

export function describeError(error: unknown): ErrorInfo {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), props: {} };
  const props: Record<string, unknown> = {};
  for (const key of ['operator', 'record', 'file', 'line', 'field', 'reason', 'path', 'directory', 'jobName']) {
    const v = (error as unknown as Record<string, unknown>)[key];
    if (v === undefined || typeof v === 'string' || typeof v === 'number') props[key] = v;
  }
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) props.cause = describeError(cause);
  return { name: error.name, message: error.message, stack: error.stack, props };
}

/** JavaScript's own error classes, which a user function's error (a cause) is often an instance of. */
const BUILT_IN_ERRORS: Readonly<Record<string, unknown>> = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError };

export function rebuildError(info: ErrorInfo): Error {
  const cls = (errors as Record<string, unknown>)[info.name] ?? BUILT_IN_ERRORS[info.name];
  const proto = typeof cls === 'function' && cls.prototype instanceof Error ? cls.prototype : Error.prototype;
  const error = Object.create(proto) as Error;
  Object.defineProperty(error, 'message', { value: info.message, writable: true, configurable: true });
  Object.defineProperty(error, 'name', { value: info.name, writable: true, configurable: true });
  if (info.stack) Object.defineProperty(error, 'stack', { value: info.stack, writable: true, configurable: true });
  for (const [k, v] of Object.entries(info.props)) {
    const value = k === 'cause' && v !== undefined ? rebuildError(v as ErrorInfo) : v;
    Object.defineProperty(error, k, { value, writable: true, configurable: true, enumerable: k !== 'cause' });
  }
  return error;
}
