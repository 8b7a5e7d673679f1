/**
 * `writeParquet`: elements (objects) written as the columns of a schema, one Parquet file per
 * parallel instance, with hyparquet-writer (pure JS, synchronous, the writer of the reader
 * readParquet uses). Rows are buffered per column and written a row group at a time.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { FieldType } from '../plan/nodes.ts';
import { fileSystemOf, type WriteHandle } from './fs/file-system.ts';

const ROW_GROUP_ROWS = 100_000;

/** Why an element cannot be written (the sink names itself around it). */
export class UnwritableParquetError extends Error {}

interface Column {
  readonly name: string;
  readonly type: FieldType;
  data: unknown[];
}

/** The Parquet schema element of a column of a tsflink type (every column nullable). */
function element(name: string, type: FieldType): Record<string, unknown> {
  const optional = { name, repetition_type: 'OPTIONAL' };
  switch (type) {
    case 'INT':
      return { ...optional, type: 'INT32' };
    case 'LONG':
    case 'BIGINT':
      return { ...optional, type: 'INT64' };
    case 'FLOAT':
      return { ...optional, type: 'FLOAT' };
    case 'DOUBLE':
      return { ...optional, type: 'DOUBLE' };
    case 'BOOL':
      return { ...optional, type: 'BOOLEAN' };
    case 'DATE':
      return { ...optional, type: 'INT32', converted_type: 'DATE' };
    case 'TIMESTAMP':
      return { ...optional, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
    default:
      // STRING, and DECIMAL kept exact as its text.
      return { ...optional, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  }
}

export class ParquetFileWriter {
  private readonly writer: ParquetWriter;
  private readonly columns: Column[];
  private rows = 0;

  constructor(path: string, schema: Readonly<Record<string, FieldType>>) {
    this.columns = Object.entries(schema).map(([name, type]) => ({ name, type, data: [] }));
    const elements = [{ name: 'root', num_children: this.columns.length }, ...this.columns.map((c) => element(c.name, c.type))];
    this.writer = new ParquetWriter({ writer: handleWriter(fileSystemOf(path).create(path)), schema: elements as never });
  }

  write(record: unknown): void {
    if (record === null || typeof record !== 'object' || Array.isArray(record))
      throw new UnwritableParquetError(`writeParquet writes objects (a field per column), got ${Array.isArray(record) ? 'a tuple' : typeof record}`);
    const o = record as Record<string, unknown>;
    for (const c of this.columns) c.data.push(convert(c, o[c.name]));
    if (++this.rows === ROW_GROUP_ROWS) this.flush();
  }

  close(): void {
    this.flush();
    this.writer.finish();
  }

  private flush(): void {
    if (this.rows === 0) return;
    this.writer.write({ columnData: this.columns.map((c) => ({ name: c.name, data: c.data })), rowGroupSize: this.rows });
    for (const c of this.columns) c.data = [];
    this.rows = 0;
  }
}

/**
 * hyparquet-writer's ByteWriter, emptied into a file of any file system each time it holds a
 * MiB (as its own `fileWriter` does into a local file, which it reopens for every MiB).
 */
function handleWriter(file: WriteHandle): ByteWriter {
  const writer = new ByteWriter();
  const grow = writer.ensure.bind(writer);
  const flush = (): void => {
    file.write(new Uint8Array(writer.buffer, 0, writer.index));
    writer.index = 0;
  };
  writer.ensure = (size: number): void => {
    if (writer.index > 1 << 20) flush();
    grow(size);
  };
  writer.finish = (): void => {
    flush();
    file.close();
  };
  return writer;
}

/** A field's value as its column's type holds it; null or a missing field is null. */
function convert(column: Column, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const bad = (what: string) => new UnwritableParquetError(`field '${column.name}' (${column.type}): ${typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v))} ${what}`);
  switch (column.type) {
    case 'INT':
      if (typeof v !== 'number' || !Number.isInteger(v) || v > 2147483647 || v < -2147483648) throw bad('is not a 32-bit integer');
      return v;
    case 'LONG':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad('is not an integer within ±(2^53−1)');
      return BigInt(v);
    case 'BIGINT':
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
      throw bad('is not a bigint');
    case 'FLOAT':
    case 'DOUBLE':
      if (typeof v !== 'number') throw bad('is not a number');
      return v;
    case 'BOOL':
      if (typeof v !== 'boolean') throw bad('is not a boolean');
      return v;
    case 'DATE':
    case 'TIMESTAMP':
      if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw bad('is not a valid Date');
      return v;
    case 'DECIMAL':
      if (typeof v !== 'string' && typeof v !== 'number') throw bad('is not a decimal (a string or number)');
      return String(v);
    default:
      if (typeof v !== 'string') throw bad('is not a string');
      return v;
  }
}
