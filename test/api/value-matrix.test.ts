/**
 * One value model at every parallelism (test/fixtures/value-matrix.ts): values that travel give
 * the same results at p=1, 2 and 4, values that cannot travel the same error; instances of
 * unregistered classes stay usable at p=1, one process, and are an error naming
 * the class at p > 1. The Flink target runs the same matrix in test/flink/flink-target.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envAt } from '../helpers.ts';
import { NOT_TRAVELLING, TRAVELLING, UNREGISTERED, runValueMatrix } from '../fixtures/value-matrix.ts';

test('the value matrix: the same results or the same errors at p=1, 2 and 4', async () => {
  const [p1, p2, p4] = [await runValueMatrix(() => envAt(1)), await runValueMatrix(() => envAt(2)), await runValueMatrix(() => envAt(4))];
  for (const name of Object.keys(TRAVELLING)) {
    assert.doesNotMatch(p1[name]!, /error/, name);
    assert.equal(p2[name], p1[name], `${name} at p=2`);
    assert.equal(p4[name], p1[name], `${name} at p=4`);
  }
  for (const name of Object.keys(NOT_TRAVELLING)) {
    assert.match(p1[name]!, /^error: Cannot serialize (function|symbol|an object nested 1000 levels deep)/, name);
    assert.equal(p2[name], p1[name], `${name} at p=2`);
    assert.equal(p4[name], p1[name], `${name} at p=4`);
  }
  for (const name of Object.keys(UNREGISTERED)) {
    assert.doesNotMatch(p1[name]!, /error/, `${name} at p=1 (one process)`);
    assert.match(p2[name]!, /^error: Cannot serialize an instance of class '\w+' at record\[1\]\[1\]: the class is not registered.*registerCustomType/, `${name} at p=2`);
    assert.equal(p4[name], p2[name], `${name} at p=4`);
  }
  // Spot checks of what the text form keeps apart.
  assert.match(p1.numbers!, /^\[1,-0,NaN,Infinity,9007199254740994,0\.30000000000000004\]/);
  assert.match(p1['nested tuples, shared and sparse']!, /\[1,undefined,3\]/, 'a hole is undefined after a copy, as after an exchange');
  assert.match(p1.objects!, /nullProto:null-proto\{k:1\}/);
});

test('at p=1 a record that cannot travel, held by an exchange (a data set read twice), is the error naming the operator that sent it', async () => {
  const env = envAt(1);
  const ds = env.fromElements(1, 2).map((n) => [n, () => n]);
  await assert.rejects(
    ds
      .map((r) => r[0])
      .union(ds.map((r) => r[0]))
      .collect(),
    /Operator 'Map at [^']*value-matrix\.test\.ts:\d+': a record cannot be sent to the next task: Cannot serialize function '\(anonymous\)' at record\[1\]/,
  );
});
