/**
 * `name(s)` and `setParallelism(n)` per operator, as seen by the running functions and
 * in `getExecutionPlan()`: HASH shipping for groupings, a COMBINE before a grouped reduce.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Collector, MapFunction, MapPartitionFunction, PlanError } from '../../src/index.ts';
import { PARALLELISMS, envAt } from '../helpers.ts';
import { record, recorded, spyLog } from '../spy.ts';
import { type Tuple3, get3TupleDataSet } from './collection-data-sets.ts';

interface PlanNodeJson {
  id: string | number;
  name: string;
  kind: string;
  parallelism: number;
  strategy?: string;
}
interface PlanEdgeJson {
  source: string | number;
  target: string | number;
  ship: string;
}
interface PlanJson {
  nodes: PlanNodeJson[];
  edges: PlanEdgeJson[];
}

function plan(json: string): PlanJson {
  const parsed = JSON.parse(json) as PlanJson;
  assert.ok(Array.isArray(parsed.nodes), 'getExecutionPlan() has nodes');
  assert.ok(Array.isArray(parsed.edges), 'getExecutionPlan() has edges');
  return parsed;
}

function nodeNamed(p: PlanJson, name: string): PlanNodeJson {
  const node = p.nodes.find((n) => n.name === name);
  assert.ok(node, `no node named ${name} in ${p.nodes.map((n) => n.name).join(', ')}`);
  return node;
}

/** The edges into a node. */
const into = (p: PlanJson, node: PlanNodeJson): PlanEdgeJson[] => p.edges.filter((e) => e.target === node.id);

/** `[subtask, parallelism]` once per parallel instance. */
class InstanceProbe<T> extends MapPartitionFunction<T, [number, number]> {
  override mapPartition(_values: Iterable<T>, out: Collector<[number, number]>): void {
    out.collect([this.context.getIndexOfThisSubtask(), this.context.getNumberOfParallelSubtasks()]);
  }
}

for (const p of PARALLELISMS) {
  describe(`operator settings at p=${p}`, () => {
    test('name(s) appears in the execution plan, with its kind and parallelism', () => {
      const env = envAt(p);
      get3TupleDataSet(env)
        .map((t) => t[0])
        .name('extract ids')
        .filter((n) => n > 3)
        .name('big ids')
        .output();
      const json = plan(env.getExecutionPlan());
      const map = nodeNamed(json, 'extract ids');
      assert.equal(map.kind, 'Map');
      assert.equal(map.parallelism, p);
      assert.equal(nodeNamed(json, 'big ids').kind, 'Filter');
    });

    test('setParallelism(n) appears in the execution plan', () => {
      const env = envAt(p);
      get3TupleDataSet(env)
        .map((t) => t[0])
        .name('three')
        .setParallelism(3)
        .map((n) => n)
        .name('default')
        .output();
      const json = plan(env.getExecutionPlan());
      assert.equal(nodeNamed(json, 'three').parallelism, 3);
      assert.equal(nodeNamed(json, 'default').parallelism, p);
    });

    test('mapPartition with setParallelism(3) runs as 3 instances', async () => {
      const result = await get3TupleDataSet(envAt(p)).mapPartition(new InstanceProbe<Tuple3>()).setParallelism(3).collect();
      assert.deepEqual(
        [...result].sort((a, b) => a[0] - b[0]),
        [
          [0, 3],
          [1, 3],
          [2, 3],
        ],
      );
    });

    test('without setParallelism an operator runs at the environment parallelism', async () => {
      const result = await get3TupleDataSet(envAt(p)).mapPartition(new InstanceProbe<Tuple3>()).collect();
      assert.deepEqual(
        result.map((r) => r[0]).sort(),
        Array.from({ length: p }, (_, i) => i),
      );
      for (const [, n] of result) assert.equal(n, p);
    });

    test('each operator of a pipeline keeps its own parallelism', async () => {
      class Probe extends MapFunction<number, [number, number]> {
        override map(): [number, number] {
          return [this.context.getNumberOfParallelSubtasks(), this.context.getIndexOfThisSubtask()];
        }
      }
      const result = await envAt(p)
        .generateSequence(1, 60)
        .setParallelism(2)
        .map((n) => n)
        .setParallelism(5)
        .map(new Probe())
        .setParallelism(3)
        .collect();
      assert.equal(result.length, 60);
      for (const [n, i] of result) {
        assert.equal(n, 3);
        assert.ok(i >= 0 && i < 3);
      }
    });

    test('a grouped reduceGroup and sortPartition with their own parallelism', async () => {
      const env = envAt(p);
      const grouped = await get3TupleDataSet(env)
        .groupBy(1)
        .reduceGroup(function* (this: unknown, values: Iterable<Tuple3>) {
          let key = 0;
          for (const t of values) key = t[1];
          yield key;
        })
        .setParallelism(2)
        .collect();
      assert.deepEqual([...grouped].sort(), [1, 2, 3, 4, 5, 6]);
    });

    test('the execution plan ships a grouping by HASH on its key', () => {
      const env = envAt(p);
      get3TupleDataSet(env)
        .groupBy(1)
        .reduceGroup((values: Iterable<Tuple3>) => [[...values].length])
        .name('sizes')
        .output();
      const json = plan(env.getExecutionPlan());
      const reducer = nodeNamed(json, 'sizes');
      assert.deepEqual(
        into(json, reducer).map((e) => e.ship),
        ['HASH'],
      );
    });

    test('groupBy().reduce() has a COMBINE before the HASH shuffle', () => {
      const env = envAt(p);
      get3TupleDataSet(env)
        .groupBy(1)
        .reduce((a, b) => a)
        .name('pick')
        .output();
      const json = plan(env.getExecutionPlan());
      const reducer = nodeNamed(json, 'pick');
      const combiner = json.nodes.find((n) => n.strategy === 'COMBINE');
      assert.ok(combiner, `no COMBINE node in ${JSON.stringify(json.nodes)}`);
      assert.match(combiner.name, /pick/);
      const edge = into(json, reducer);
      assert.equal(edge.length, 1);
      assert.equal(edge[0]!.ship, 'HASH');
      assert.equal(edge[0]!.source, combiner.id);
    });

    test('a reduceGroup that is not combinable has no COMBINE', () => {
      const env = envAt(p);
      get3TupleDataSet(env)
        .groupBy(1)
        .reduceGroup((values: Iterable<Tuple3>) => [[...values].length])
        .output();
      const json = plan(env.getExecutionPlan());
      assert.equal(json.nodes.filter((n) => n.strategy === 'COMBINE').length, 0);
    });

    test('getExecutionPlan() runs nothing', () => {
      const env = envAt(p);
      // Logged from wherever the map would run (worker threads at p=4).
      const calls = spyLog();
      get3TupleDataSet(env)
        .map((t) => {
          record(calls, t);
          return t;
        })
        .output();
      env.getExecutionPlan();
      assert.deepEqual(recorded(calls), []);
    });

    test('setParallelism rejects what is not a positive integer', () => {
      const ds = get3TupleDataSet(envAt(p)).map((t) => t);
      assert.throws(() => ds.setParallelism(0), PlanError);
      assert.throws(() => ds.setParallelism(1.5), PlanError);
    });

    test('a failing function names its operator in the error', async () => {
      const ds = get3TupleDataSet(envAt(p))
        .map((t) => {
          if (t[0] === 7) throw new Error('boom');
          return t;
        })
        .name('exploding mapper');
      await assert.rejects(ds.collect(), (e: Error) => /exploding mapper/.test(e.message) && /boom/.test(`${e.message} ${String(e.cause)}`));
    });
  });
}
