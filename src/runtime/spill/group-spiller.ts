/**
 * Spilling for operators that hold one entry per group in a Map (reduce, aggregate,
 * group-reduce, distinct). When the memory budget is exceeded the operator hands its Map over:
 * the entries are sorted by key and written as a run, and the Map starts empty again. At the end
 * the runs and the last Map are merged, and every key's entries (one per run it appears in, in
 * run order) are handed back together, for the operator to combine.
 */
import type { TypeRegistry } from '../../serde/type-registry.ts';
import { MemoryBudget } from './memory-budget.ts';
import { mergeRuns, SpillFiles, writeRun } from './spill-runs.ts';

/** A string for a group key (see keys.ts `groupKey`) that is equal exactly when the keys are. */
export function spillKey(gk: unknown): string {
  switch (typeof gk) {
    case 'string':
      return `s${gk}`;
    case 'number':
      return `n${Object.is(gk, -0) ? 0 : gk}`;
    case 'boolean':
      return gk ? 'T' : 'F';
    case 'bigint':
      return `i${gk}`;
    case 'undefined':
      return 'u';
    default:
      return gk === null ? 'z' : `o${String(gk)}`;
  }
}

type Entry = [string, unknown];
const byKey = (a: unknown, b: unknown): number => {
  const x = (a as Entry)[0];
  const y = (b as Entry)[0];
  return x < y ? -1 : x > y ? 1 : 0;
};

export class GroupSpiller {
  private readonly types: TypeRegistry;
  private readonly files: SpillFiles;
  private readonly budget: MemoryBudget;
  private readonly runs: string[] = [];

  constructor(types: TypeRegistry, tmpDir: string, budgetBytes: number) {
    this.types = types;
    this.files = new SpillFiles(tmpDir);
    this.budget = new MemoryBudget(budgetBytes);
  }

  /** Call after the Map took one more record (`held`); spills the Map (and clears it) when over budget. */
  afterAdd(map: Map<unknown, unknown>, held: unknown): void {
    if (!this.budget.add(held)) return;
    const entries = sortedEntries(map);
    const path = this.files.newPath();
    writeRun(path, entries, this.types);
    this.runs.push(path);
    this.budget.spilled();
    map.clear();
  }

  get spilled(): boolean {
    return this.runs.length > 0;
  }

  /** Every key's entries (from the runs, then the Map), in key order; removes the run files. */
  forEachGroup(map: Map<unknown, unknown>, onGroup: (values: unknown[]) => void): void {
    const tail = sortedEntries(map);
    map.clear();
    let key: string | null = null;
    let values: unknown[] = [];
    try {
      mergeRuns(this.runs, tail, byKey, this.types, (e) => {
        const [k, v] = e as Entry;
        if (k !== key) {
          if (key !== null) onGroup(values);
          key = k;
          values = [];
        }
        values.push(v);
      });
      if (key !== null) onGroup(values);
    } finally {
      this.cleanup();
    }
  }

  cleanup(): void {
    this.files.removeAll();
    this.runs.length = 0;
  }
}

function sortedEntries(map: Map<unknown, unknown>): Entry[] {
  const entries: Entry[] = [];
  for (const [gk, v] of map) entries.push([spillKey(gk), v]);
  entries.sort(byKey);
  return entries;
}
