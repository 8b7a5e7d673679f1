/** The sinks: text and CSV files (written to staging, committed by the job), stdout, and collect/count. */
import { isFileSink } from '../../plan/nodes.ts';
import { CsvRowFormatter, UnwritableCsvFieldError } from '../../io/csv-writer.ts';
import { TaskError } from '../../errors/index.ts';
import { BufferedFileWriter, type FileOwner, wantsGzip } from '../../io/file-writer.ts';
import { jsonLine, UnwritableJsonError } from '../../io/json-lines.ts';
import { ParquetFileWriter, UnwritableParquetError } from '../../io/parquet-writer.ts';
import type { FieldType } from '../../plan/nodes.ts';
import { textLine, toText, UnwritableTextError } from '../../io/text-form.ts';
import type { Output } from '../collector.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { lateRecord } from '../late-record.ts';

/** What every sink output has: the records it was given. */
export interface WrittenCount {
  readonly written: number;
}

// Every sink refuses a record after it has closed (a function emitting from a timer after its
// task ended): the record cannot be part of the job's output any more.

export class TextSinkOutput implements Output {
  /** Records written, for the job's figures (a plain count in the per-record call there is anyway). */
  written = 0;
  private readonly writer: BufferedFileWriter;
  private first = true; // the file's first line
  private readonly name: string;
  private readonly where: string;
  private readonly json: boolean;
  private closed = false;
  constructor(setup: OperatorSetup, json = false) {
    this.writer = new BufferedFileWriter(setup.job.sinkFile(setup.op.node.id, setup.subtask), fileOwner(setup), { gzip: wantsGzip(fileOwner(setup).target) });
    this.name = setup.name;
    this.where = `subtask ${setup.subtask + 1} of ${setup.parallelism}`;
    this.json = json;
  }
  collect(record: unknown): void {
    if (this.closed) throw lateRecord(this.name);
    this.written++;
    try {
      this.writer.write(this.json ? jsonLine(record) : textLine(record, this.first));
      this.first = false;
    } catch (e) {
      throw e instanceof UnwritableTextError || e instanceof UnwritableJsonError ? unwritable(this.name, this.where, e) : e;
    }
  }
  close(): void {
    this.closed = true;
    this.writer.close();
  }
}

export class ParquetSinkOutput implements Output {
  /** Records written, for the job's figures (a plain count in the per-record call there is anyway). */
  written = 0;
  private readonly writer: ParquetFileWriter;
  private readonly name: string;
  private readonly where: string;
  private closed = false;
  constructor(setup: OperatorSetup, schema: Readonly<Record<string, FieldType>>) {
    // (The file system creates the file's parent directories.)
    this.writer = new ParquetFileWriter(setup.job.sinkFile(setup.op.node.id, setup.subtask), schema);
    this.name = setup.name;
    this.where = `subtask ${setup.subtask + 1} of ${setup.parallelism}`;
  }
  collect(record: unknown): void {
    if (this.closed) throw lateRecord(this.name);
    this.written++;
    try {
      this.writer.write(record);
    } catch (e) {
      throw e instanceof UnwritableParquetError ? unwritable(this.name, this.where, e) : e;
    }
  }
  close(): void {
    this.closed = true;
    this.writer.close();
  }
}

export class CsvSinkOutput implements Output {
  /** Records written, for the job's figures (a plain count in the per-record call there is anyway). */
  written = 0;
  private readonly writer: BufferedFileWriter;
  private readonly formatter: CsvRowFormatter;
  private readonly compiled: boolean;
  private readonly name: string;
  private readonly where: string;
  private closed = false;
  constructor(setup: OperatorSetup, fieldDelimiter: string, lineDelimiter: string) {
    this.writer = new BufferedFileWriter(setup.job.sinkFile(setup.op.node.id, setup.subtask), fileOwner(setup), { gzip: wantsGzip(fileOwner(setup).target) });
    this.formatter = new CsvRowFormatter(fieldDelimiter, lineDelimiter);
    this.compiled = setup.compiled;
    this.name = setup.name;
    this.where = `subtask ${setup.subtask + 1} of ${setup.parallelism}`;
  }
  collect(record: unknown): void {
    if (this.closed) throw lateRecord(this.name);
    this.written++;
    // Compiled: a plain row goes into the file's buffer as bytes (CsvRowFormatter.writeRow).
    if (this.compiled && this.formatter.writeRow(record, this.writer)) return;
    // The row ends with the line delimiter.
    try {
      this.writer.write(this.formatter.format(record));
    } catch (e) {
      throw e instanceof UnwritableCsvFieldError ? unwritable(this.name, this.where, e) : e;
    }
  }
  close(): void {
    this.closed = true;
    this.writer.close();
  }
}

/** Lines are printed by the client when the job has succeeded, so a failed job prints nothing. */
export class PrintSinkOutput implements Output {
  /** Records written, for the job's figures (a plain count in the per-record call there is anyway). */
  written = 0;
  private readonly setup: OperatorSetup;
  private readonly toError: boolean;
  private readonly lines: string[] = [];
  constructor(setup: OperatorSetup, toError: boolean) {
    this.setup = setup;
    this.toError = toError;
  }
  private closed = false;
  collect(record: unknown): void {
    if (this.closed) throw lateRecord(this.setup.name);
    this.written++;
    this.lines.push(typeof record === 'string' ? record : toText(record));
  }
  close(): void {
    this.closed = true;
    this.setup.job.addPrinted(this.toError, this.setup.subtask, this.lines);
  }
}

/** What `output(format)` takes (the API's OutputFormat). */
interface OutputFormat {
  open?(taskNumber: number, numTasks: number): void;
  writeRecord(record: unknown): void;
  close?(): void;
}

/**
 * A user's OutputFormat, one per instance: opened with its subtask and parallelism, given every
 * record, closed at the end. It writes where and when it likes: not staged nor committed by
 * tsflink, so a failed job may leave what it wrote (as in Flink).
 */
export class FormatSinkOutput implements Output {
  /** Records written, for the job's figures (a plain count in the per-record call there is anyway). */
  written = 0;
  private readonly format: OutputFormat;
  private readonly name: string;
  private closed = false;
  constructor(setup: OperatorSetup, fn: string) {
    this.format = setup.resources.userObjects.get(fn) as OutputFormat;
    this.name = setup.name;
    this.call(() => this.format.open?.(setup.subtask, setup.parallelism), 'open');
  }
  collect(record: unknown): void {
    if (this.closed) throw lateRecord(this.name);
    this.written++;
    try {
      this.format.writeRecord(record);
    } catch (e) {
      throw new TaskError(this.name, `the output format's writeRecord failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }
  close(): void {
    this.closed = true;
    this.call(() => this.format.close?.(), 'close');
  }
  private call(f: () => void, what: string): void {
    try {
      f();
    } catch (e) {
      throw new TaskError(this.name, `the output format's ${what}() failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }
}

export class CollectSinkOutput implements Output {
  /** Records written, for the job's figures (a plain count in the per-record call there is anyway). */
  written = 0;
  private readonly setup: OperatorSetup;
  private readonly resultId: string;
  private readonly countOnly: boolean;
  private readonly records: unknown[] = [];
  private count = 0;
  constructor(setup: OperatorSetup, resultId: string, countOnly: boolean) {
    this.setup = setup;
    this.resultId = resultId;
    this.countOnly = countOnly;
  }
  private closed = false;
  collect(record: unknown): void {
    if (this.closed) throw lateRecord(this.setup.name);
    this.written++;
    if (this.countOnly) this.count++;
    else this.records.push(this.setup.hold(record));
  }
  close(): void {
    this.closed = true;
    this.setup.job.addResult(this.resultId, this.setup.subtask, this.countOnly ? this.count : this.records);
  }
}

/** A record the sink refuses, naming the sink and subtask. */
function unwritable(operator: string, where: string, e: Error): TaskError {
  return new TaskError(operator, `(${where}) ${e.message}`, { cause: e });
}

/** The sink a file sink's errors name: its operator, subtask and target. */
function fileOwner(setup: OperatorSetup): FileOwner {
  const params = setup.op.node.params;
  const target = isFileSink(params) ? params.path : '';
  return { operator: setup.name, where: ` (subtask ${setup.subtask + 1} of ${setup.parallelism})`, target };
}
