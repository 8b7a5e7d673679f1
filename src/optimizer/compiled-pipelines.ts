/**
 * Compiled pipelines (the optimizer's last step): within each task, the runs of consecutive
 * operators that tsflink defines itself — and user map/filter functions between them — that the
 * engine runs as one generated function instead of one operator object per operator
 * (runtime/compiled/pipeline.ts generates it, V8 compiles it). As in HyPer's data-centric code
 * generation and Spark's whole-stage code generation, records pass from operator to operator
 * through local variables rather than through a call per operator, and tsflink's own operators
 * are specialised to their fields and types:
 *
 * - a `readCsv` head with a plain dialect (one-character field delimiter, `\n` lines, no comment
 *   prefix, tuples) parses every row of a chunk without quotes in a loop generated for its
 *   column types and `includedFields` (io/csv-rows.ts);
 * - a hash join on one field position each side (its build and probe) keeps its build side in
 *   a typed-array hash table while the build keys are integers, and copies a held flat tuple
 *   with one array literal (runtime/compiled/int-key-table.ts);
 * - `map` and `filter` call the user's function from the loop; `project` copies its fields;
 * - an `aggregate`/`sum`/`min`/`max` (its combiner or the final one) on one field position
 *   updates its group's columns in place, without a loop over the aggregations;
 * - a `distinct` on the whole record or on field positions keeps integer keys (and tuples of
 *   them) in a typed-array set (runtime/compiled/compiled-distinct.ts);
 * - a `writeCsv` with one-character delimiters writes a row of integers and plain ASCII text as
 *   bytes straight into its file buffer (io/csv-writer.ts `writeRow`), no row text built.
 *
 * A run holds at least one of tsflink's own specialised operators (a map and a filter alone
 * gain nothing). `pipeline.compile: false` (or `TSFLINK_COMPILE=0`) plans none; both paths give
 * the same records and the same errors (the generated code leaves anything unusual — a new
 * group, a field of another type, a row with quotes — to the operator's own implementation).
 * `tsflink plan` lists each task's runs.
 */
import type { KeySpec, PlanNode } from '../plan/nodes.ts';
import type { CompiledRun, PhysicalOperator } from './physical-plan.ts';

/** The runs of a task's operators that are compiled together, in operator order. */
export function compiledRuns(operators: readonly PhysicalOperator[]): CompiledRun[] {
  const runs: CompiledRun[] = [];
  let first = -1;
  let specialised = false;
  const end = (last: number): void => {
    if (first >= 0 && specialised) runs.push({ first, last });
    first = -1;
    specialised = false;
  };
  for (let k = 0; k < operators.length; k++) {
    const role = roleOf(operators[k]!, k);
    if (role === null) {
      end(k - 1);
      continue;
    }
    if (first < 0) first = k;
    if (role !== 'element') specialised = true;
    if (role === 'last') end(k);
  }
  end(operators.length - 1);
  return runs;
}

/** What an operator can be in a run: its head (a source), an element-wise step, its last operator (one that holds records), or nothing. */
function roleOf(op: PhysicalOperator, index: number): 'head' | 'element' | 'last' | null {
  const p = op.node.params;
  if (index === 0) {
    if (p.kind === 'CsvSource') return op.strategy === 'SOURCE' && plainCsv(op.node) ? 'head' : null;
    if (p.kind === 'Join') return JOIN_STRATEGIES.has(op.strategy) && oneField(p.leftKeys) && oneField(p.rightKeys) ? 'head' : null;
    // A reduction reading an exchange (where a runner runs it itself, the runner's head takes its place).
    if (op.strategy !== 'HASH_GROUP') return null;
  }
  if (op.strategy === 'MAP' && (p.kind === 'Map' || p.kind === 'Filter' || p.kind === 'Project')) return 'element';
  if (p.kind === 'Aggregate' && (op.strategy === 'COMBINE' || op.strategy === 'HASH_GROUP') && op.onPairs !== true && oneFieldOrNone(p.keys)) return 'last';
  if (p.kind === 'Distinct' && (op.strategy === 'COMBINE' || op.strategy === 'HASH_GROUP') && (p.keys.kind === 'whole' || numericFields(p.keys))) return 'last';
  if (p.kind === 'CsvSink' && op.strategy === 'SINK' && p.fieldDelimiter.length === 1 && p.lineDelimiter.length === 1) return 'last';
  return null;
}

/** A CSV source whose rows the generated loop reads (io/csv-rows.ts says which dialects). */
function plainCsv(node: PlanNode): boolean {
  const p = node.params;
  if (p.kind !== 'CsvSource') return false;
  const o = p.options;
  return o.fieldDelimiter.length === 1 && o.fieldDelimiter !== '\r' && o.lineDelimiter === '\n' && (o.ignoreComments === null || o.ignoreComments === '') && o.pojoFields === undefined;
}

const JOIN_STRATEGIES: ReadonlySet<string> = new Set(['HASH_JOIN_BUILD_FIRST', 'HASH_JOIN_BUILD_SECOND', 'HASH_OUTER_JOIN']);

function oneField(keys: KeySpec): boolean {
  return keys.kind === 'fields' && keys.fields.length === 1 && typeof keys.fields[0] === 'number';
}

function numericFields(keys: KeySpec): boolean {
  return keys.kind === 'fields' && keys.fields.every((f) => typeof f === 'number');
}

function oneFieldOrNone(keys: KeySpec | null): boolean {
  return keys === null || oneField(keys);
}

/** Whether the operator at `index` is in one of the runs. */
export function isCompiled(runs: readonly CompiledRun[] | undefined, index: number): boolean {
  return runs?.some((r) => r.first <= index && index <= r.last) === true;
}
