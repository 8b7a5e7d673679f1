/**
 * A compiled pipeline's operators after its head (optimizer/compiled-pipelines.ts) as one
 * generated Output: a `collect` that runs them one after the other on a local variable — the
 * user's map and filter functions called from it, a projection copied field by field, an
 * aggregate's update of an existing group inlined (AggregateOutput.compiledUpdate) — instead of
 * one Output object and one call per operator. A distinct at its end is its own compiled
 * operator (compiled-distinct.ts), called from the loop.
 *
 * It behaves as the operators do one by one: each user function is bound by its operator's
 * setup (opened and closed with the subtask's functions, errors named by its operator), a
 * projection or aggregate given a record it does not expect hands it to the operator's own
 * implementation (which fails with its usual message, or — the aggregate — takes the case the
 * generated code leaves to it: a new group, another type of key or value).
 */
import type { Output } from '../collector.ts';
import { returnedPromise } from '../emit.ts';
import type { OperatorSetup } from '../operator-setup.ts';
import { AggregateOutput } from '../operators/aggregate-output.ts';
import { CompiledDistinctOutput } from './compiled-distinct.ts';
import { ProjectOutput } from '../operators/element-wise.ts';
import { wrapUserError } from '../udf.ts';

/** Nothing is ever pushed into it: a ProjectOutput given a record it rejects throws first. */
const UNREACHABLE: Output = {
  collect() {
    throw new Error('unreachable: a rejected record was projected');
  },
  close() {},
};

/** The Output of operators `setups` (in chain order; each a Map, Filter, Project or, last, an Aggregate or a Distinct) pushing into `next`. */
export function compiledPipeline(setups: readonly OperatorSetup[], next: Output): Output {
  const bindings: Record<string, unknown> = { next, wrapUserError, returnedPromise };
  const code: string[] = [];
  const closes: string[] = [];
  let ended = false;
  setups.forEach((setup, j) => {
    const p = setup.op.node.params;
    const v = `o${j}_`;
    bindings[`${v}name`] = setup.name;
    switch (p.kind) {
      case 'Map':
      case 'Filter': {
        // The user's function called in place; a map's result goes on, a filter's decides whether the record does.
        const bound = setup.bind<(x: unknown) => unknown>(p.fn, p.kind === 'Map' ? 'map' : 'filter');
        bindings[`${v}f`] = bound.call;
        bindings[`${v}fn`] = bound;
        code.push(
          `// ${p.kind}`,
          `try { x = ${v}f(r); } catch (e) { throw wrapUserError(${v}name, r, e); }`,
          `if (x instanceof Promise) throw returnedPromise(${v}name);`,
          p.kind === 'Map' ? 'r = x;' : 'if (!x) return;',
        );
        closes.push(`${v}fn.close();`);
        break;
      }
      case 'Project': {
        const fields = p.fields;
        bindings[`${v}reject`] = new ProjectOutput(setup, fields, UNREACHABLE);
        const max = Math.max(-1, ...fields);
        code.push(`// ${p.kind}`, `if (!Array.isArray(r) || r.length <= ${max}) ${v}reject.collect(r);`, `r = [${fields.map((f) => `r[${f}]`).join(', ')}];`);
        break;
      }
      case 'Aggregate': {
        if (j !== setups.length - 1) setup.fail('an aggregate ends its compiled pipeline');
        const op = new AggregateOutput(setup, p.aggregations, p.keys, next);
        const update = op.compiledUpdate(v);
        bindings[`${v}op`] = op;
        code.push(`// ${p.kind}`);
        if (update === null) code.push(`${v}op.collect(r);`);
        else {
          Object.assign(bindings, update.bindings);
          code.push(update.code);
        }
        closes.push(`${v}op.close();`);
        ended = true;
        break;
      }
      case 'Distinct': {
        if (j !== setups.length - 1) setup.fail('a distinct ends its compiled pipeline');
        bindings[`${v}op`] = new CompiledDistinctOutput(setup, p.keys, next);
        code.push(`// ${p.kind}`, `${v}op.collect(r);`);
        closes.push(`${v}op.close();`);
        ended = true;
        break;
      }
      default:
        setup.fail(`${p.kind} is not an operator of a compiled pipeline`);
    }
  });
  if (!ended) {
    code.push('next.collect(r);');
    closes.push('next.close();');
  }
  const names = Object.keys(bindings);
  // The functions are closed once their operators have seen every record, before what follows closes (as CloseHook does).
  const source = `return {
  collect(record) {
    let r = record;
    let x;
    ${code.join('\n    ')}
  },
  close() {
    ${closes.join('\n    ')}
  },
};
//# sourceURL=tsflink:compiled-pipeline`;
  const make = new Function(...names, source) as (...values: unknown[]) => Output;
  return make(...names.map((n) => bindings[n]));
}
