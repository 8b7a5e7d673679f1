/**
 * Shipping user code (serde/closures): what the client packs is rebuilt in a real worker
 * thread, which never runs this file; each kind of captured value that cannot travel is a
 * PlanError naming the operator, the function's definition site and the captured name.
 */
import assert from 'node:assert/strict';
import { createServer, Socket } from 'node:net';
import { test } from 'node:test';
import { runInThisContext } from 'node:vm';
import { isMainThread, threadId, Worker } from 'node:worker_threads';
import { FilterFunction, MapFunction, getEnvironment } from '../../src/index.ts';
import type { PhysicalPlan } from '../../src/optimizer/physical-plan.ts';
import { packUserCode, type ShippedCode } from '../../src/serde/closures/index.ts';
import { TypeRegistry } from '../../src/serde/type-registry.ts';
import * as lib from './fixtures/closure-lib.ts';
import { SCALE, Shape, scaled } from './fixtures/closure-lib.ts';

const INDEX = new URL('../../src/serde/closures/index.ts', import.meta.url).href;

/** A plan whose operators name the given user objects (one Map each; `data:` ids are collections). */
function planOf(ids: readonly string[]): PhysicalPlan {
  const operators = ids.map((id, i) => ({
    node: {
      id: i,
      name: `Map at job.ts:${i + 1}`,
      inputs: [],
      broadcastInputs: [],
      parallelism: null,
      params: id.startsWith('data:') ? { kind: 'CollectionSource', data: id.slice(5), count: 0 } : { kind: 'Map', fn: id },
    },
  }));
  return { jobName: 'j', tasks: [{ id: 0, name: 't', parallelism: 1, inputs: [], broadcastInputs: [], operators }] } as unknown as PhysicalPlan;
}

async function pack(objects: Record<string, unknown>, types = new TypeRegistry()): Promise<ShippedCode> {
  const ids = Object.keys(objects).map((id) => (Array.isArray(objects[id]) ? `data:${id}` : id));
  return packUserCode(planOf(ids), new Map(Object.entries(objects)), types);
}

/**
 * Rebuilds `code` in a fresh worker thread and runs `probe` there (a function source taking
 * the rebuilt user objects as a Map); resolves with what it returns.
 */
function inWorker(code: ShippedCode, probe: string): Promise<unknown> {
  const source = `
    const { parentPort, workerData } = await import('node:worker_threads');
    const tsx = await import('tsx/esm/api');
    tsx.register();
    const { unpackUserCode } = await import(${JSON.stringify(INDEX)});
    try {
      const { userObjects, types } = await unpackUserCode(workerData);
      parentPort.postMessage({ ok: await (${probe})(userObjects, types) });
    } catch (e) {
      parentPort.postMessage({ error: String(e && e.stack || e) });
    }`;
  return new Promise((resolve, reject) => {
    const w = new Worker(`(async () => {${source}})()`, { eval: true, workerData: JSON.parse(JSON.stringify(code)) });
    w.once('message', (m: { ok?: unknown; error?: string }) => {
      void w.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m.ok);
    });
    w.once('error', reject);
  });
}

test('closures with captured primitives, objects, Maps, Sets, Dates, bytes, recursion and module exports rebuild in a worker', async () => {
  const k = 3;
  const weird = { nan: NaN, negZero: -0, inf: -Infinity, big: 12345678901234567890n, sym: Symbol.for('tsflink.test'), undef: undefined };
  const table = new Map<number, string>([[1, 'one']]);
  const seen = new Set(['a']);
  const when = new Date(86_400_000);
  const bytes = new Uint8Array([1, 2, 3]);
  const re = /a(b+)/g;
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const shared = { hits: 1 };
  const cyclic: { self?: unknown; n: number } = { n: 7 };
  cyclic.self = cyclic;
  const code = await pack({
    u0: (x: number) => [x * k, scaled(x), SCALE, lib.SCALE, table.get(1), seen.has('a'), when.getTime(), [...bytes], fact(5), 'abbb'.replace(re, '$1'), Math.max(x, 100)],
    u1: () => [Number.isNaN(weird.nan), Object.is(weird.negZero, -0), weird.inf, String(weird.big), weird.sym === Symbol.for('tsflink.test'), 'undef' in weird],
    u2: () => [shared, shared],
    u3: () => cyclic.self === cyclic && cyclic.n,
  });
  const got = await inWorker(code, `(objs) => [objs.get('u0')(2), objs.get('u1')(), (() => { const [a, b] = objs.get('u2')(); return a === b && a.hits; })(), objs.get('u3')()]`);
  assert.deepEqual(got, [[6, 20, 10, 10, 'one', true, 86_400_000, [1, 2, 3], 120, 'abbb'.replace(/a(b+)/g, '$1'), 100], [true, true, -Infinity, '12345678901234567890', true, true], 1, 7]);
  // The module the functions import was imported by URL, not copied.
  assert.ok(
    code.modules.some((m) => m.endsWith('closure-lib.ts')),
    `modules: ${code.modules.join(', ')}`,
  );
});

test('a captured variable is copied when the job is packed: later changes in the client do not travel', async () => {
  let counter = 1;
  const f = () => counter;
  const first = await pack({ u0: f });
  counter = 2;
  const second = await pack({ u0: f });
  assert.deepEqual(await inWorker(first, `(o) => o.get('u0')()`), 1);
  assert.deepEqual(await inWorker(second, `(o) => o.get('u0')()`), 2);
});

class Scale extends MapFunction<number, number> {
  factor: number;
  constructor(factor: number) {
    super();
    this.factor = factor;
  }
  map(x: number): number {
    return x * this.factor + scaled(1);
  }
}

class Square extends Shape {
  side = 3;
  override area(): number {
    return this.side * this.side;
  }
}

test('rich-function instances travel with their class, their fields and their superclass; methods, getters and bound functions too', async () => {
  const holder = {
    get twice() {
      return 2;
    },
    m(x: number) {
      return x + 1;
    },
  };
  const inEntry = class Even extends FilterFunction<number> {
    filter(x: number): boolean {
      return x % 2 === 0;
    }
  };
  const code = await pack({
    u0: new Scale(4),
    u1: new inEntry(),
    u2: () => new Square().area(),
    u3: holder.m,
    u4: Object.getOwnPropertyDescriptor(holder, 'twice')!.get!,
    u5: scaled.bind(null, 5),
    u6: { map: (x: number) => x - 1 },
  });
  const got = await inWorker(
    code,
    `(o) => [o.get('u0').map(2), o.get('u0').constructor.name, o.get('u0') instanceof Object.getPrototypeOf(o.get('u0').constructor), o.get('u1').filter(4), o.get('u1').filter(3), o.get('u2')(), o.get('u3')(1), o.get('u4')(), o.get('u5')(), o.get('u6').map(1)]`,
  );
  assert.deepEqual(got, [18, 'Scale', true, true, false, 9, 2, 2, 50, 0]);
});

test('collection data and custom types travel', async () => {
  class Point {
    readonly x: number;
    readonly y: number;
    constructor(x: number, y: number) {
      this.x = x;
      this.y = y;
    }
  }
  const types = new TypeRegistry();
  types.register(Point, { serialize: (p) => new Uint8Array([p.x, p.y]) }, { deserialize: (b) => new Point(b[0]!, b[1]!) });
  const code = await pack({ u0: [new Point(1, 2), new Point(3, 4)], u1: (p: Point) => p.x + p.y }, types);
  const got = await inWorker(code, `(o, types) => [o.get('u0').map((p) => o.get('u1')(p)), o.get('u0')[0].constructor.name, types.size]`);
  assert.deepEqual(got, [[3, 7], 'Point', 1]);
});

test('rebuilding imports the defining module, never this test file', async () => {
  const code = await pack({ u0: (x: number) => scaled(x) });
  const got = await inWorker(
    code,
    `async (o) => { const lib = await import(${JSON.stringify(new URL('./fixtures/closure-lib.ts', import.meta.url).href)}); return [o.get('u0')(1), lib.loads(), globalThis.closuresTestRan === undefined]; }`,
  );
  assert.deepEqual(got, [10, 1, true]);
});
(globalThis as { closuresTestRan?: boolean }).closuresTestRan = true;

/** Asserts that packing `fn` (captured as operator 'Map at job.ts:1') fails naming the captured path and what it is. */
async function assertCannotTravel(fn: unknown, path: string, what: RegExp): Promise<void> {
  await assert.rejects(pack({ u0: fn }), (e: Error) => {
    assert.equal(e.name, 'PlanError');
    assert.match(e.message, /^Map at job\.ts:1: /);
    assert.ok(e.message.includes(`\`${path}\``), e.message);
    assert.match(e.message, what);
    // Where the capturing function was defined: this file, at a line of it (source-mapped).
    const line = Number(/closures\.test\.ts:(\d+)/.exec(e.message)?.[1]);
    assert.ok(line > 150, e.message);
    assert.match(e.message, /cannot be sent to the worker threads/);
    return true;
  });
}

test('a socket, a database client, a native function, an unregistered class instance and the rest cannot travel: a clear error each', async () => {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = new Socket();
  try {
    await assertCannotTravel((x: number) => socket.write(String(x)), 'socket', /an instance of Socket \(it holds resources of this process\)/);
    class DatabaseClient {
      query(x: number): number {
        return x;
      }
    }
    const db = new DatabaseClient();
    await assertCannotTravel((x: number) => db.query(x), 'db', /an instance of class DatabaseClient, which is not a registered type.*registerCustomType\(DatabaseClient/s);
    const config = { nested: { db } };
    await assertCannotTravel((x: number) => config.nested.db.query(x), 'config.nested.db', /class DatabaseClient/);
    const native = new Intl.Collator('en').compare; // native code no worker can name
    await assertCannotTravel((a: string) => native(a, 'b'), 'native', /native code \(built in, or from a native addon\)/);
    const pending = Promise.resolve(1);
    await assertCannotTravel(() => pending, 'pending', /a Promise/);
    const cache = new WeakMap();
    await assertCannotTravel(() => cache, 'cache', /a weak collection/);
    const proxy = new Proxy({}, {});
    await assertCannotTravel(() => proxy, 'proxy', /a Proxy/);
    const unique = Symbol('mine');
    await assertCannotTravel(() => unique, 'unique', /a unique symbol/);
    const env = getEnvironment();
    const ds = env.fromElements(1, 2);
    await assertCannotTravel(() => ds, 'ds', /class DataSet.*broadcast set/s);
    class Secret {
      #key = 1;
      key(): number {
        return this.#key;
      }
    }
    const types = new TypeRegistry();
    types.register(Secret, { serialize: () => new Uint8Array(0) }, { deserialize: () => new Secret() });
    const secret = new Secret();
    await assert.rejects(packUserCode(planOf(['u0']), new Map([['u0', () => secret.key()]]), types), /private fields \(#key\)/);
  } finally {
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('an arrow function that uses `this` of the method it was created in is a clear error', async () => {
  class Job {
    factor = 3;
    mapper(): (x: number) => number {
      return (x) => x * this.factor;
    }
  }
  await assert.rejects(
    pack({ u0: new Job().mapper() }),
    /Map at job\.ts:1: `the function` \(a function defined at .*closures\.test\.ts:\d+\) is a function that uses `this` of the function it was created in.*const factor = this\.factor/s,
  );
});

test("a script's top-level functions and vars (globals of `node -e`, a REPL) travel as values: a worker has none of them", async () => {
  runInThisContext('var closuresTestOffset = 5; function closuresTestHelper(x) { return x + closuresTestOffset; }');
  const code = await pack({ u1: runInThisContext('(x) => closuresTestHelper(x) * 2') });
  assert.deepEqual(await inWorker(code, `(o) => [o.get('u1')(1), typeof globalThis.closuresTestHelper]`), [12, 'undefined']);
});

test('built-ins made from their options (TextEncoder, TextDecoder, URL, Intl formats) and accumulators held by a function travel', async () => {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const base = new URL('https://example.com/a/?q=1');
  const fmt = new Intl.NumberFormat('de-DE', { minimumFractionDigits: 2 });
  class Sum {
    total = 0;
    add(v: number): void {
      this.total += v;
    }
    getLocalValue(): number {
      return this.total;
    }
    resetLocal(): void {
      this.total = 0;
    }
    merge(o: Sum): void {
      this.total += o.total;
    }
    clone(): Sum {
      return new Sum();
    }
  }
  class Counting extends MapFunction<number, number> {
    sum = new Sum();
    map(x: number): number {
      this.sum.add(x);
      return this.sum.getLocalValue();
    }
  }
  const code = await pack({ u0: () => [decoder.decode(encoder.encode('hé')), decoder.fatal, new URL('b', base).href, fmt.format(1.5)], u1: new Counting() });
  assert.deepEqual(await inWorker(code, `(o) => [...o.get('u0')(), o.get('u1').map(2), o.get('u1').map(3)]`), [
    'hé',
    true,
    'https://example.com/a/b',
    new Intl.NumberFormat('de-DE', { minimumFractionDigits: 2 }).format(1.5),
    2,
    5,
  ]);
});

test("an imported built-in binding (threadId, isMainThread) means the worker's own value, not a copy of the client's", async () => {
  assert.equal(isMainThread, true);
  const code = await pack({ u0: () => [isMainThread, threadId] });
  const [main, id] = (await inWorker(code, `(o) => o.get('u0')()`)) as [boolean, number];
  assert.equal(main, false);
  assert.notEqual(id, threadId);
  assert.ok(id > 0);
});
