/**
 * Sources. A collection is read by one instance; a sequence is cut into contiguous ranges, one
 * per instance; files are cut into input splits shared among the instances (input-splits.ts).
 */
import { CsvReader } from '../../io/csv-reader.ts';
import { CsvSplitAligner } from '../../io/csv-split-aligner.ts';
import { InputFormatError, TaskError, TsflinkError } from '../../errors/index.ts';
import { describeRecord } from '../describe-record.ts';
import { listInputFiles } from '../../io/input-files.ts';
import { alignSplit, splitsFor } from '../../io/input-splits.ts';
import { JsonLineReader } from '../../io/json-lines.ts';
import { readLines } from '../../io/line-reader.ts';
import { readParquetFiles } from '../../io/parquet-reader.ts';
import type { NodeParams } from '../../plan/nodes.ts';
import { CountAccumulator } from '../runtime-context.ts';
import type { Output } from '../collector.ts';
import type { OperatorSetup } from '../operator-setup.ts';

export function runSource(setup: OperatorSetup, out: Output): void | Promise<void> {
  const params = setup.op.node.params as NodeParams;
  const { subtask, parallelism } = setup;
  switch (params.kind) {
    case 'ParquetSource':
      // The one asynchronous source (task-runner's isAsyncTask): its reader's API awaits.
      return readParquetFiles(listInputFiles(params.path), params.columns, parallelism, subtask, (row) => out.collect(row)).then(() => out.close());
    case 'CollectionSource': {
      const data = setup.resources.userObjects.get(params.data) as unknown[];
      // Elements given to fromElements belong to the program: hand out copies.
      for (let i = subtask; i < data.length; i += parallelism) out.collect(setup.copy(data[i]));
      break;
    }
    case 'SequenceSource': {
      const count = params.to - params.from + 1;
      if (count > 0) {
        const start = params.from + Math.floor((subtask * count) / parallelism);
        const end = params.from + Math.floor(((subtask + 1) * count) / parallelism);
        for (let v = start; v < end; v++) out.collect(v);
      }
      break;
    }
    case 'TextSource': {
      const splits = splitsFor(listInputFiles(params.path), parallelism, subtask);
      if (params.json !== undefined) {
        const reader = new JsonLineReader(params.json, invalidLineCounter(setup, params.json.ignoreInvalidLines));
        const emit = (value: unknown): void => out.collect(value);
        try {
          for (const split of splits) reader.readFile(split.file, emit, alignSplit(split, '\n'));
        } catch (e) {
          throw e instanceof InputFormatError ? e.withOperator(setup.name) : e;
        }
        break;
      }
      const emit = (line: string): void => out.collect(line);
      for (const split of splits) readLines(split.file, emit, { range: alignSplit(split, '\n') });
      break;
    }
    case 'CsvSource': {
      const splits = splitsFor(listInputFiles(params.path), parallelism, subtask);
      const reader = new CsvReader(params.types, params.options, invalidLineCounter(setup, params.options.ignoreInvalidLines), { compiled: setup.compiled });
      const keys = params.options.pojoFields;
      const emit = keys === undefined ? (tuple: unknown[]): void => out.collect(tuple) : (tuple: unknown[]): void => out.collect(toObject(keys, tuple));
      const aligner = new CsvSplitAligner(params.options);
      try {
        for (const split of splits) reader.readFile(split.file, emit, aligner.align(split));
      } catch (e) {
        throw e instanceof InputFormatError ? e.withOperator(setup.name) : e;
      } finally {
        aligner.close();
      }
      break;
    }
    case 'FormatSource':
      readFormat(setup, setup.resources.userObjects.get(params.fn) as InputFormat, out);
      break;
    default:
      setup.fail(`not a source: ${params.kind}`);
  }
  out.close();
}

/** With `ignoreInvalidLines`: counts a skipped line in the source's `invalidLines` accumulator. */
function invalidLineCounter(setup: OperatorSetup, ignoreInvalidLines: boolean | undefined): (() => void) | undefined {
  if (ignoreInvalidLines !== true) return undefined;
  const counter = new CountAccumulator();
  setup.ctx.addAccumulator(setup.job.invalidLinesAccumulator(setup.op.node.id), counter);
  return () => counter.add(1);
}

/** What `env.createInput` takes (the API's InputFormat). */
interface InputFormat {
  createInputSplits(minNumSplits: number): readonly unknown[];
  readSplit(split: unknown, out: Output): void;
}

/**
 * A user's InputFormat: every instance asks it for its splits (so it must give the same list
 * each time, as Flink's createInputSplits is asked once) and reads splits i, i + p, i + 2p, ….
 */
function readFormat(setup: OperatorSetup, format: InputFormat, out: Output): void {
  const { subtask, parallelism } = setup;
  let splits: readonly unknown[];
  try {
    splits = format.createInputSplits(parallelism);
  } catch (e) {
    throw new TaskError(setup.name, `the input format's createInputSplits(${parallelism}) threw: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  if (!Array.isArray(splits)) throw new TaskError(setup.name, `the input format's createInputSplits(${parallelism}) returned ${describeRecord(splits)}, not an array of splits`);
  for (let i = subtask; i < splits.length; i += parallelism) {
    try {
      format.readSplit(splits[i], out);
    } catch (e) {
      if (e instanceof TsflinkError) throw e; // a later operator's, passed through
      throw new TaskError(setup.name, `the input format's readSplit failed on split ${describeRecord(splits[i])}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }
}

/** A CSV row as the object `pojoFields` asks for (never `__proto__`: readCsv refuses it). */
function toObject(keys: readonly string[], tuple: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) o[keys[i]!] = tuple[i];
  return o;
}
