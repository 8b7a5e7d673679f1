/**
 * Argument checks shared by the environment, data sets and sinks. A bad argument is a PlanError
 * raised by the call that got it, naming that call and its place in the user's script
 * (`map at job.ts:12: …`), so the user can find the line without a stack trace.
 */
import { PlanError } from '../errors/index.ts';
import { userCallSite } from './call-site.ts';

/** `map at job.ts:12`: the user's call, for plan errors (just `map` when no frame of the script is on the stack). */
export function callAt(what: string): string {
  const site = userCallSite();
  return site ? `${what} at ${site}` : what;
}

/** A PlanError whose message starts with the call and its place in the user's script. */
export function planError(what: string, message: string): PlanError {
  return new PlanError(`${callAt(what)}: ${message}`);
}

export function checkParallelism(parallelism: number): number {
  if (!Number.isInteger(parallelism) || parallelism < 1) throw planError('setParallelism', `${parallelism} is not a positive integer`);
  return parallelism;
}

/** A short description of a bad argument: `the number 42`, `null`, `a plain object without a map() method`. */
export function describeArgument(v: unknown, method?: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'bigint':
    case 'boolean':
      return `the ${typeof v} ${String(v)}`;
    case 'string':
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'symbol':
      return `a symbol`;
    case 'function':
      return 'a function';
    default: {
      const without = method === undefined ? '' : ` without a ${method}() method`;
      if (Array.isArray(v)) return `an array${without}`;
      const proto: unknown = Object.getPrototypeOf(v);
      const ctor = (proto as { constructor?: { name?: unknown } } | null)?.constructor;
      if (proto === null || proto === Object.prototype || typeof ctor?.name !== 'string' || ctor.name === '') return `a plain object${without}`;
      return `an instance of ${ctor.name}${without}`;
    }
  }
}

/** A class (not an instance) passed where its instance belongs: `map(MyMap)` instead of `map(new MyMap())`. */
function isClass(f: object): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/**
 * A user function argument: a plain function, or an object with the method the operator calls
 * (a rich function such as `new MyMap()` whose class extends `MapFunction`). `richClass` names
 * the base class for the message. Anything else fails here, at the call, not when a task runs.
 */
export function checkFunction(f: unknown, what: string, method: string, richClass: string): void {
  if (typeof f === 'function') {
    if (isClass(f)) throw planError(what, `got the class ${f.name || '(anonymous)'} itself; pass an instance (new ${f.name || 'MyFunction'}()) or a plain function`);
    return;
  }
  if (f !== null && typeof f === 'object' && typeof (f as Record<string, unknown>)[method] === 'function') return;
  throw planError(what, `expected a function or a ${richClass} (an object with a ${method}() method), got ${describeArgument(f, method)}`);
}
