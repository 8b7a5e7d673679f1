/**
 * `withParameters(obj)` (Flink's withParameters(Configuration)): the operator's rich functions read
 * the object with `this.context.getParameters()`, in open() and per record, at every parallelism;
 * an operator without parameters sees an empty object; the object is copied when given.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FilterFunction, MapFunction, PlanError, type RuntimeContext } from '../../src/index.ts';
import { PARALLELISMS, assertSameMultiset, envAt } from '../helpers.ts';

class Scale extends MapFunction<number, number> {
  private factor = 0;
  override open(ctx: RuntimeContext): void {
    this.factor = ctx.getParameters().factor as number;
  }
  map(x: number): number {
    return x * this.factor + (this.context.getParameters().offset as number);
  }
}

class AtLeast extends FilterFunction<number> {
  filter(x: number): boolean {
    const min = this.context.getParameters().min;
    return min === undefined || x >= (min as number);
  }
}

for (const p of PARALLELISMS) {
  test(`rich functions read their operator's parameters at p=${p}`, async () => {
    const params = { factor: 10, offset: 1 };
    const ds = envAt(p).generateSequence(1, 6).map(new Scale()).withParameters(params);
    params.factor = 1000; // copied when given
    const out = await ds.filter(new AtLeast()).withParameters({ min: 31 }).collect();
    assertSameMultiset(out, [31, 41, 51, 61]);
    assertSameMultiset(await envAt(p).generateSequence(1, 3).filter(new AtLeast()).collect(), [1, 2, 3]);
  });
}

test('withParameters takes a plain object', () => {
  const ds = envAt(1).fromElements(1);
  assert.throws(() => ds.withParameters([1] as never), PlanError);
  assert.throws(() => ds.withParameters(new Map() as never), /expected a plain object of parameters/);
});
