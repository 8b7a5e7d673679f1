/**
 * The output of a Flink worker into an exchange whose records travel one by one
 * (plan-export.ts): every record with its canonical key and sort key (serde/key-codec.ts; empty
 * when the exchange has none), many to a KEYED frame (worker-frames.ts). The JVM sends each
 * record on as a Flink record and Flink partitions, groups, joins or rebalances it.
 */
import { TaskError } from '../../errors/index.ts';
import type { SortKey, KeySpec } from '../../plan/nodes.ts';
import type { Output } from '../../runtime/collector.ts';
import { type KeyExtractor, compileKeyExtractor } from '../../runtime/keys.ts';
import { BATCH_BYTES } from '../../runtime/worker/binary-exchange.ts';
import { KeyEncoder } from '../../serde/key-codec.ts';
import { RecordWriter } from '../../serde/record-writer.ts';
import type { TypeRegistry } from '../../serde/type-registry.ts';

const NO_BYTES: Uint8Array = new Uint8Array(0);

export class KeyedFrameWriter implements Output {
  private readonly key: KeyExtractor | null;
  private readonly sortKeys: readonly KeyExtractor[];
  private readonly ascending: readonly boolean[];
  private readonly sortValues: unknown[];
  private readonly encoder: KeyEncoder;
  private readonly writer: RecordWriter;
  private keys: Uint8Array[] = [];
  private sorts: Uint8Array[] = [];
  private keyBytes = 0;
  private readonly ship: (count: number, payload: Uint8Array) => void;
  private readonly operator: string;

  constructor(
    keyed: { readonly keys: KeySpec | null; readonly sortKeys: readonly SortKey[] },
    userObjects: ReadonlyMap<string, unknown>,
    types: TypeRegistry,
    operator: string,
    ship: (count: number, payload: Uint8Array) => void,
  ) {
    this.key = keyed.keys === null ? null : compileKeyExtractor(keyed.keys, userObjects, operator);
    this.sortKeys = keyed.sortKeys.map((s) => compileKeyExtractor(s.key, userObjects, operator));
    this.ascending = keyed.sortKeys.map((s) => s.order === 'ASCENDING');
    this.sortValues = new Array(this.sortKeys.length);
    this.encoder = new KeyEncoder(types);
    this.writer = new RecordWriter(types);
    this.operator = operator;
    this.ship = ship;
  }

  collect(record: unknown): void {
    let k: Uint8Array = NO_BYTES;
    let s: Uint8Array = NO_BYTES;
    const key = this.key === null ? null : this.key(record);
    try {
      if (this.key !== null) k = this.encoder.encode(key);
      if (this.sortKeys.length > 0) {
        for (let i = 0; i < this.sortKeys.length; i++) this.sortValues[i] = this.sortKeys[i]!(record);
        s = this.encoder.encodeSortKey(this.sortValues, this.ascending);
      }
    } catch (e) {
      throw new TaskError(this.operator, `the key of a record cannot be encoded: ${(e as Error).message}`, { cause: e });
    }
    try {
      this.writer.write(record);
    } catch (e) {
      throw new TaskError(this.operator, `a record cannot be sent to the next task: ${(e as Error).message}`, { cause: e });
    }
    this.keys.push(k);
    this.sorts.push(s);
    this.keyBytes += 8 + k.length + s.length;
    if (this.writer.size + this.keyBytes >= BATCH_BYTES) this.flush();
  }

  close(): void {
    if (this.keys.length > 0) this.flush();
  }

  private flush(): void {
    const batch = this.writer.finish();
    const payload = Buffer.allocUnsafe(this.keyBytes + batch.length);
    let p = 0;
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i]!;
      const s = this.sorts[i]!;
      payload.writeUInt32BE(k.length, p);
      payload.set(k, p + 4);
      p += 4 + k.length;
      payload.writeUInt32BE(s.length, p);
      payload.set(s, p + 4);
      p += 4 + s.length;
    }
    payload.set(batch, p);
    const count = this.keys.length;
    this.keys = [];
    this.sorts = [];
    this.keyBytes = 0;
    this.ship(count, payload);
  }
}
