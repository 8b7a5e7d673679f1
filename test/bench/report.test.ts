/**
 * The bench report keeps the sections of the workloads a run did not run (`--only` on a fresh
 * checkout has no JSON of them): a report parsed back into sections renders the same text, and
 * a section run again replaces only its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type MachineInfo, parseSections, renderReport } from '../../bench/harness/report.ts';
import type { WorkloadRecord } from '../../bench/harness/results.ts';

const machine: MachineInfo = { cpu: 'Test CPU', cores: 2, memoryGiB: 8, node: 'v20', duckdb: null, gnuTime: true };

function record(name: string, wallMs: number): WorkloadRecord {
  const runs = [{ rep: 1, ok: true, wallMs, cpuSeconds: wallMs / 1000, peakRssMiB: 100, wrong: null, load: 1 }];
  return {
    name,
    title: `Workload ${name}`,
    sizes: 'default',
    seed: 1,
    data: `data of ${name}`,
    ranAt: '2026-01-01T00:00:00Z',
    commit: 'abc1234',
    loadAverage: [1, 1],
    contenders: [
      { id: 'baseline', label: 'baseline', kind: 'baseline', runs },
      { id: 'tsflink-p1', label: 'tsflink p=1', kind: 'tsflink', runs: runs.map((r) => ({ ...r, wallMs: 2 * wallMs })) },
    ],
    verdicts: [{ target: `target of ${name}`, value: '2.00×', verdict: 'MISS' }],
    plan: 'Job "x"\n\nTask 0 …',
  };
}

test('a report parsed into sections renders the same text', () => {
  const report = renderReport([record('a', 1000), record('b-1g', 3000)], machine, 'npm run bench');
  const sections = parseSections(report);
  assert.deepEqual([...sections.keys()], ['a', 'b-1g']);
  assert.deepEqual(sections.get('b-1g')!.targetRows, ['| target of b-1g | 2.00× | **MISS** |']);
  assert.equal(renderReport([...sections.values()], machine, 'npm run bench'), report);
});

test('re-running one workload replaces its section and keeps the others', () => {
  const before = parseSections(renderReport([record('a', 1000), record('b-1g', 3000)], machine, 'npm run bench'));
  const after = renderReport([before.get('a')!, record('b-1g', 5000)], machine, 'npm run bench');
  assert.equal(parseSections(after).get('a')!.markdown, before.get('a')!.markdown);
  assert.match(parseSections(after).get('b-1g')!.markdown, /\| baseline \| 5\.00 s \|/);
  assert.equal(after.match(/^\| (a|b-1g) \| target of/gm)!.length, 2);
});
