import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatKeySpec, formatPlan } from '../../src/optimizer/explain.ts';
import type { PhysicalPlan } from '../../src/optimizer/physical-plan.ts';
import { createNode, type NodeParams, type PlanNode } from '../../src/plan/nodes.ts';

function node(id: number, name: string, inputs: number[], params: NodeParams, broadcastInputs: PlanNode['broadcastInputs'] = []): PlanNode {
  return createNode({ id, name, inputs, broadcastInputs, parallelism: null, params });
}

const source = node(1, 'TextSource at wc.ts:5', [], { kind: 'TextSource', path: '/data/in.txt' });
const tokenize = node(2, 'FlatMap at wc.ts:6', [1], { kind: 'FlatMap', fn: 'u1' });
const stopwords = node(3, 'stop "words"', [], { kind: 'CollectionSource', data: 'u2', count: 3 });
const count = node(4, 'Reduce at wc.ts:9', [2], { kind: 'Reduce', fn: 'u3', keys: { kind: 'fields', fields: [0] } });
const filter = node(5, 'Filter at wc.ts:10', [4], { kind: 'Filter', fn: 'u4' }, [{ name: 'stopwords', input: 3 }]);
const sink = node(6, 'CsvSink at wc.ts:11', [5], {
  kind: 'CsvSink',
  path: '/data/out.csv',
  writeMode: 'OVERWRITE',
  fieldDelimiter: ',',
  lineDelimiter: '\n',
});

const plan: PhysicalPlan = {
  jobName: 'WordCount',
  defaultParallelism: 4,
  iterations: [],
  tasks: [
    {
      id: 1,
      name: 'TextSource at wc.ts:5 -> FlatMap at wc.ts:6 -> Combine',
      parallelism: 4,
      operators: [
        { node: source, strategy: 'SOURCE' },
        { node: tokenize, strategy: 'MAP' },
        { node: count, strategy: 'COMBINE', combineKeys: { kind: 'fields', fields: [0] } },
      ],
      inputs: [],
      broadcastInputs: [],
    },
    {
      id: 2,
      name: 'stop "words"',
      parallelism: 1,
      operators: [{ node: stopwords, strategy: 'SOURCE' }],
      inputs: [],
      broadcastInputs: [],
    },
    {
      id: 3,
      name: 'Reduce at wc.ts:9 -> Filter at wc.ts:10',
      parallelism: 4,
      operators: [
        { node: count, strategy: 'HASH_GROUP' },
        { node: filter, strategy: 'MAP' },
      ],
      inputs: [{ fromTask: 1, ship: 'HASH', keys: { kind: 'fields', fields: [0] } }],
      broadcastInputs: [{ name: 'stopwords', fromTask: 2 }],
    },
    {
      id: 4,
      name: 'CsvSink at wc.ts:11',
      parallelism: 1,
      operators: [{ node: sink, strategy: 'SINK' }],
      inputs: [{ fromTask: 3, ship: 'REBALANCE' }],
      broadcastInputs: [],
    },
  ],
};

describe('formatPlan', () => {
  test('text: one block per task, operators with strategies, inputs with ship strategies', () => {
    assert.equal(
      formatPlan(plan, 'text'),
      [
        'Job "WordCount" (default parallelism 4)',
        '',
        'Task 1 "TextSource at wc.ts:5 -> FlatMap at wc.ts:6 -> Combine" p=4',
        `  TextSource "TextSource at wc.ts:5" SOURCE from '/data/in.txt'`,
        '  FlatMap "FlatMap at wc.ts:6" MAP',
        '  Reduce "Reduce at wc.ts:9" COMBINE on fields(0)',
        '',
        'Task 2 "stop \\"words\\"" p=1',
        '  CollectionSource "stop \\"words\\"" SOURCE',
        '',
        'Task 3 "Reduce at wc.ts:9 -> Filter at wc.ts:10" p=4',
        '  Reduce "Reduce at wc.ts:9" HASH_GROUP on fields(0)',
        '  Filter "Filter at wc.ts:10" MAP',
        '  <- Task 1 via HASH on fields(0)',
        `  <- Task 2 as broadcast 'stopwords'`,
        '',
        'Task 4 "CsvSink at wc.ts:11" p=1',
        `  CsvSink "CsvSink at wc.ts:11" SINK to '/data/out.csv' OVERWRITE`,
        '  <- Task 3 via REBALANCE',
      ].join('\n'),
    );
  });

  test('json: operator nodes, edges with ship strategies, and the tasks themselves', () => {
    const json = JSON.parse(formatPlan(plan, 'json'));
    assert.deepEqual(json.tasks, JSON.parse(JSON.stringify(plan.tasks)));
    assert.equal(json.jobName, 'WordCount');
    const combine = json.nodes.find((n: { strategy: string }) => n.strategy === 'COMBINE');
    assert.ok(combine, 'the combiner is a node of its own');
    assert.ok(json.nodes.every((n: object) => ['id', 'name', 'kind', 'parallelism', 'strategy', 'task'].every((k) => k in n)));
    const hash = json.edges.find((e: { ship: string }) => e.ship === 'HASH');
    assert.equal(hash.source, combine.id);
    assert.equal(hash.keys, 'fields(0)');
    assert.ok(json.edges.some((e: { ship: string; input: unknown }) => e.ship === 'BROADCAST' && typeof e.input === 'string'));
  });

  test('dot: a digraph with one node per task and labelled edges', () => {
    const dot = formatPlan(plan, 'dot');
    assert.ok(dot.startsWith('digraph "WordCount" {\n'));
    assert.ok(dot.endsWith('\n}'));
    assert.match(dot, /^ {2}t1 \[label="Task 1 p=4\\lTextSource \\"TextSource at wc\.ts:5\\" SOURCE from '\/data\/in\.txt'\\l.*Reduce \\"Reduce at wc\.ts:9\\" COMBINE on fields\(0\)\\l"\];$/m);
    assert.match(dot, /^ {2}t2 \[label="Task 2 p=1\\lCollectionSource \\"stop \\\\\\"words\\\\\\"\\" SOURCE\\l"\];$/m);
    assert.ok(dot.includes('  t1 -> t3 [label="HASH fields(0)"];'));
    assert.ok(dot.includes(`  t2 -> t3 [label="broadcast 'stopwords'", style=dashed];`));
    assert.ok(dot.includes('  t3 -> t4 [label="REBALANCE"];'));
    assert.equal(dot.match(/^ {2}t\d+ \[label=/gm)?.length, 4);
  });

  test('mermaid: a flowchart with escaped labels and labelled edges', () => {
    const mermaid = formatPlan(plan, 'mermaid');
    assert.ok(mermaid.startsWith('flowchart TD\n'));
    assert.ok(mermaid.includes('  t3["Task 3 p=4<br/>Reduce #quot;Reduce at wc.ts:9#quot; HASH_GROUP on fields(0)<br/>Filter #quot;Filter at wc.ts:10#quot; MAP"]'));
    assert.ok(mermaid.includes('  t1 -->|"HASH fields(0)"| t3'));
    assert.ok(mermaid.includes(`  t2 -.->|"broadcast 'stopwords'"| t3`));
    assert.ok(mermaid.includes('  t3 -->|"REBALANCE"| t4'));
    assert.ok(!/[^#]"words/.test(mermaid), 'quotes inside labels are escaped');
  });

  test('an unknown format is an error', () => {
    assert.throws(() => formatPlan(plan, 'html' as never), /Unknown plan format 'html'/);
  });
});

describe('formatKeySpec', () => {
  test('positions, names, selectors, whole elements', () => {
    assert.equal(formatKeySpec({ kind: 'fields', fields: [0, 1] }), 'fields(0,1)');
    assert.equal(formatKeySpec({ kind: 'fields', fields: ['word'] }), 'fields(word)');
    assert.equal(formatKeySpec({ kind: 'fields', fields: ['a.b', 2] }), 'fields(a.b,2)');
    assert.equal(formatKeySpec({ kind: 'selector', fn: 'u7' }), 'selector');
    assert.equal(formatKeySpec({ kind: 'whole' }), 'whole');
  });
});

describe('formatPlan operator details', () => {
  function single(params: NodeParams, strategy: PhysicalPlan['tasks'][number]['operators'][number]['strategy']): string {
    const n = node(1, 'op', [], params);
    const text = formatPlan(
      { jobName: 'j', defaultParallelism: 1, tasks: [{ id: 1, name: 'op', parallelism: 1, operators: [{ node: n, strategy }], inputs: [], broadcastInputs: [] }], iterations: [] },
      'text',
    );
    return text.split('\n')[3]!.trim();
  }

  test('grouping, joins, sorting, sinks', () => {
    assert.equal(
      single(
        { kind: 'GroupReduce', fn: 'u1', keys: { kind: 'fields', fields: ['word'] }, sortKeys: [{ key: { kind: 'fields', fields: [1] }, order: 'DESCENDING' }], combinable: true },
        'SORTED_GROUP',
      ),
      'GroupReduce "op" SORTED_GROUP on fields(word) sorted by fields(1) DESCENDING combinable',
    );
    assert.equal(
      single(
        {
          kind: 'Aggregate',
          aggregations: [
            { agg: 'SUM', field: 1 },
            { agg: 'MAX', field: 2 },
          ],
          keys: null,
        },
        'ALL_GROUP',
      ),
      'Aggregate "op" ALL_GROUP SUM(1),MAX(2)',
    );
    assert.equal(
      single({ kind: 'Join', joinType: 'LEFT_OUTER', leftKeys: { kind: 'selector', fn: 'u1' }, rightKeys: { kind: 'whole' }, fn: 'u2', projection: null, hint: 'TINY' }, 'HASH_OUTER_JOIN'),
      'Join "op" HASH_OUTER_JOIN LEFT_OUTER where selector = whole hint TINY',
    );
    assert.equal(single({ kind: 'SequenceSource', from: 1, to: 100 }, 'SOURCE'), 'SequenceSource "op" SOURCE 1..100');
    assert.equal(single({ kind: 'First', n: 3, keys: null, sortKeys: [] }, 'ALL_GROUP'), 'First "op" ALL_GROUP n=3');
    assert.equal(single({ kind: 'PrintSink', toError: true }, 'SINK'), 'PrintSink "op" SINK to stderr');
    assert.equal(single({ kind: 'CollectSink', resultId: 'r1', countOnly: true }, 'SINK'), 'CollectSink "op" SINK count');
  });
});
