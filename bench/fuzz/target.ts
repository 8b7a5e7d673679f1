/**
 * What a fuzz target is: a module in bench/fuzz/targets/ whose default export is a `FuzzTarget`
 * (bench/fuzz/README.md). The harness (harness.ts) checks each of its properties for `runs`
 * cases with one seed, so a failure is replayed with `--seed S`.
 */
import type fc from 'fast-check';

/** One property of a target: fast-check's sync or async property, with a name for the report. */
export interface FuzzProperty {
  readonly name: string;
  // (any: a property over any generated tuple)
  readonly property: fc.IRawProperty<any, boolean>;
}

export interface FuzzTarget {
  /** Short name, as given on the command line: `npm run fuzz -- serde-record`. */
  readonly name: string;
  /** One line: what is checked against what. */
  readonly description: string;
  /**
   * The target's properties, built fresh on each call (so state they keep, such as a reused
   * writer, starts clean for every run of the target).
   */
  properties(): readonly FuzzProperty[];
}
