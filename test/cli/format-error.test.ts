import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatError } from '../../src/cli/format-error.ts';
import { JobExecutionError, PlanError, UserFunctionError } from '../../src/errors/index.ts';

/** The paragraph without its last line, where the user's code threw and the --verbose hint, if it has one. */
function quiet(error: unknown): string {
  const text = formatError(error);
  const lines = text.split('\n');
  const last = lines[lines.length - 1]!;
  if (!/\(--verbose prints the stack traces\)$/.test(last)) return text;
  return lines.slice(0, -1).join('\n');
}

test('one line: tsflink, the class name and the message', () => {
  assert.equal(quiet(new PlanError('groupBy(5) on a 2-tuple')), 'tsflink: PlanError: groupBy(5) on a 2-tuple');
});

test('the cause chain, one line per cause that says something new; the innermost keeps its class', () => {
  const root = new TypeError('x.split is not a function');
  const user = new UserFunctionError('Map at wc.ts:7', '(1,a)', root);
  const job = new JobExecutionError('WordCount', user);
  assert.equal(
    quiet(job),
    [`tsflink: JobExecutionError: Job 'WordCount' failed: User function of operator 'Map at wc.ts:7' failed on record (1,a): x.split is not a function`, '  caused by: TypeError'].join('\n'),
  );
  assert.equal(quiet(new Error('cannot load', { cause: new RangeError('bad input') })), 'tsflink: Error: cannot load\n  caused by: RangeError: bad input');
});

test("the user's line the error comes from, relative to the working directory", () => {
  const where = formatError(new Error('outer', { cause: new Error('from here') }))
    .split('\n')
    .at(-1)!;
  assert.match(where, /^ {2}at test\/cli\/format-error\.test\.ts:\d+:\d+ \(--verbose prints the stack traces\)$/);
});

test('no stack trace unless verbose', () => {
  const error = new Error('boom', { cause: new Error('inner') });
  const short = quiet(error);
  assert.doesNotMatch(short, /\n\s+at /);
  const verbose = formatError(error, true);
  assert.ok(verbose.startsWith('tsflink: Error: boom\n    at '), verbose);
  assert.match(verbose, /\n {2}caused by: Error: inner\n {6}at /);
});

test('non-Error values: strings as they are, others inspected; non-Error causes too', () => {
  assert.equal(formatError('plain text'), 'tsflink: plain text');
  assert.equal(formatError({ code: 42 }), 'tsflink: thrown value { code: 42 }');
  assert.equal(formatError(undefined), 'tsflink: thrown value undefined');
  assert.equal(quiet(new Error('outer', { cause: 'why' })), 'tsflink: Error: outer\n  caused by: why');
});

test('an empty message shows the class name only', () => {
  assert.equal(quiet(new RangeError()), 'tsflink: RangeError');
});

test('a cyclic cause chain ends', () => {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.equal(quiet(a), 'tsflink: Error: a\n  caused by: Error: b');
});

test('a null cause is no cause', () => {
  assert.equal(quiet(new Error('a', { cause: null })), 'tsflink: Error: a');
});
