/**
 * Turns a user object (a plain function or a rich-function instance) into what a driver calls.
 * Each parallel instance gets its own copy of a rich function, as Flink deserialises one per
 * subtask, so `this` state and `this.context` are per instance.
 */
import { TaskError, TsflinkError, UserFunctionError } from '../errors/index.ts';
import { cloneFunctionInstance } from './clone-function.ts';
import { describeRecord } from './describe-record.ts';
import type { SubtaskContext } from './runtime-context.ts';

export interface BoundFunction<F> {
  readonly call: F;
  /** Another method of the same rich-function instance, bound (null: a plain function, or no such method). */
  method<M>(name: string): M | null;
  open(): void;
  close(): void;
}

interface RichShape {
  context?: unknown;
  open?(ctx: unknown): void;
  close?(): void;
  [method: string]: unknown;
}

export function bindUserFunction<F>(userObject: unknown, method: string, ctx: SubtaskContext, operator: string): BoundFunction<F> {
  if (typeof userObject === 'function') {
    return { call: userObject as F, method: () => null, open() {}, close() {} };
  }
  if (userObject === null || typeof userObject !== 'object') throw new TaskError(operator, `expected a function, got ${typeof userObject}`);
  const instance = cloneFunctionInstance(userObject) as RichShape;
  const m = instance[method];
  if (typeof m !== 'function') throw new TaskError(operator, `the rich function ${instance.constructor?.name ?? 'object'} has no ${method}() method`);
  instance.context = ctx;
  let closed = false;
  return {
    call: m.bind(instance) as F,
    method<M>(name: string): M | null {
      const other = instance[name];
      return typeof other === 'function' ? (other.bind(instance) as M) : null;
    },
    open() {
      if (typeof instance.open === 'function') {
        try {
          instance.open(ctx);
        } catch (e) {
          throw wrapUserError(operator, undefined, e);
        }
      }
    },
    close() {
      // Once: the chain closes an operator's functions when it has emitted its last record (task-runner.ts).
      if (closed) return;
      closed = true;
      if (typeof instance.close === 'function') {
        try {
          instance.close();
        } catch (e) {
          throw wrapUserError(operator, undefined, e);
        }
      }
    },
  };
}

/** An error thrown inside a user function, named after its operator; errors from further down the chain pass through. */
export function wrapUserError(operator: string, record: unknown, error: unknown): Error {
  if (error instanceof TsflinkError) return error;
  return new UserFunctionError(operator, record === undefined ? undefined : describeRecord(record), error);
}
