/**
 * The free names of a parsed program: identifiers it reads or writes that none of its own
 * scopes declare (so they come from the scopes around a function, or are globals). Written
 * here rather than taken from a scope library: the ones on npm are ES-module-only, and a user
 * script that tsx compiles to CommonJS loads tsflink through `require`.
 */

// biome-ignore lint: ESTree nodes from acorn, walked generically
type Node = any;

interface Scope {
  readonly names: Set<string>;
  readonly parent: Scope | null;
  /** A function's scope (where `var` goes), or a block's. */
  readonly isFunction: boolean;
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const SKIP_KEYS = new Set(['type', 'start', 'end', 'loc', 'range', 'raw']);

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const key of Object.keys(node)) {
    if (SKIP_KEYS.has(key)) continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const x of v) if (x && typeof x.type === 'string') out.push(x);
    } else if (v && typeof v.type === 'string') {
      out.push(v);
    }
  }
  return out;
}

/** The names a binding pattern declares. */
function patternNames(p: Node, out: string[] = []): string[] {
  if (!p) return out;
  switch (p.type) {
    case 'Identifier':
      out.push(p.name);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const e of p.elements) patternNames(e, out);
      break;
    case 'AssignmentPattern':
      patternNames(p.left, out);
      break;
    case 'RestElement':
      patternNames(p.argument, out);
      break;
    default:
      break;
  }
  return out;
}

export function freeNames(program: Node): Set<string> {
  const scopes = new Map<Node, Scope>();
  const free = new Set<string>();
  const functionScope = (s: Scope): Scope => {
    let f = s;
    while (!f.isFunction && f.parent) f = f.parent;
    return f;
  };

  // Pass 1: every scope and what it declares (hoisting falls out: all are known before pass 2).
  const declare = (node: Node, scope: Scope): void => {
    let inner = scope;
    if (FUNCTION_TYPES.has(node.type)) {
      if (node.type === 'FunctionDeclaration' && node.id) scope.names.add(node.id.name);
      inner = { names: new Set(), parent: scope, isFunction: true };
      if (node.type === 'FunctionExpression' && node.id) inner.names.add(node.id.name);
      for (const p of node.params) for (const n of patternNames(p)) inner.names.add(n);
      scopes.set(node, inner);
    } else if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      if (node.type === 'ClassDeclaration' && node.id) scope.names.add(node.id.name);
      inner = { names: new Set(node.id ? [node.id.name] : []), parent: scope, isFunction: false };
      scopes.set(node, inner);
    } else if (
      node.type === 'BlockStatement' ||
      node.type === 'ForStatement' ||
      node.type === 'ForInStatement' ||
      node.type === 'ForOfStatement' ||
      node.type === 'SwitchStatement' ||
      node.type === 'StaticBlock'
    ) {
      inner = { names: new Set(), parent: scope, isFunction: node.type === 'StaticBlock' };
      scopes.set(node, inner);
    } else if (node.type === 'CatchClause') {
      inner = { names: new Set(patternNames(node.param)), parent: scope, isFunction: false };
      scopes.set(node, inner);
    } else if (node.type === 'VariableDeclaration') {
      const target = node.kind === 'var' ? functionScope(scope) : scope;
      for (const d of node.declarations) for (const n of patternNames(d.id)) target.names.add(n);
    }
    for (const c of children(node)) declare(c, inner);
  };

  // Pass 2: every identifier that is a reference, resolved through the scopes.
  const resolve = (name: string, scope: Scope | null): void => {
    for (let s = scope; s; s = s.parent) if (s.names.has(name)) return;
    free.add(name);
  };
  const visit = (node: Node, scope: Scope, parent: Node, key: string): void => {
    if (node.type === 'Identifier') {
      if (parent) {
        if ((parent.type === 'MemberExpression' && key === 'property' && !parent.computed) || parent.type === 'MetaProperty') return;
        if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && key === 'key' && !parent.computed) {
          if (!(parent.type === 'Property' && parent.shorthand && parent.value === node)) return;
        }
        if ((parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') && key === 'label') return;
      }
      resolve(node.name, scope);
      return;
    }
    if (node.type === 'PrivateIdentifier') return;
    const inner = scopes.get(node) ?? scope;
    for (const k of Object.keys(node)) {
      if (SKIP_KEYS.has(k)) continue;
      const v = node[k];
      // A shorthand property's key and value are one node: visit it once, as the value.
      if (node.type === 'Property' && node.shorthand && k === 'key') continue;
      if (Array.isArray(v)) {
        for (const x of v) if (x && typeof x.type === 'string') visit(x, inner, node, k);
      } else if (v && typeof v.type === 'string') {
        visit(v, inner, node, k);
      }
    }
  };

  const root: Scope = { names: new Set(), parent: null, isFunction: true };
  declare(program, root);
  visit(program, root, null, '');
  return free;
}
