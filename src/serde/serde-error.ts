/**
 * Errors of the binary record format: a value that cannot be written (an unregistered class instance, a function, a symbol), and a
 * batch that cannot be read.
 */
import { TsflinkError } from '../errors/index.ts';

/** Where in a record a value sits, for messages: `record`, `record[2][0]`, `record.user.id`. */
export function describePath(path: readonly (string | number)[]): string {
  let s = 'record';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return s;
}

/** An instance of a class that was not registered with `env.registerCustomType` had to be serialized. */
export class UnregisteredTypeError extends TsflinkError {
  readonly className: string;
  /** Where the instance sits in the record (`record[1].owner`), when known. */
  readonly path: string | undefined;
  constructor(className: string, path?: string) {
    const where = path === undefined ? '' : ` at ${path}`;
    super(
      `Cannot serialize an instance of class '${className}'${where}: the class is not registered, so it cannot cross a ` +
        `thread or process boundary without losing its prototype. Call env.registerCustomType(${className}, serializer, deserializer) before building the plan.`,
    );
    this.className = className;
    this.path = path;
  }
}

/** A value no record can hold: a function, a symbol, or nesting deeper than the format allows (usually a cycle). */
export class UnsupportedValueError extends TsflinkError {
  /** What the value is: `function 'f'`, `symbol Symbol(x)`, ... */
  readonly what: string;
  /** Why it cannot be written. */
  readonly reason: string;
  readonly path: string | undefined;
  constructor(what: string, reason: string, path?: string) {
    const where = path === undefined ? '' : ` at ${path}`;
    super(`Cannot serialize ${what}${where}: ${reason}`);
    this.what = what;
    this.reason = reason;
    this.path = path;
  }
}

/** A record batch is not in the format (wrong magic or version, truncated, or corrupt). */
export class CorruptBatchError extends TsflinkError {
  /** Byte offset in the batch where reading failed. */
  readonly offset: number;
  constructor(offset: number, reason: string) {
    super(`Corrupt record batch at byte ${offset}: ${reason}`);
    this.offset = offset;
  }
}
