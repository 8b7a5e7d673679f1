/** The error of a record emitted after its operator (or sink) had finished. */
import { TaskError } from '../errors/index.ts';

export function lateRecord(operator: string): TaskError {
  return new TaskError(operator, 'a record was emitted after the operator had finished (from a timer, a promise or a stored collector?); emit records before the function returns, or from close()');
}
