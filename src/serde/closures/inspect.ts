/**
 * What V8 knows about a function and JavaScript cannot ask: where it was defined, and the
 * variables of the scopes it closes over. Read through an in-thread inspector session, whose
 * calls answer synchronously (no debugger is attached; nothing pauses).
 */
import inspector from 'node:inspector';

/** A function's definition: the script's URL ('' for an eval'd script) and its 0-based line and column. */
export interface FunctionLocation {
  readonly url: string;
  readonly scriptId: string;
  readonly line: number;
  readonly column: number;
}

/** A variable a function closes over: its value now, and the kind of scope that holds it. */
export interface Captured {
  readonly value: unknown;
  /** 'Closure', 'Block', 'Module', 'Script', 'Catch', 'With', 'Eval' (never the global scope). */
  readonly scope: string;
}

export interface FunctionView {
  readonly location: FunctionLocation | null;
  /** The wanted names found in the function's scopes (innermost wins); names not found are globals. */
  readonly captured: ReadonlyMap<string, Captured>;
  /** Whether the function was defined in an ES module (its code is strict). */
  readonly inModule: boolean;
  /** For a bound function: what it binds. */
  readonly bound: { readonly target: (...args: unknown[]) => unknown; readonly boundThis: unknown; readonly args: readonly unknown[] } | null;
}

interface RemoteObject {
  readonly type: string;
  readonly subtype?: string;
  readonly value?: unknown;
  readonly unserializableValue?: string;
  readonly description?: string;
  readonly objectId?: string;
}

interface PropertyDescriptor {
  readonly name: string;
  readonly value?: RemoteObject;
}

const SLOT = Symbol.for('tsflink.closures.slot');
const slotHolder = globalThis as unknown as Record<symbol, unknown>;
const GROUP = 'tsflink-closures';

let session: inspector.Session | null = null;
/** scriptId → URL, filled from the Debugger's scriptParsed events. */
const scriptUrls = new Map<string, string>();

function connected(): inspector.Session {
  if (session === null) {
    session = new inspector.Session();
    session.connect();
    session.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) => {
      scriptUrls.set(m.params.scriptId, m.params.url);
    });
  }
  return session;
}

function call<T>(method: string, params: object = {}): T {
  let result: T | undefined;
  let error: Error | null = null;
  let answered = false;
  connected().post(method, params, (e: Error | null, r?: object) => {
    error = e;
    result = r as T;
    answered = true;
  });
  if (!answered) throw new Error(`the inspector did not answer ${method} synchronously`);
  if (error) throw error;
  return result!;
}

function objectIdOf(value: unknown): string {
  slotHolder[SLOT] = value;
  try {
    const r = call<{ result: RemoteObject }>('Runtime.evaluate', { expression: `globalThis[Symbol.for('tsflink.closures.slot')]`, objectGroup: GROUP, silent: true });
    return r.result.objectId!;
  } finally {
    delete slotHolder[SLOT];
  }
}

/** The JavaScript value a remote object stands for. */
function remoteValue(remote: RemoteObject): unknown {
  if (remote.objectId !== undefined) {
    call('Runtime.callFunctionOn', {
      objectId: remote.objectId,
      functionDeclaration: `function () { 'use strict'; globalThis[Symbol.for('tsflink.closures.slot')] = this; }`,
      silent: true,
    });
    const v = slotHolder[SLOT];
    delete slotHolder[SLOT];
    return v;
  }
  if (remote.unserializableValue !== undefined) {
    const u = remote.unserializableValue;
    if (u.endsWith('n')) return BigInt(u.slice(0, -1));
    return u === '-0' ? -0 : u === 'NaN' ? NaN : u === 'Infinity' ? Infinity : -Infinity;
  }
  return remote.type === 'undefined' ? undefined : remote.value;
}

function properties(objectId: string): { result: PropertyDescriptor[]; internalProperties?: PropertyDescriptor[]; privateProperties?: PropertyDescriptor[] } {
  return call('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false });
}

function urlOfScript(scriptId: string): string {
  let url = scriptUrls.get(scriptId);
  if (url === undefined) {
    // Enabling the debugger reports every script parsed so far (about 20 ms); done only for a script not seen yet.
    call('Debugger.enable');
    call('Debugger.disable');
    url = scriptUrls.get(scriptId) ?? '';
    scriptUrls.set(scriptId, url);
  }
  return url;
}

/** The values of remote objects, fetched in one call. */
function valuesOf(remotes: readonly RemoteObject[]): unknown[] {
  const withIds = remotes.filter((r) => r.objectId !== undefined);
  if (withIds.length > 0) {
    call('Runtime.callFunctionOn', {
      objectId: withIds[0]!.objectId,
      functionDeclaration: `function () { globalThis[Symbol.for('tsflink.closures.slot')] = Array.prototype.slice.call(arguments); }`,
      arguments: withIds.map((r) => ({ objectId: r.objectId })),
      silent: true,
    });
  }
  const fetched = (slotHolder[SLOT] as unknown[] | undefined) ?? [];
  delete slotHolder[SLOT];
  let next = 0;
  return remotes.map((r) => (r.objectId !== undefined ? fetched[next++] : remoteValue(r)));
}

/** What does not change about a function: where it is defined, and whether in a module. */
const fixed = new WeakMap<object, { readonly location: FunctionLocation | null; readonly inModule: boolean }>();

/** Where `fn` was defined and the values of the `wanted` variables it closes over. */
export function inspectFunction(fn: (...args: unknown[]) => unknown, wanted: ReadonlySet<string>): FunctionView {
  const known = fixed.get(fn);
  if (known && wanted.size === 0) return { ...known, captured: new Map(), bound: null };
  try {
    const props = properties(objectIdOf(fn));
    const internal = new Map((props.internalProperties ?? []).map((p) => [p.name, p.value!]));
    const target = internal.get('[[TargetFunction]]');
    if (target) {
      const boundArgs = internal.get('[[BoundArgs]]');
      return {
        location: null,
        captured: new Map(),
        inModule: false,
        bound: {
          target: remoteValue(target) as (...args: unknown[]) => unknown,
          boundThis: remoteValue(internal.get('[[BoundThis]]')!),
          args: boundArgs ? (remoteValue(boundArgs) as unknown[]) : [],
        },
      };
    }
    const loc = internal.get('[[FunctionLocation]]')?.value as { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
    const location = loc ? { url: urlOfScript(loc.scriptId), scriptId: loc.scriptId, line: loc.lineNumber, column: loc.columnNumber } : null;
    const found: { name: string; scope: string; remote: RemoteObject }[] = [];
    const names = new Set<string>();
    let inModule = false;
    const scopeList = internal.get('[[Scopes]]');
    if (scopeList?.objectId) {
      for (const s of properties(scopeList.objectId).result) {
        const d = s.value;
        if (!d?.objectId || d.description === 'Global') continue;
        const kind = (d.description ?? '').split(' ')[0]!;
        if (kind === 'Module') inModule = true;
        if (names.size === wanted.size) continue;
        for (const v of properties(d.objectId).result) {
          if (wanted.has(v.name) && !names.has(v.name) && v.value) {
            names.add(v.name);
            found.push({ name: v.name, scope: kind, remote: v.value });
          }
        }
      }
    }
    const values = valuesOf(found.map((f) => f.remote));
    const captured = new Map<string, Captured>(found.map((f, i) => [f.name, { value: values[i], scope: f.scope }]));
    fixed.set(fn, { location, inModule });
    return { location, captured, inModule, bound: null };
  } finally {
    call('Runtime.releaseObjectGroup', { objectGroup: GROUP });
  }
}

/** The names of an object's private fields and methods (`#x`), which no copy can reach. */
export function privateNames(obj: object): string[] {
  try {
    return (properties(objectIdOf(obj)).privateProperties ?? []).map((p) => p.name);
  } finally {
    call('Runtime.releaseObjectGroup', { objectGroup: GROUP });
  }
}

/** A script's source as V8 runs it (after tsx compiled it), cached; '' when unknown. */
const sources = new Map<string, string>();
export function scriptSource(scriptId: string): string {
  let source = sources.get(scriptId);
  if (source === undefined) {
    try {
      call('Debugger.enable');
      source = call<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId }).scriptSource;
    } catch {
      source = '';
    } finally {
      call('Debugger.disable');
    }
    sources.set(scriptId, source);
  }
  return source;
}
