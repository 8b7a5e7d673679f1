import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExecutionTarget, parseHostPort, parsePositiveInteger } from '../../src/config/config-values.ts';
import { parseMemorySize } from '../../src/config/memory-size.ts';

test('parsePositiveInteger accepts positive integers as numbers or digits', () => {
  assert.equal(parsePositiveInteger(3), 3);
  assert.equal(parsePositiveInteger(' 12 '), 12);
  for (const bad of [0, -1, 1.5, NaN, '', '1e3', '0x10', '-3', true, null, undefined, [4]]) {
    assert.equal(parsePositiveInteger(bad), null, String(bad));
  }
});

test('parseExecutionTarget: local or flink, any case', () => {
  assert.equal(parseExecutionTarget('local'), 'local');
  assert.equal(parseExecutionTarget(' FLINK '), 'flink');
  assert.equal(parseExecutionTarget('yarn'), null);
  assert.equal(parseExecutionTarget(1), null);
});

test('parseHostPort: host:port with a port in range', () => {
  assert.equal(parseHostPort('localhost:8081'), 'localhost:8081');
  assert.equal(parseHostPort(' 10.0.0.1:6123 '), '10.0.0.1:6123');
  assert.equal(parseHostPort('[::1]:8081'), '[::1]:8081');
  for (const bad of ['localhost', ':8081', 'host:0', 'host:65536', 'http://host:8081', 'a b:1', 8081]) {
    assert.equal(parseHostPort(bad), null, String(bad));
  }
});

test('parseMemorySize: binary units, bare numbers are bytes', () => {
  assert.equal(parseMemorySize(4096), 4096);
  assert.equal(parseMemorySize('512m'), 512 * 1024 ** 2);
  assert.equal(parseMemorySize('512 mb'), 512 * 1024 ** 2);
  assert.equal(parseMemorySize('256 MiB'), 256 * 1024 ** 2);
  assert.equal(parseMemorySize('1t'), 1024 ** 4);
  assert.equal(parseMemorySize('7b'), 7);
  for (const bad of ['', 'm', '-1g', '1 lightyear', '0', 0, -5, 1.5, '1e9']) {
    assert.equal(parseMemorySize(bad), null, String(bad));
  }
});
