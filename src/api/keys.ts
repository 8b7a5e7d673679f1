/**
 * Keys as the user writes them (positions, names, dotted paths, selectors) and their
 * normalisation into the plan's `KeySpec`. The types make an out-of-range position a compile error.
 */
import { checkFunction, describeArgument, planError } from './checks.ts';
import type { KeySpec } from '../plan/nodes.ts';
import { KeySelector } from './functions.ts';
import type { UserObjects } from './user-objects.ts';

/** The valid positions of a fixed-length tuple type: `[a, b]` → `0 | 1`. */
export type TupleIndices<T extends readonly unknown[]> = {
  [K in keyof T]: K extends `${infer N extends number}` ? N : never;
}[number];

/** A field key of T: a position of a tuple, any position of an open array, a (dotted) field name of an object. */
export type FieldKey<T> = T extends readonly unknown[]
  ? number extends T['length']
    ? number
    : TupleIndices<T>
  : T extends string | number | boolean | bigint | null | undefined | Uint8Array
    ? never
    : T extends object
      ? FieldPath<T>
      : never;

/** One level less of FieldPath's depth (four levels are checked; deeper paths are not). */
type Shallower = [never, 0, 1, 2, 3];

/**
 * The dotted paths into an object type: `'user'`, `'user.name'`, `'items.0'`, so that a path
 * the type does not have is a compile error. Where the type says nothing (unknown, any, or an
 * index signature's values) or past four levels, any path is allowed.
 */
export type FieldPath<T, D extends number = 4> = [D] extends [never]
  ? string
  : unknown extends T
    ? string
    : T extends readonly unknown[]
      ? `${number}` | `${number}.${FieldPath<T[number], Shallower[D]>}`
      : T extends string | number | boolean | bigint | symbol | null | undefined | Uint8Array | Date | Map<unknown, unknown> | Set<unknown> | RegExp
        ? never
        : T extends object
          ? { [K in keyof T & string]: K | `${K}.${FieldPath<NonNullable<T[K]>, Shallower[D]>}` }[keyof T & string]
          : never;

/** A key-selector: a function or a `KeySelector` instance. */
export type KeySelectorArg<T> = ((value: T) => unknown) | KeySelector<T, unknown>;

/** What `groupBy`, `where`, `equalTo`, `distinct`, `partitionByHash`, `sortGroup` accept. */
export type KeyArgs<T> = [KeySelectorArg<T>] | FieldKey<T>[];

/** The fields of T picked by positions I, as a tuple type. */
export type PickFields<T, I extends readonly number[]> = { -readonly [K in keyof I]: T extends readonly unknown[] ? T[I[K]] : unknown };

/** Turns the user's key arguments into a plan key, registering a selector function as a user object. */
export function toKeySpec(args: readonly unknown[], objects: UserObjects, what: string): KeySpec {
  if (args.length === 0) throw planError(what, 'at least one key is required');
  const first = args[0];
  if (typeof first === 'function' || first instanceof KeySelector || hasGetKey(first)) {
    if (args.length > 1) throw planError(what, 'a key selector must be the only key');
    checkFunction(first, what, 'getKey', 'KeySelector');
    return { kind: 'selector', fn: objects.add(first) };
  }
  const fields: (number | string)[] = [];
  for (const a of args) {
    if (typeof a === 'number') {
      if (!Number.isInteger(a) || a < 0) throw planError(what, `key position ${a} is not a non-negative integer`);
      fields.push(a);
    } else if (typeof a === 'string') {
      if (a === '' || a.split('.').some((p) => p === '')) throw planError(what, `invalid key expression '${a}'`);
      fields.push(/^\d+$/.test(a) ? Number(a) : a);
    } else {
      throw planError(what, `a key must be a field position, a field name or a key selector (a function or a KeySelector), got ${describeArgument(a, 'getKey')}`);
    }
  }
  return { kind: 'fields', fields };
}

function hasGetKey(v: unknown): boolean {
  return v !== null && typeof v === 'object' && typeof (v as { getKey?: unknown }).getKey === 'function';
}

/** Number of fields a key compares, for checking that both sides of a join agree; null for selectors. */
export function keyWidth(spec: KeySpec): number | null {
  return spec.kind === 'fields' ? spec.fields.length : null;
}

/**
 * Both sides of a join or coGroup must compare keys of the same shape. Field keys can be checked
 * here; a selector may return a value or a tuple, so it may meet a key of either width (as in Flink).
 */
export function checkKeyWidths(left: KeySpec, right: KeySpec, what: string): void {
  const l = keyWidth(left);
  const r = keyWidth(right);
  if (l !== null && r !== null && l !== r) throw planError(what, `the keys of both sides must have the same number of fields (${l} vs ${r})`);
}
