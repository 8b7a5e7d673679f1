/** Builds the Output of one operator of a task chain from its physical description. */
import { operatorName } from '../../optimizer/physical-plan.ts';
import type { Output } from '../collector.ts';
import { compileKeyExtractor } from '../keys.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { AggregateOutput } from './aggregate-output.ts';
import { DistinctOutput } from './distinct-output.ts';
import { FilterOutput, FlatMapOutput, MapOutput, ProjectOutput } from './element-wise.ts';
import { FirstOutput } from './first-output.ts';
import { GroupReduceOutput, groupFunction } from './group-reduce-output.ts';
import { comparatorOnPairs, groupReduceOnPairs, KeyExtractOutput, KeyRemoveOutput, PAIR_KEY, reduceOnPairs } from './key-pairs.ts';
import { CountPerPartitionOutput, MapPartitionOutput, SortPartitionOutput, ZipWithIndexOutput, ZipWithUniqueIdOutput } from './partition-outputs.ts';
import { ReduceOutput } from './reduce-output.ts';
import { CollectSinkOutput, CsvSinkOutput, ParquetSinkOutput, FormatSinkOutput, PrintSinkOutput, TextSinkOutput } from './sink-outputs.ts';

export function createOperatorOutput(setup: OperatorSetup, next: Output): Output {
  const { op } = setup;
  const p = op.node.params;
  const combine = op.strategy === 'COMBINE';
  if (op.strategy === 'COUNT_PER_PARTITION') return new CountPerPartitionOutput(setup, next);
  if (op.strategy === 'ZIP_WITH_INDEX') return new ZipWithIndexOutput(setup, next);
  if (op.strategy === 'ZIP_WITH_UNIQUE_ID') return new ZipWithUniqueIdOutput(setup, next);
  if (op.strategy === 'KEY_REMOVE') return new KeyRemoveOutput(next);
  switch (p.kind) {
    case 'Map':
      return new MapOutput(setup, p.fn, next);
    case 'Filter':
      return new FilterOutput(setup, p.fn, next);
    case 'FlatMap':
      return new FlatMapOutput(setup, p.fn, next);
    case 'Project':
      return new ProjectOutput(setup, p.fields, next);
    case 'Union':
    case 'PartitionByHash':
    case 'PartitionCustom':
    case 'Rebalance':
    case 'PartialSolution':
    case 'Workset':
    case 'SolutionSet':
      return next; // the exchange (or the iteration feeding it) did the work
    case 'BulkIteration':
    case 'DeltaIteration':
      // The iteration's result, or a step's result on its way back to the step's head.
      if (op.strategy === 'MAP' || op.strategy === 'FEEDBACK') return next;
      return setup.fail(`${op.strategy} does not run as an operator`);
    case 'MapPartition':
      return new MapPartitionOutput(setup, p.fn, next);
    case 'SortPartition':
      return new SortPartitionOutput(setup, p.sortKeys, next);
    case 'Reduce':
    case 'GroupReduce': {
      // A key-selector reduction's key, extracted once: errors of its selector name the combiner it feeds.
      if (op.strategy === 'KEY_EXTRACT' && p.keys) return new KeyExtractOutput(compileKeyExtractor(p.keys, setup.resources.userObjects, operatorName({ node: op.node, strategy: 'COMBINE' })), next);
      const keys = op.onPairs ? PAIR_KEY : p.keys;
      if (p.kind === 'Reduce') {
        const f = setup.fn<(a: unknown, b: unknown) => unknown>(p.fn, 'reduce');
        return new ReduceOutput(setup, op.onPairs ? reduceOnPairs(f) : f, keys, next);
      }
      const fn = groupFunction(setup, p.fn, combine);
      const f = op.onPairs ? groupReduceOnPairs(fn, combine, setup.name) : fn;
      const comparator = p.sortKeys.length > 0 ? setup.sortComparator(p.sortKeys) : null;
      return new GroupReduceOutput(setup, f, keys, comparator && op.onPairs ? comparatorOnPairs(comparator) : comparator, next);
    }
    case 'GroupCombine':
      return new GroupReduceOutput(setup, groupFunction(setup, p.fn, false), p.keys, p.sortKeys.length > 0 ? setup.sortComparator(p.sortKeys) : null, next);
    case 'Aggregate':
      return new AggregateOutput(setup, p.aggregations, p.keys, next);
    case 'Distinct':
      return new DistinctOutput(setup, p.keys, next);
    case 'First':
      return new FirstOutput(setup, p.n, p.keys, p.sortKeys, next);
    case 'TextSink':
      return new TextSinkOutput(setup, p.format === 'json');
    case 'ParquetSink':
      return new ParquetSinkOutput(setup, p.schema);
    case 'CsvSink':
      return new CsvSinkOutput(setup, p.fieldDelimiter, p.lineDelimiter);
    case 'PrintSink':
      return new PrintSinkOutput(setup, p.toError);
    case 'FormatSink':
      return new FormatSinkOutput(setup, p.fn);
    case 'CollectSink':
      return new CollectSinkOutput(setup, p.resultId, p.countOnly);
    default:
      return setup.fail(`operator kind ${p.kind} cannot run as a chained operator`);
  }
}
