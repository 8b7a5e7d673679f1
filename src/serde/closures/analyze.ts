/**
 * What a function's source says about it: how to evaluate the source back into a function
 * (an expression, or a method of an object literal), the free names it reads (variables of
 * enclosing scopes, or globals), and what no copy can bring along (`this`, `arguments` or
 * `super` of an enclosing function, `import.meta`).
 */
import { parse } from 'acorn';
import { freeNames } from './free-names.ts';

/** How the source becomes a function again. */
export type SourceForm =
  /** `(source)` is the function: function, arrow, class (declarations become named expressions). */
  | { readonly kind: 'expression' }
  /** A method, getter or setter: the property of `({source})` that it is. */
  | { readonly kind: 'method'; readonly accessor: 'value' | 'get' | 'set' };

export interface SourceAnalysis {
  readonly form: SourceForm;
  readonly free: ReadonlySet<string>;
  /** What the function takes from an enclosing function and a copy cannot have, e.g. `this`. */
  readonly unreachable: string | null;
  /** A class's `extends` expression, as offsets in the source (replaced by the rebuilt superclass). */
  readonly heritage: { readonly start: number; readonly end: number } | null;
}

// biome-ignore lint: ESTree nodes from acorn, walked generically
type Node = any;

/** What stands for a class's superclass in its rebuilt source. */
export const SUPER = '__tsflink$super';

const cache = new Map<string, SourceAnalysis | string>();

/** Analyses a function's source (cached by source); a string is why it cannot be analysed. */
export function analyzeSource(source: string): SourceAnalysis | string {
  let a = cache.get(source);
  if (a === undefined) {
    a = analyzeUncached(source);
    if (cache.size > 5000) cache.clear();
    cache.set(source, a);
  }
  return a;
}

function tryParse(code: string): Node | null {
  // As a script first (sloppy code parses there only); as a module for `import.meta`.
  for (const sourceType of ['script', 'module'] as const) {
    try {
      return parse(code, { ecmaVersion: 'latest', sourceType, allowAwaitOutsideFunction: true });
    } catch {
      // next
    }
  }
  return null;
}

function analyzeUncached(source: string): SourceAnalysis | string {
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) return 'it is native code';
  let offset = 1;
  let form: SourceForm = { kind: 'expression' };
  let program = tryParse(`(${source}\n)`);
  let fn: Node = program?.body[0]?.expression;
  if (!program || !fn || !/Function|Class/.test(fn.type)) {
    program = tryParse(`({${source}\n})`);
    const prop = program?.body[0]?.expression?.properties?.[0];
    if (!prop || !/Function/.test(prop.value?.type ?? '')) return 'its source cannot be parsed back';
    offset = 2;
    fn = prop.value;
    form = { kind: 'method', accessor: prop.kind === 'init' ? 'value' : prop.kind };
  }
  let heritage: SourceAnalysis['heritage'] = null;
  if (fn.type === 'ClassExpression' && fn.superClass) {
    heritage = { start: fn.superClass.start - offset, end: fn.superClass.end - offset };
    // The names only the `extends` expression reads are not needed: it is replaced.
    const spliced = tryParse(`(${source.slice(0, heritage.start)}${SUPER}${source.slice(heritage.end)}\n)`);
    if (spliced) program = spliced;
  }
  const free = freeNames(program);
  free.delete(SUPER);
  free.delete('import');
  // A named function or class expression binds its own name.
  if (fn.id?.name) free.delete(fn.id.name);
  // A non-arrow function has its own `arguments`; an arrow's belong to the function around it.
  free.delete('arguments');
  let unreachable: string | null = null;
  if (fn.type === 'ArrowFunctionExpression') {
    if (usesOuter(fn.body, 'this')) unreachable = '`this` of the function it was created in';
    else if (usesOuter(fn.body, 'arguments')) unreachable = '`arguments` of the function it was created in';
  }
  if (unreachable === null && form.kind === 'method' && usesOuter(fn.body, 'super')) unreachable = '`super` of the object it was defined in';
  if (unreachable === null && usesOuter(fn, 'import.meta')) unreachable = '`import.meta` of its module';
  return { form, free, unreachable, heritage };
}

/**
 * Whether `node` uses `what` (this, arguments, super, import.meta) belonging to an enclosing
 * function: nested non-arrow functions have their own `this`/`arguments` (classes their own
 * `this` and `super`).
 */
function usesOuter(node: Node, what: 'this' | 'arguments' | 'super' | 'import.meta'): boolean {
  let found = false;
  const visit = (n: Node, top: boolean): void => {
    if (found || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x, false);
      return;
    }
    if (typeof n.type !== 'string') return;
    if (!top && what !== 'import.meta' && (n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration')) return;
    if (!top && (what === 'this' || what === 'super') && (n.type === 'ClassExpression' || n.type === 'ClassDeclaration')) {
      visit(n.superClass, false);
      return;
    }
    if (what === 'this' && n.type === 'ThisExpression') found = true;
    else if (what === 'super' && n.type === 'Super') found = true;
    else if (what === 'arguments' && n.type === 'Identifier' && n.name === 'arguments') found = true;
    else if (what === 'import.meta' && n.type === 'MetaProperty' && n.meta.name === 'import') found = true;
    for (const key of Object.keys(n)) if (key !== 'type' && key !== 'start' && key !== 'end') visit(n[key], false);
  };
  visit(node, true);
  return found;
}

const importsCache = new Map<string, Map<string, { readonly from: string; readonly name: string }>>();

/** A module's import bindings: local name → the module specifier and the imported name ('*' for a namespace). */
export function importBindings(moduleSource: string): Map<string, { readonly from: string; readonly name: string }> {
  let bindings = importsCache.get(moduleSource);
  if (bindings) return bindings;
  bindings = new Map();
  let program: Node = null;
  try {
    program = parse(moduleSource, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
  } catch {
    program = null;
  }
  for (const d of program?.body ?? []) {
    if (d.type !== 'ImportDeclaration') continue;
    for (const sp of d.specifiers) {
      const name = sp.type === 'ImportSpecifier' ? (sp.imported.name ?? sp.imported.value) : sp.type === 'ImportDefaultSpecifier' ? 'default' : '*';
      bindings.set(sp.local.name, { from: d.source.value, name });
    }
  }
  if (importsCache.size > 200) importsCache.clear();
  importsCache.set(moduleSource, bindings);
  return bindings;
}
