/** Operators that see a whole partition: mapPartition, sortPartition, countElementsPerPartition, zipWithIndex. */
import type { SortKey } from '../../plan/nodes.ts';
import type { Output } from '../collector.ts';
import { UserCollector } from '../collector.ts';
import { emitReturned } from '../emit.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import type { RecordComparator } from '../sort.ts';
import { wrapUserError } from '../udf.ts';
import type { MemoryBudget } from '../spill/memory-budget.ts';
import { mergeRuns, type SpillFiles, writeRun } from '../spill/spill-runs.ts';

/** Calls the user's function once with the whole partition, also when it is empty. */
export class MapPartitionOutput implements Output {
  private readonly f: (values: unknown[], out: UserCollector) => unknown;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private readonly records: unknown[] = [];

  constructor(setup: OperatorSetup, fnId: string, next: Output) {
    this.f = setup.fn(fnId, 'mapPartition');
    this.setup = setup;
    this.next = next;
  }
  collect(record: unknown): void {
    this.records.push(this.setup.hold(record));
  }
  close(): void {
    try {
      emitReturned(this.f(this.records, new UserCollector(this.next)), this.next, this.setup.name);
    } catch (e) {
      throw wrapUserError(this.setup.name, undefined, e);
    }
    this.next.close();
  }
}

export class SortPartitionOutput implements Output {
  private readonly comparator: RecordComparator;
  private readonly setup: OperatorSetup;
  private readonly next: Output;
  private records: unknown[] = [];
  // An external merge sort past the memory budget: sorted runs on disk, merged at the end.
  private readonly budget: MemoryBudget;
  private files: SpillFiles | null = null;
  private readonly runs: string[] = [];

  constructor(setup: OperatorSetup, sortKeys: readonly SortKey[], next: Output) {
    this.comparator = setup.sortComparator(sortKeys);
    this.setup = setup;
    this.next = next;
    this.budget = setup.memoryBudget();
  }
  collect(record: unknown): void {
    const held = this.setup.hold(record);
    this.records.push(held);
    if (this.budget.add(held)) {
      this.records.sort(this.comparator);
      this.files ??= this.setup.spillFiles();
      const path = this.files.newPath();
      writeRun(this.files, path, this.records, this.setup.resources.types);
      this.runs.push(path);
      this.budget.spilled();
      this.records = [];
    }
  }
  close(): void {
    const records = this.records;
    this.records = [];
    records.sort(this.comparator);
    if (this.runs.length > 0) {
      const next = this.next;
      mergeRuns(this.runs, records, this.comparator, this.setup.resources.types, (r) => next.collect(r), { files: this.files!, budgetBytes: this.setup.memoryLimitBytes() });
    } else for (let i = 0; i < records.length; i++) this.next.collect(records[i]);
    this.next.close();
  }
}

/** `[subtaskIndex, count]` for a non-empty partition. */
export class CountPerPartitionOutput implements Output {
  private readonly subtask: number;
  private readonly next: Output;
  private count = 0;

  constructor(setup: OperatorSetup, next: Output) {
    this.subtask = setup.subtask;
    this.next = next;
  }
  collect(): void {
    this.count++;
  }
  close(): void {
    if (this.count > 0) this.next.collect([this.subtask, this.count]);
    this.next.close();
  }
}

/** `[index, value]`: this partition's offset is the sum of the counts of the partitions before it. */
export class ZipWithIndexOutput implements Output {
  private readonly next: Output;
  private index = 0;

  constructor(setup: OperatorSetup, next: Output) {
    this.next = next;
    const counts = setup.ctx.getBroadcastVariable('counts') as [number, number][];
    for (const [subtask, count] of counts) if (subtask < setup.subtask) this.index += count;
  }
  collect(record: unknown): void {
    this.next.collect([this.index++, record]);
  }
  close(): void {
    this.next.close();
  }
}

/**
 * `[id, record]` with ids unique across the subtasks and no pass over the data first, as Flink's
 * DataSetUtils.zipWithUniqueId: subtask i of p gives its n-th record `n · 2^b + i`, where b is
 * the bit length of p − 1. Dense only at p=1.
 */
export class ZipWithUniqueIdOutput implements Output {
  private readonly next: Output;
  private readonly step: number;
  private id: number;

  constructor(setup: OperatorSetup, next: Output) {
    this.next = next;
    this.step = 2 ** (setup.parallelism - 1).toString(2).replace(/^0$/, '').length;
    this.id = setup.subtask;
  }
  collect(record: unknown): void {
    this.next.collect([this.id, record]);
    this.id += this.step;
  }
  close(): void {
    this.next.close();
  }
}
