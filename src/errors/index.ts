/**
 * Every failure tsflink reports is one of these classes. Each names what failed (the operator,
 * the file) and keeps the original error as `cause`.
 */

/** Base class: lets callers catch every tsflink error at once. */
export class TsflinkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The program's plan is invalid (bad key, missing `using`, no sinks, ...). Raised before anything runs. */
export class PlanError extends TsflinkError {}

/** An input path does not exist or cannot be read. Raised before any task starts. */
export class InputPathError extends TsflinkError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.path = path;
  }
}

/** A sink target exists under `WriteMode.NO_OVERWRITE`. Raised before any task starts. */
export class OutputExistsError extends TsflinkError {
  readonly path: string;
  constructor(path: string) {
    super(`Output path '${path}' already exists and the write mode is NO_OVERWRITE; remove it or use WriteMode.OVERWRITE`);
    this.path = path;
  }
}

/** A sink target is being written by another job (its lock file next to the target names a live process). */
export class OutputBusyError extends TsflinkError {
  readonly path: string;
  readonly pid: number;
  constructor(path: string, pid: number) {
    super(`Output '${path}' is being written by another job (pid ${pid}); run one job per output at a time`);
    this.path = path;
    this.pid = pid;
  }
}

/** A record of an input file could not be parsed (bad CSV row, LONG out of range, ...). */
export class InputFormatError extends TsflinkError {
  readonly file: string;
  readonly line: number;
  readonly field: number | undefined;
  readonly reason: string;
  /** The source operator that read the file, once known. */
  readonly operator: string | undefined;
  constructor(file: string, line: number, field: number | undefined, reason: string, operator?: string) {
    const where = field === undefined ? `${file}:${line}` : `${file}:${line}, field ${field}`;
    super(`${operator === undefined ? '' : `Operator '${operator}': `}${where}: ${reason}`);
    this.file = file;
    this.line = line;
    this.field = field;
    this.reason = reason;
    this.operator = operator;
  }

  /** The same error, naming the source operator that read the file. */
  withOperator(operator: string): InputFormatError {
    return this.operator === undefined ? new InputFormatError(this.file, this.line, this.field, this.reason, operator) : this;
  }
}

/** A user function threw. Carries the operator's name and the offending record (truncated). */
export class UserFunctionError extends TsflinkError {
  readonly operator: string;
  readonly record: string | undefined;
  constructor(operator: string, record: string | undefined, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    const rec = record === undefined ? '' : ` on record ${record}`;
    super(`User function of operator '${operator}' failed${rec}: ${msg}`, { cause });
    this.operator = operator;
    this.record = record;
  }
}

/** A task failed for a reason that is not the user's function (key out of range, bad element type, ...). */
export class TaskError extends TsflinkError {
  readonly operator: string;
  constructor(operator: string, message: string, options?: { cause?: unknown }) {
    super(`Operator '${operator}': ${message}`, options);
    this.operator = operator;
  }
}

/** What a failed file-system call means for the user (ENOSPC → "no space left on device"). */
export function describeIoFailure(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EIO':
      return 'I/O error';
    case 'EROFS':
      return 'read-only file system';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such directory';
    default:
      return 'cannot write';
  }
}

/**
 * A spill file in `io.tmp.dirs` could not be written (disk full, quota, I/O error). `spilling`
 * says what: `'GroupReduce at job.ts:12' (subtask 2 of 2)` or the exchange between two tasks.
 */
export class SpillError extends TsflinkError {
  readonly operator: string;
  readonly directory: string;
  constructor(operator: string, spilling: string, directory: string, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`${describeIoFailure(cause)} in io.tmp.dirs '${directory}' while spilling ${spilling} (${msg}); free space there, set io.tmp.dirs to a larger disk or raise taskmanager.memory`, { cause });
    this.operator = operator;
    this.directory = directory;
  }
}

/** A sink could not write its output (disk full, quota, I/O error); nothing of it is committed. */
export class OutputWriteError extends TsflinkError {
  readonly operator: string;
  readonly path: string;
  readonly directory: string;
  /** `where` is e.g. ` (subtask 1 of 2)`; `path` the sink's target, in `directory`. */
  constructor(operator: string, where: string, path: string, directory: string, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`${describeIoFailure(cause)} in '${directory}' while writing the output '${path}' of '${operator}'${where} (${msg}); nothing was committed`, { cause });
    this.operator = operator;
    this.path = path;
    this.directory = directory;
  }
}

/** A worker thread or process died while running a task. */
export class WorkerCrashError extends TsflinkError {}

/** The job failed: wraps the first task failure, after retries were used up. */
export class JobExecutionError extends TsflinkError {
  readonly jobName: string;
  constructor(jobName: string, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`Job '${jobName}' failed: ${msg}`, { cause });
    this.jobName = jobName;
  }
}

/** Shortens a record's text form for an error message. */
export function truncateForMessage(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** A fault injected by `TSFLINK_FAULT` (tests only, runtime/fault-injection.ts), or a malformed `TSFLINK_FAULT`. */
export class InjectedFaultError extends TsflinkError {
  readonly operator: string | undefined;
  constructor(message: string, operator?: string) {
    super(message);
    this.operator = operator;
  }
}

/** One attempt of an async operator's function (mapAsync, flatMapAsync) did not settle within its `timeoutMs`. */
export class AsyncTimeoutError extends TsflinkError {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`the returned Promise did not settle within ${timeoutMs} ms (timeoutMs)`);
    this.timeoutMs = timeoutMs;
  }
}

/** A subtask did not finish within `task.timeout`; its worker thread was stopped. */
export class TaskTimeoutError extends TsflinkError {
  readonly operator: string;
  constructor(operator: string, message: string) {
    super(message);
    this.operator = operator;
  }
}
