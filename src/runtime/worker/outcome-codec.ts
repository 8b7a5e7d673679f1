/** A job's outcome as one binary record, replayed to a worker that re-runs the script (see runners/submissions.ts). */
import type { JobOutcome } from '../../runners/runner.ts';
import { RecordReader } from '../../serde/record-reader.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';

export function encodeOutcome(outcome: JobOutcome, types: TypeRegistry): Uint8Array {
  const writer = new RecordWriter(types);
  writer.write([outcome.netRuntimeMs, { ...outcome.accumulators }, [...outcome.results]]);
  return writer.finish();
}

export function decodeOutcome(bytes: Uint8Array, types: TypeRegistry): JobOutcome {
  const [netRuntimeMs, accumulators, results] = new RecordReader(types).readAll(bytes)[0] as [number, Record<string, unknown>, [string, unknown[] | number][]];
  return { netRuntimeMs, accumulators, results: new Map(results) };
}
