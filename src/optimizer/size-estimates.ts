/**
 * Rough sizes of data sets, as Flink's optimizer keeps them: known at the sources (collection
 * length, sequence length, file bytes), carried through operators that keep the count, and
 * unknown (null) after anything whose output size cannot be told (flatMap, grouped reductions,
 * joins). The join and cross strategies use them to decide what to broadcast.
 */
import { fileSystemOf } from '../io/fs/file-system.ts';
import { listInputFiles } from '../io/input-files.ts';
import type { PlanNode } from '../plan/nodes.ts';

export interface SizeEstimate {
  readonly bytes: number | null;
}

/** Bytes per record assumed where records are not read from files. */
const RECORD_BYTES = 32;

function fileBytes(path: string): number | null {
  if (path === '-') return null; // stdin
  try {
    return listInputFiles(path).reduce((sum, f) => sum + (fileSystemOf(f).stat(f)?.size ?? 0), 0);
  } catch {
    return null; // missing inputs are reported by the runtime's checks, before anything runs
  }
}

export function estimateSize(node: PlanNode, inputs: readonly SizeEstimate[]): SizeEstimate {
  const p = node.params;
  const first = inputs[0]?.bytes ?? null;
  switch (p.kind) {
    case 'CollectionSource':
      return { bytes: p.count * RECORD_BYTES };
    case 'SequenceSource':
      return { bytes: Math.max(0, p.to - p.from + 1) * 8 };
    case 'FormatSource':
      return { bytes: null };
    case 'TextSource':
    case 'CsvSource':
      return { bytes: fileBytes(p.path) };
    case 'ParquetSource':
      // Compressed columns: what they hold in memory is a few times larger.
      return { bytes: fileBytes(p.path) === null ? null : fileBytes(p.path)! * 4 };
    case 'Map':
    case 'MapAsync':
    case 'Project':
    case 'PartitionByHash':
    case 'PartitionCustom':
    case 'Rebalance':
    case 'SortPartition':
    case 'ZipWithIndex':
    case 'ZipWithUniqueId':
    case 'MapPartition':
    case 'GroupCombine':
      return { bytes: first };
    case 'Filter':
      return { bytes: first === null ? null : first / 2 }; // Flink's default filter selectivity
    case 'Union':
      return { bytes: inputs.some((i) => i.bytes === null) ? null : inputs.reduce((s, i) => s + i.bytes!, 0) };
    case 'Reduce':
    case 'Aggregate':
    case 'GroupReduce':
      return { bytes: p.keys === null ? RECORD_BYTES : first };
    case 'First':
      return { bytes: p.keys === null ? p.n * RECORD_BYTES : first };
    case 'Distinct':
      return { bytes: first };
    case 'CountElementsPerPartition':
      return { bytes: RECORD_BYTES * 64 };
    case 'Cross': {
      const second = inputs[1]?.bytes ?? null;
      return { bytes: first === null || second === null ? null : first * second };
    }
    default:
      return { bytes: null };
  }
}

/** Largest estimated size a join or cross broadcasts to every instance without a hint. */
export const BROADCAST_THRESHOLD_BYTES = 8 * 1024 * 1024;

/**
 * Which input to broadcast: the one known to be small (≤ threshold) and much smaller than the
 * other (or the other unknown); null to repartition both.
 */
export function chooseBroadcastSide(left: SizeEstimate, right: SizeEstimate): 0 | 1 | null {
  const small = (x: SizeEstimate, other: SizeEstimate) => x.bytes !== null && x.bytes <= BROADCAST_THRESHOLD_BYTES && (other.bytes === null || x.bytes * 4 <= other.bytes);
  if (small(right, left)) return 1;
  if (small(left, right)) return 0;
  return null;
}
