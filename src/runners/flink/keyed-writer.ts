/**
 * The output of a Flink worker into an exchange whose records travel one by one
 * (flink-operators.ts): every record with its canonical key and sort key (serde/key-codec.ts; empty
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

export class KeyedFrameWriter implements Output {
  private readonly key: KeyExtractor | null;
  private readonly sortKeys: readonly KeyExtractor[];
  private readonly ascending: readonly boolean[];
  private readonly sortValues: unknown[];
  private readonly encoder: KeyEncoder;
  private readonly writer: RecordWriter;
  /** The frame's keys part, built as records come: per record (u32 length, key, u32 length, sort key). */
  private keys = Buffer.allocUnsafe(64 * 1024);
  private keyBytes = 0;
  private count = 0;
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
    const key = this.key === null ? null : this.key(record);
    if (this.sortKeys.length > 0) for (let i = 0; i < this.sortKeys.length; i++) this.sortValues[i] = this.sortKeys[i]!(record);
    try {
      this.append(this.key === null ? 0 : this.encoder.encodeInPlace(key));
      this.append(this.sortKeys.length === 0 ? 0 : this.encoder.sortKeyInPlace(this.sortValues, this.ascending));
    } catch (e) {
      throw new TaskError(this.operator, `the key of a record cannot be encoded: ${(e as Error).message}`, { cause: e });
    }
    try {
      this.writer.write(record);
    } catch (e) {
      throw new TaskError(this.operator, `a record cannot be sent to the next task: ${(e as Error).message}`, { cause: e });
    }
    this.count++;
    if (this.writer.size + this.keyBytes >= BATCH_BYTES) this.flush();
  }

  close(): void {
    if (this.count > 0) this.flush();
  }

  /** Appends the encoder's last n bytes, after their length. */
  private append(n: number): void {
    if (this.keyBytes + 4 + n > this.keys.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.keys.length * 2, this.keyBytes + 4 + n));
      this.keys.copy(grown, 0, 0, this.keyBytes);
      this.keys = grown;
    }
    this.keys.writeUInt32BE(n, this.keyBytes);
    if (n > 0) this.keys.set(this.encoder.view(n), this.keyBytes + 4);
    this.keyBytes += 4 + n;
  }

  private flush(): void {
    const batch = this.writer.finish();
    const payload = Buffer.allocUnsafe(this.keyBytes + batch.length);
    this.keys.copy(payload, 0, 0, this.keyBytes);
    payload.set(batch, this.keyBytes);
    const count = this.count;
    this.count = 0;
    this.keyBytes = 0;
    this.ship(count, payload);
  }
}
