/**
 * The packed form of a value graph: a list of nodes, each naming its children by index, so
 * that shared and cyclic references survive. JSON-able; built by pack.ts, rebuilt by rebuild.ts.
 */
import type { SourceForm } from './analyze.ts';
import type { KnownRef } from './known-values.ts';

/** A property of an object, function or instance: a value, or an accessor pair. */
export type PackedProperty =
  | { readonly key: string | number; readonly value: number; readonly enumerable: boolean; readonly writable: boolean; readonly configurable: boolean }
  | { readonly key: string | number; readonly get: number | null; readonly set: number | null; readonly enumerable: boolean; readonly configurable: boolean };
// A number key is the index of a node holding a symbol.

export type PackedNode =
  | { readonly k: 'json'; readonly v: string | number | boolean | null }
  | { readonly k: 'undefined' }
  | { readonly k: 'number'; readonly v: 'NaN' | 'Infinity' | '-Infinity' | '-0' }
  | { readonly k: 'bigint'; readonly v: string }
  | { readonly k: 'symbol'; readonly key: string }
  | { readonly k: 'wellKnownSymbol'; readonly name: string }
  | { readonly k: 'array'; readonly items: readonly (number | null)[] }
  /** An array of JSON values only (the common case of a lookup table), inline. */
  | { readonly k: 'jsonArray'; readonly v: readonly (string | number | boolean | null)[] }
  | { readonly k: 'object'; readonly nullProto: boolean; readonly props: readonly PackedProperty[] }
  | { readonly k: 'map'; readonly entries: readonly (readonly [number, number])[] }
  | { readonly k: 'set'; readonly items: readonly number[] }
  | { readonly k: 'date'; readonly time: number }
  | { readonly k: 'regexp'; readonly source: string; readonly flags: string; readonly lastIndex: number }
  | { readonly k: 'bytes'; readonly type: string; readonly base64: string }
  | { readonly k: 'error'; readonly name: string; readonly message: string; readonly stack: string | undefined; readonly props: readonly PackedProperty[] }
  | {
      readonly k: 'function';
      readonly source: string;
      readonly form: SourceForm;
      /** Offsets of a class's `extends` expression, and the node of its superclass. */
      readonly heritage: { readonly start: number; readonly end: number; readonly superclass: number } | null;
      readonly captures: readonly (readonly [string, number])[];
      readonly strict: boolean;
      /** Where it was defined, for stack traces ('' when not from a file). */
      readonly url: string;
      readonly line: number;
      readonly props: readonly PackedProperty[];
      /** A plain function's prototype properties (methods of an old-style class). */
      readonly prototypeProps: readonly PackedProperty[] | null;
    }
  | { readonly k: 'bound'; readonly target: number; readonly boundThis: number; readonly args: readonly number[] }
  | { readonly k: 'known'; readonly ref: KnownRef }
  /** `require` of a CommonJS module: a require function for the same file. */
  | { readonly k: 'require'; readonly file: string }
  | { readonly k: 'instance'; readonly cls: number; readonly props: readonly PackedProperty[] }
  /** A built-in object made again from what it was made with (`new TextEncoder()`, `new URL(href)`). */
  | { readonly k: 'construct'; readonly ctor: readonly string[]; readonly args: readonly number[] };

export interface PackedGraph {
  readonly nodes: readonly PackedNode[];
}
