/**
 * Accumulators cross from workers to the coordinator as records: built-in counters as their
 * value (merged by kind), a registered custom type as itself, and any other accumulator as the
 * node of the shipped code its class was rebuilt from plus its own fields (values that travel),
 * which the coordinator makes an instance of its own class of (`shippedClass`) again; all are
 * merged with their own `merge()`. So a custom accumulator needs no registerCustomType.
 */
import { TaskError } from '../../errors/index.ts';
import { RecordReader } from '../../serde/record-reader.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';
import type { RuntimeAccumulator } from '../runtime-context.ts';

const MERGE_KIND = Symbol.for('tsflink.accumulatorKind');
type Kind = 'sum' | 'int32' | 'object' | 'fields';

function kindOf(acc: RuntimeAccumulator): Kind {
  const k = (acc as unknown as Record<symbol, unknown>)[MERGE_KIND];
  return k === 'sum' || k === 'int32' ? k : 'object';
}

function mergeLocal(list: readonly RuntimeAccumulator[]): RuntimeAccumulator {
  const merged = list[0]!.clone();
  for (let i = 1; i < list.length; i++) merged.merge(list[i]!);
  return merged;
}

/** The node of the shipped code a rebuilt class came from (UnpackedCode.nodeOfClass). */
export type NodeOfClass = (cls: unknown) => number | undefined;
/** The coordinator's class for a node of the shipped code (serde/closures shippedClass). */
export type ClassOfNode = (node: number) => unknown;

export function encodeAccumulators(accumulators: ReadonlyMap<string, RuntimeAccumulator[]>, types: TypeRegistry, operator: string, nodeOfClass?: NodeOfClass): Uint8Array {
  const writer = new RecordWriter(types);
  for (const [name, list] of accumulators) {
    const merged = mergeLocal(list);
    const kind = kindOf(merged);
    try {
      if (kind !== 'object') writer.write([name, kind, merged.getLocalValue()]);
      else {
        const node = types.lookup(merged) ? undefined : nodeOfClass?.(merged.constructor);
        writer.write(node === undefined ? [name, kind, merged] : [name, 'fields', [node, { ...merged }]]);
      }
    } catch (e) {
      throw new TaskError(operator, `accumulator '${name}' cannot leave its worker thread: ${(e as Error).message}`, { cause: e });
    }
  }
  return writer.finish();
}

/** Merges what one subtask sent into the job's accumulators (name → [kind, value or instance]). */
export class AccumulatorMerger {
  private readonly values = new Map<string, { kind: Kind; value: unknown }>();

  add(bytes: Uint8Array, types: TypeRegistry, classOfNode?: ClassOfNode): void {
    new RecordReader(types).forEach(bytes, (record) => {
      const [name, sent, data] = record as [string, Kind, unknown];
      let kind = sent;
      let value = data;
      if (sent === 'fields') {
        // An instance of the user's own class again, with the fields its worker's instance had.
        const [node, fields] = data as [number, Record<string, unknown>];
        const cls = classOfNode?.(node) as (abstract new () => unknown) | undefined;
        if (typeof cls !== 'function') throw new TaskError('accumulators', `accumulator '${name}' came back from a worker as an instance of a class the job did not ship`);
        value = Object.assign(Object.create(cls.prototype as object) as object, fields);
        kind = 'object';
      }
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
