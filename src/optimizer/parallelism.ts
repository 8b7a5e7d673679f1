/**
 * Each operator's parallelism (the optimizer's first step): what the user set, else the plan's
 * default — except where the operator's meaning fixes it. A collection is read by one instance
 * (as in Flink); an ungrouped reduction meets the whole set in one instance; an iteration's end
 * runs as its head; and the operators that number or count what each partition holds, a collect()
 * sink and a combineGroup (each partition's own groups) follow their input unless set.
 */
import type { PlanNode } from '../plan/nodes.ts';

export function chooseParallelism(node: PlanNode, parallelismOf: (id: number) => number, defaultParallelism: number): number {
  const params = node.params;
  switch (params.kind) {
    case 'CollectionSource':
      return 1;
    case 'Reduce':
    case 'GroupReduce':
    case 'Aggregate':
    case 'First':
      if (params.keys === null) return 1;
      break;
    case 'BulkIteration':
      return parallelismOf(params.partialSolution);
    case 'DeltaIteration':
      return parallelismOf(params.solutionSet);
    case 'CollectSink':
    case 'ZipWithIndex':
    case 'ZipWithUniqueId':
    case 'GroupCombine':
    case 'CountElementsPerPartition':
      return node.parallelism ?? parallelismOf(node.inputs[0]!);
    default:
      break;
  }
  return node.parallelism ?? defaultParallelism;
}
