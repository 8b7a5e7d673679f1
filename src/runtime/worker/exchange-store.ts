/**
 * The coordinator's store of batches in flight between tasks: per exchange and consumer
 * subtask, the batches producers shipped. It keeps them in memory up to the memory budget and
 * spills the rest to files in the temp directory, which it removes when the job ends.
 */
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { staleName } from '../../io/stale-files.ts';
import { ALL_TARGETS } from '../partitioner.ts';
import type { Task } from '../../optimizer/physical-plan.ts';
import type { BatchSource } from './protocol.ts';
import { writeAllAt } from '../spill/batch-files.ts';
import { spillFailure, spillStatistics } from '../spill/spill-runs.ts';

interface SpillFile {
  readonly path: string;
  readonly fd: number;
  size: number;
}

export class ExchangeStore {
  private readonly budget: number;
  private readonly tmpDir: string;
  private spillDir: string | null = null;
  private inMemory = 0;
  /** exchange → consumer → sources; broadcast batches are kept once under ALL_TARGETS. */
  private readonly exchanges = new Map<number, Map<number, BatchSource[]>>();
  private readonly spillFiles = new Map<number, SpillFile>();
  /** Bytes spilled so far (reported by the executor). */
  spilledBytes = 0;
  /** Names an exchange in errors: "the exchange from 'A' to 'B'". */
  private readonly describe: (exchange: number) => { operator: string; spilling: string };

  constructor(budgetBytes: number, tmpDir: string, describe?: (exchange: number) => { operator: string; spilling: string }) {
    this.budget = budgetBytes;
    this.tmpDir = tmpDir;
    this.describe = describe ?? ((x) => ({ operator: `exchange ${x}`, spilling: `exchange ${x}` }));
  }

  add(exchange: number, target: number, bytes: Uint8Array): void {
    let byTarget = this.exchanges.get(exchange);
    if (!byTarget) this.exchanges.set(exchange, (byTarget = new Map()));
    let list = byTarget.get(target);
    if (!list) byTarget.set(target, (list = []));
    if (this.inMemory + bytes.byteLength <= this.budget) {
      this.inMemory += bytes.byteLength;
      list.push({ kind: 'memory', bytes });
      return;
    }
    list.push(this.spill(exchange, bytes));
  }

  private spill(exchange: number, bytes: Uint8Array): BatchSource {
    let file: SpillFile | undefined;
    try {
      if (this.spillDir === null) this.spillDir = mkdtempSync(join(this.tmpDir, staleName('spill')));
      file = this.spillFiles.get(exchange);
      if (!file) {
        const path = join(this.spillDir, `exchange-${exchange}.bin`);
        file = { path, fd: openSync(path, 'w'), size: 0 };
        this.spillFiles.set(exchange, file);
      }
      writeAllAt(file.fd, bytes, file.size);
    } catch (e) {
      const { operator, spilling } = this.describe(exchange);
      throw spillFailure(e, operator, spilling, this.tmpDir);
    }
    const source: BatchSource = { kind: 'file', path: file.path, offset: file.size, length: bytes.byteLength };
    file.size += bytes.byteLength;
    this.spilledBytes += bytes.byteLength;
    spillStatistics.exchangeBytes += bytes.byteLength;
    return source;
  }

  /**
   * The sources of one consumer subtask, with the buffers to transfer to its worker. A consumer's
   * own batches are handed over (and forgotten here) unless `keep` (read again later); broadcast
   * batches are copied, since every consumer reads them.
   */
  take(exchange: number, consumer: number, keep = false): { sources: BatchSource[]; transfer: ArrayBuffer[] } {
    const byTarget = this.exchanges.get(exchange);
    const sources: BatchSource[] = [];
    const transfer: ArrayBuffer[] = [];
    if (!byTarget) return { sources, transfer };
    const copied = (s: BatchSource): void => {
      if (s.kind === 'memory') {
        const copy = s.bytes.slice();
        sources.push({ kind: 'memory', bytes: copy });
        transfer.push(copy.buffer);
      } else sources.push(s);
    };
    for (const s of byTarget.get(ALL_TARGETS) ?? []) copied(s);
    if (keep) {
      for (const s of byTarget.get(consumer) ?? []) copied(s);
      return { sources, transfer };
    }
    for (const s of byTarget.get(consumer) ?? []) {
      sources.push(s);
      if (s.kind === 'memory') {
        this.inMemory -= s.bytes.byteLength;
        transfer.push(s.bytes.buffer as ArrayBuffer);
      }
    }
    byTarget.delete(consumer);
    return { sources, transfer };
  }

  /** True when no batch was shipped through the exchange (a batch holds at least one record). */
  isEmpty(exchange: number): boolean {
    const byTarget = this.exchanges.get(exchange);
    if (byTarget) for (const list of byTarget.values()) if (list.length > 0) return false;
    return true;
  }

  /** Forgets an exchange once its consumer task has finished. */
  release(exchange: number): void {
    const byTarget = this.exchanges.get(exchange);
    if (byTarget) for (const list of byTarget.values()) for (const s of list) if (s.kind === 'memory') this.inMemory -= s.bytes.byteLength;
    this.exchanges.delete(exchange);
  }

  /** Removes every spill file; called after success and after failure alike. */
  cleanup(): void {
    for (const f of this.spillFiles.values()) closeSync(f.fd);
    this.spillFiles.clear();
    this.exchanges.clear();
    this.inMemory = 0;
    if (this.spillDir) rmSync(this.spillDir, { recursive: true, force: true });
    this.spillDir = null;
  }
}

/** How spill errors name an exchange between two tasks: the producing operator and the consuming one. */
export function describeExchange(from: Task, to: Task): { operator: string; spilling: string } {
  const producer = from.operators[from.operators.length - 1]!.node.name;
  const consumer = to.operators[0]!.node.name;
  return { operator: consumer, spilling: `the records sent from '${producer}' to '${consumer}'` };
}
