/**
 * How much an operator may hold before it spills. Each holder counts what it holds itself, as
 * Flink's operators own their memory segments: the size of every 64th record held is estimated
 * (as V8 lays it out) and the running average stands for the others. A shared measure such as
 * the isolate's heap would make every holder spill for the others' data (measured: a group-by
 * behind a full exchange then wrote thousands of tiny runs).
 */
const SAMPLE_EVERY = 64;
/** A Map entry or array slot that holds the record, beyond the record itself. */
const ENTRY_OVERHEAD = 40;

export class MemoryBudget {
  private readonly limit: number;
  private held = 0;
  private count = 0;
  private average = 64;

  constructor(limitBytes: number) {
    this.limit = limitBytes;
  }

  /** Counts one more record held (and `slots` more references for it); true when the holder should spill now. */
  add(record: unknown, slots = 0): boolean {
    if ((this.count++ & (SAMPLE_EVERY - 1)) === 0) this.average = (this.average * 3 + estimateSize(record, 0) + ENTRY_OVERHEAD + 16 * slots) / 4;
    this.held += this.average;
    return this.held > this.limit;
  }

  /** The holder wrote out what it held. */
  spilled(): void {
    this.held = 0;
  }
}

/** Roughly the bytes V8 uses for a value (64-bit, compressed pointers off). */
export function estimateSize(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return 16 + v.length;
    case 'number':
      return 16;
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 24;
    case 'object': {
      if (v === null) return 8;
      if (depth > 8) return 64;
      if (ArrayBuffer.isView(v)) return 96 + v.byteLength;
      if (Array.isArray(v)) {
        let size = 32 + 8 * v.length;
        for (let i = 0; i < v.length; i++) size += estimateSize(v[i], depth + 1);
        return size;
      }
      let size = 32;
      for (const k in v as object) size += 16 + estimateSize((v as Record<string, unknown>)[k], depth + 1);
      return size;
    }
    default:
      return 32;
  }
}
