/**
 * Shipping user code to workers: the functions, rich-function instances, key selectors,
 * collection data and custom types a physical plan names by user-object id are packed into a
 * JSON-able `ShippedCode` in the client (pack.ts), and rebuilt from it in a worker thread or a
 * Flink Node worker without running the user's script (rebuild.ts). See docs/shipping-code.md.
 */
import { PlanError, TsflinkError } from '../../errors/index.ts';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import { RecordReader } from '../record-reader.ts';
import { RecordWriter } from '../record-writer.ts';
import { type CustomDeserializer, type CustomSerializer, TypeRegistry } from '../type-registry.ts';
import type { PackedGraph } from './graph.ts';
import { loadModuleExports } from './known-values.ts';
import { modulesNotToImport, NeedModules, Packer } from './pack.ts';
import { rebuildGraph } from './rebuild.ts';

/** What a worker needs to rebuild a job's user objects. JSON-able; opaque outside this folder. */
export interface ShippedCode {
  readonly version: 1;
  /** File URLs (ES modules) and paths (CommonJS) of the modules the rebuilt code imports. */
  readonly modules: readonly string[];
  readonly graph: PackedGraph;
  /** Per user-object id: its node, or its records (collection data, in the binary record format). */
  readonly objects: Readonly<Record<string, { readonly node: number } | { readonly records: string }>>;
  /** The registered custom types in registration order: nodes of the class, serializer and deserializer. */
  readonly types: readonly { readonly cls: number; readonly serializer: number; readonly deserializer: number }[];
}

export interface UnpackedCode {
  readonly userObjects: ReadonlyMap<string, unknown>;
  readonly types: TypeRegistry;
  /** The node of the shipped code a rebuilt class was made from (see `shippedClass`). */
  readonly nodeOfClass: (cls: unknown) => number | undefined;
}

/** Per packed code, in the client: the functions (classes) it was packed from, by node. */
const packedFunctions = new WeakMap<ShippedCode, ReadonlyMap<number, unknown>>();

/**
 * The client's own class that node `node` of `code` was packed from: a worker names a class by
 * the node it rebuilt it from, so that an instance of it can come back (a custom accumulator).
 */
export function shippedClass(code: ShippedCode, node: number): unknown {
  return packedFunctions.get(code)?.get(node);
}

/**
 * Packs what `plan` refers to. Throws a PlanError naming the operator, where the function was
 * defined and the captured name when a captured value cannot travel. Call it before the first
 * `await` of a job (it reads the stack to know which modules are still running their top level).
 */
export async function packUserCode(plan: PhysicalPlan, userObjects: ReadonlyMap<string, unknown>, types: TypeRegistry): Promise<ShippedCode> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const noImport = modulesNotToImport(stack);
  for (;;) {
    try {
      return packOnce(plan, userObjects, types, noImport);
    } catch (e) {
      if (!(e instanceof NeedModules)) throw e;
      await loadModuleExports(e.urls);
    }
  }
}

function packOnce(plan: PhysicalPlan, userObjects: ReadonlyMap<string, unknown>, types: TypeRegistry, noImport: ReadonlySet<string>): ShippedCode {
  const packer = new Packer(noImport, types);
  const objects: Record<string, { node: number } | { records: string }> = {};
  for (const [id, operator] of referencedIds(plan)) {
    const value = userObjects.get(id);
    if (operator.data) objects[id] = { records: packRecords(value, operator.name, types) };
    else objects[id] = { node: packer.packRoot(value, operator.name) };
  }
  const packedTypes: ShippedCode['types'][number][] = [];
  for (let t = 0; t < types.size; t++) {
    const type = types.byId(t)!;
    const operator = `the custom type ${type.name}`;
    packedTypes.push({ cls: packer.packRoot(type.cls, operator), serializer: packer.packRoot(type.serializer, operator), deserializer: packer.packRoot(type.deserializer, operator) });
  }
  packer.finish();
  const code: ShippedCode = { version: 1, modules: [...packer.modules], graph: { nodes: packer.nodes }, objects, types: packedTypes };
  packedFunctions.set(code, packer.functionsByNode());
  return code;
}

function packRecords(value: unknown, operator: string, types: TypeRegistry): string {
  const writer = new RecordWriter(types);
  try {
    for (const v of value as unknown[]) writer.write(v);
  } catch (e) {
    throw new PlanError(`${operator}: an element of the collection cannot be sent to the workers that run the job: ${e instanceof Error ? e.message : String(e)}`);
  }
  return Buffer.from(writer.finish()).toString('base64');
}

/** Rebuilds a job's user objects and custom types (in a worker thread or a Flink Node worker). */
export async function unpackUserCode(code: ShippedCode): Promise<UnpackedCode> {
  try {
    const get = await rebuildGraph(code.graph);
    const types = new TypeRegistry();
    for (const t of code.types) {
      types.register(get(t.cls) as abstract new () => unknown, get(t.serializer) as CustomSerializer<unknown>, get(t.deserializer) as CustomDeserializer<unknown>);
    }
    const userObjects = new Map<string, unknown>();
    for (const [id, o] of Object.entries(code.objects)) {
      userObjects.set(id, 'node' in o ? get(o.node) : new RecordReader(types).readAll(Buffer.from(o.records, 'base64')));
    }
    return { userObjects, types, nodeOfClass: get.nodeOf };
  } catch (e) {
    if (e instanceof TsflinkError) throw e;
    throw new TsflinkError(`the job's functions could not be rebuilt in a worker: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Rewrites the module URLs and files of `code` (code shipped to a remote cluster lives elsewhere). */
export function relocateModules(code: ShippedCode, map: (urlOrFile: string) => string): ShippedCode {
  const nodes = code.graph.nodes.map((n) => {
    if (n.k === 'known' && n.ref.kind === 'esm') return { ...n, ref: { ...n.ref, url: map(n.ref.url) } };
    if (n.k === 'known' && n.ref.kind === 'cjs') return { ...n, ref: { ...n.ref, file: map(n.ref.file) } };
    if (n.k === 'require') return { ...n, file: map(n.file) };
    return n;
  });
  return { ...code, modules: code.modules.map(map), graph: { nodes } };
}

/**
 * The user-object ids a plan names, with the operator that names each (and whether it is
 * collection data). A task with an operator that runs in the client ships only the keys its
 * producers partition by.
 */
export function referencedIds(plan: PhysicalPlan): Map<string, { readonly name: string; readonly data: boolean }> {
  const ids = new Map<string, { name: string; data: boolean }>();
  const walk = (v: unknown, operator: string): void => {
    if (Array.isArray(v)) for (const x of v) walk(x, operator);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'fn' || k === 'data') && typeof x === 'string' && /^u\d+$/.test(x)) {
          if (!ids.has(x)) ids.set(x, { name: operator, data: k === 'data' });
        } else walk(x, operator);
      }
    }
  };
  for (const t of plan.tasks) {
    const inClient = t.operators.some((op) => op.node.runInClient === true);
    if (!inClient) {
      for (const op of t.operators) {
        walk(op.node.params, op.node.name);
        if (op.node.parameters !== undefined && !ids.has(op.node.parameters)) ids.set(op.node.parameters, { name: op.node.name, data: false });
      }
    }
    walk(t.inputs, t.operators[0]!.node.name); // exchange keys (a key selector partitions)
  }
  return ids;
}
