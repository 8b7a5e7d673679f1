/**
 * Accumulators cross from workers to the coordinator as records: built-in counters as their
 * value (merged by kind), any other accumulator as the object itself, which therefore must be
 * a registered custom type (SPEC §6, §9.15), merged with its own `merge()`.
 */
import { TaskError } from '../../errors/index.ts';
import { RecordReader } from '../../serde/record-reader.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';
import type { RuntimeAccumulator } from '../runtime-context.ts';

const MERGE_KIND = Symbol.for('tsflink.accumulatorKind');
type Kind = 'sum' | 'int32' | 'object';

function kindOf(acc: RuntimeAccumulator): Kind {
  const k = (acc as unknown as Record<symbol, unknown>)[MERGE_KIND];
  return k === 'sum' || k === 'int32' ? k : 'object';
}

function mergeLocal(list: readonly RuntimeAccumulator[]): RuntimeAccumulator {
  const merged = list[0]!.clone();
  for (let i = 1; i < list.length; i++) merged.merge(list[i]!);
  return merged;
}

export function encodeAccumulators(accumulators: ReadonlyMap<string, RuntimeAccumulator[]>, types: TypeRegistry, operator: string): Uint8Array {
  const writer = new RecordWriter(types);
  for (const [name, list] of accumulators) {
    const merged = mergeLocal(list);
    const kind = kindOf(merged);
    try {
      writer.write([name, kind, kind === 'object' ? merged : merged.getLocalValue()]);
    } catch (e) {
      throw new TaskError(operator, `accumulator '${name}' cannot leave its worker thread: ${(e as Error).message}`, { cause: e });
    }
  }
  return writer.finish();
}

/** Merges what one subtask sent into the job's accumulators (name → [kind, value or instance]). */
export class AccumulatorMerger {
  private readonly values = new Map<string, { kind: Kind; value: unknown }>();

  add(bytes: Uint8Array, types: TypeRegistry): void {
    new RecordReader(types).forEach(bytes, (record) => {
      const [name, kind, value] = record as [string, Kind, unknown];
      const cur = this.values.get(name);
      if (!cur) {
        this.values.set(name, { kind, value });
        return;
      }
      if (kind === 'sum') cur.value = (cur.value as number) + (value as number);
      else if (kind === 'int32') cur.value = ((cur.value as number) + (value as number)) | 0;
      else (cur.value as RuntimeAccumulator).merge(value as RuntimeAccumulator);
    });
  }

  result(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, { kind, value }] of this.values) out[name] = kind === 'object' ? (value as RuntimeAccumulator).getLocalValue() : value;
    return out;
  }
}
