import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitArgs } from '../../src/cli/split-args.ts';

test('everything after a lone - belongs to the script', () => {
  assert.deepEqual(splitArgs(['run', 'wc.ts', '-p', '2', '-', 'in.txt', 'out.csv']), {
    cliArgs: ['run', 'wc.ts', '-p', '2'],
    scriptArgs: ['in.txt', 'out.csv'],
  });
});

test('-- works like a lone -', () => {
  assert.deepEqual(splitArgs(['run', 'wc.ts', '--', 'x']), { cliArgs: ['run', 'wc.ts'], scriptArgs: ['x'] });
});

test('only the first separator splits; later ones and options go to the script', () => {
  assert.deepEqual(splitArgs(['run', 'a.ts', '-', '-p', '--', '-', '--verbose']).scriptArgs, ['-p', '--', '-', '--verbose']);
  assert.deepEqual(splitArgs(['run', 'a.ts', '--', '-', 'b']).scriptArgs, ['-', 'b']);
});

test('no separator: no script arguments', () => {
  assert.deepEqual(splitArgs(['run', 'a.ts', 'mod.ts', '-p', '3']), {
    cliArgs: ['run', 'a.ts', 'mod.ts', '-p', '3'],
    scriptArgs: [],
  });
});

test('a trailing separator passes zero arguments', () => {
  assert.deepEqual(splitArgs(['run', 'a.ts', '-']), { cliArgs: ['run', 'a.ts'], scriptArgs: [] });
});

test('dashes inside arguments do not split', () => {
  const args = ['run', 'my-script.ts', '---', '-x', '--p=-'];
  assert.deepEqual(splitArgs(args), { cliArgs: args, scriptArgs: [] });
});

test('the input is not changed', () => {
  const args = ['run', 'a.ts', '-', 'b'];
  splitArgs(args).cliArgs.push('z');
  assert.deepEqual(args, ['run', 'a.ts', '-', 'b']);
});
