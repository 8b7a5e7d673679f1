/**
 * Keys on the Flink target are Flink's: keyed exchanges, joins (every join type, with the hint
 * matching tsflink's plan), cross, rebalance, broadcast sets, distinct and first on (sorted) groups run as Flink operators on
 * tsflink's canonical keys. The results equal the embedded engine's, and the plan Flink's
 * optimizer made (flink-execution-plan.json, kept with TSFLINK_KEEP_FLINK_JOB_DIR=1) shows
 * Flink's own strategies on the key field.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientEnv, runNode, tempDir } from '../helpers.ts';
import { setUpFlinkTests } from './flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');
const fixture = 'test/flink/fixtures/native-keys.ts';
const TIMEOUT = 400_000;

await setUpFlinkTests();

interface PlanNode {
  readonly contents: string;
  readonly driver_strategy?: string;
  readonly predecessors?: readonly { readonly ship_strategy?: string; readonly local_strategy?: string }[];
}

async function run(target: string, p: number, tmp: string): Promise<Record<string, unknown>> {
  const env = { ...clientEnv(), TMPDIR: tmp, TSFLINK_KEEP_FLINK_JOB_DIR: '1' };
  const r = await runNode([cli, 'run', '--target', target, '-p', String(p), fixture], { cwd: root, env, timeoutMs: TIMEOUT });
  assert.equal(r.status, 0, `${target} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

/** Every node of every Flink job the run made, by the tsflink operator it belongs to. */
function flinkNodes(tmp: string): PlanNode[] {
  const nodes: PlanNode[] = [];
  for (const d of readdirSync(tmp)) {
    if (!d.startsWith('tsflink-flink-')) continue;
    const plan = JSON.parse(readFileSync(join(tmp, d, 'flink-execution-plan.json'), 'utf8')) as { nodes: PlanNode[] };
    nodes.push(...plan.nodes);
  }
  return nodes;
}

test("keyed operators run as Flink operators and give the embedded engine's results (p=3)", { timeout: TIMEOUT }, async () => {
  const p = 3;
  const tmp = tempDir('tsflink-native-');
  const local = await run('local', p, tmp);
  const flink = await run('flink', p, tmp);
  assert.deepEqual(flink, local);
  assert.ok((local.joinRepartition as unknown[]).length > 0 && (local.fullOuter as unknown[]).length > 0);

  const nodes = flinkNodes(tmp);
  const named = (part: string) => nodes.filter((n) => n.contents.includes(part));
  const ships = (n: PlanNode) => (n.predecessors ?? []).map((x) => x.ship_strategy ?? '');
  // Joins: Flink's operators with the hint tsflink's plan implies.
  for (const hint of ['BROADCAST_HASH_SECOND', 'BROADCAST_HASH_FIRST', 'REPARTITION_HASH_SECOND', 'REPARTITION_HASH_FIRST', 'REPARTITION_SORT_MERGE']) {
    assert.ok(named(`(Flink, ${hint})`).length > 0, `no Flink join with ${hint}`);
  }
  const broadcast = named('(Flink, BROADCAST_HASH_SECOND)');
  assert.ok(
    broadcast.every((n) => ships(n)[1] === 'Broadcast'),
    JSON.stringify(broadcast),
  );
  const repartitioned = named('(Flink, REPARTITION_HASH_SECOND)');
  assert.ok(
    repartitioned.every((n) => ships(n).every((s) => s === 'Hash Partition on [2]')),
    JSON.stringify(repartitioned),
  );
  assert.ok(
    named('(Flink, REPARTITION_HASH').every((n) => /hybrid ?hash/i.test(n.driver_strategy ?? '')),
    'a repartition hint that does not hash',
  );
  // cross: Flink's nested loops, broadcasting the side tsflink broadcasts.
  assert.ok(named('(Flink, crossWithTiny)').some((n) => ships(n)[1] === 'Broadcast' && /Nested Loops/.test(n.driver_strategy ?? '')));
  assert.ok(named('(Flink, crossWithHuge)').some((n) => ships(n)[0] === 'Broadcast' && /Nested Loops/.test(n.driver_strategy ?? '')));
  // A broadcast set outside iterations is a Flink broadcast variable of the task's mapPartition.
  assert.ok(
    nodes.some((n) => n.driver_strategy === 'Map Partition' && ships(n).includes('Broadcast')),
    'no broadcast variable',
  );
  // rebalance(): Flink's.
  assert.ok(nodes.some((n) => n.contents.startsWith('Partition') && ships(n)[0] === 'Rebalance'));
  // distinct and first: Flink groups on the key (field 2), sorted groups on the sort key (3) too.
  assert.ok(named('Distinct of').some((n) => (n.predecessors ?? []).some((x) => /Sort on \[2:ASC\]/.test(x.local_strategy ?? ''))));
  assert.ok(named('First 3 of').some((n) => (n.predecessors ?? []).some((x) => x.local_strategy === 'Sort (combining) on [2:ASC,3:ASC]')));
  // reduceGroup: Flink groups (and sorts) on the key, the worker's function gets whole groups.
  assert.ok(
    named('Groups of GroupReduce').some((n) => (n.predecessors ?? []).some((x) => x.local_strategy === 'Sort on [2:ASC,3:ASC]')),
    'no sorted Flink groups',
  );
  // Keyed exchanges into tsflink's own group operators: Flink partitions on the key.
  assert.ok(nodes.some((n) => n.contents.startsWith('Partition') && ships(n)[0] === 'Custom Partition on [2]'));
});
