/**
 * Shipping user code to workers (issue 10): the functions, rich-function instances, key
 * selectors, collection data and custom types a physical plan names by user-object id are
 * packed into a JSON-able `ShippedCode` in the client, and rebuilt from it in a worker thread
 * or a Flink Node worker without running the user's script.
 *
 * INTERIM STUB (being replaced by the real packer): functions travel as their source text with
 * no captures; everything else by structured clone.
 */
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import { TypeRegistry } from '../type-registry.ts';

/** What a worker needs to rebuild a job's user objects. JSON-able; opaque outside this folder. */
export interface ShippedCode {
  readonly version: 1;
  /** File URLs of the modules the rebuilt code imports (for shipping them to a remote cluster). */
  readonly modules: readonly string[];
  readonly [more: string]: unknown;
}

export interface UnpackedCode {
  readonly userObjects: ReadonlyMap<string, unknown>;
  readonly types: TypeRegistry;
}

/**
 * Packs what `plan` refers to. Throws a PlanError naming the operator, its call site and the
 * captured name when a captured value cannot travel.
 */
export async function packUserCode(plan: PhysicalPlan, userObjects: ReadonlyMap<string, unknown>, _types: TypeRegistry): Promise<ShippedCode> {
  const objects: Record<string, unknown> = {};
  for (const id of referencedIds(plan)) {
    const v = userObjects.get(id);
    objects[id] = typeof v === 'function' ? { fn: v.toString() } : { value: v };
  }
  return { version: 1, modules: [], objects };
}

export async function unpackUserCode(code: ShippedCode): Promise<UnpackedCode> {
  const userObjects = new Map<string, unknown>();
  for (const [id, o] of Object.entries(code.objects as Record<string, { fn?: string; value?: unknown }>)) {
    // biome-ignore lint: interim
    userObjects.set(id, o.fn !== undefined ? (0, eval)(`(${o.fn})`) : o.value);
  }
  return { userObjects, types: new TypeRegistry() };
}

/** Rewrites the module URLs of `code` (code shipped to a remote cluster lives elsewhere). */
export function relocateModules(code: ShippedCode, _map: (url: string) => string): ShippedCode {
  return code;
}

/** The user-object ids a plan names, with the operator that names each. */
export function referencedIds(plan: PhysicalPlan): Map<string, string> {
  const ids = new Map<string, string>();
  const walk = (v: unknown, operator: string): void => {
    if (Array.isArray(v)) for (const x of v) walk(x, operator);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'fn' || k === 'data') && typeof x === 'string' && /^u\d+$/.test(x)) {
          if (!ids.has(x)) ids.set(x, operator);
        } else walk(x, operator);
      }
    }
  };
  for (const t of plan.tasks) {
    for (const op of t.operators) walk(op.node.params, op.node.name);
    walk(t.inputs, t.operators[0]!.node.name); // exchange keys (a key selector partitions)
  }
  return ids;
}
