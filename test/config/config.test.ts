import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.ts';
import { configFilePath, loadConfig } from '../../src/config/config.ts';
import { TsflinkError } from '../../src/errors/index.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'tsflink-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh working directory, with a `tsflink.yaml` holding `yaml` when given. */
function workdir(yaml?: string): string {
  const dir = path.join(root, `w${counter++}`);
  mkdirSync(dir);
  if (yaml !== undefined) writeFileSync(path.join(dir, 'tsflink.yaml'), yaml);
  return dir;
}

function assertConfigError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.ok(err instanceof TsflinkError);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('loadConfig defaults', () => {
  test('without a file or variables every setting has its default', () => {
    const config = loadConfig(workdir(), {});
    assert.deepEqual(config, {
      parallelismDefault: null,
      taskmanagerMemoryBytes: Math.floor(os.totalmem() / 4),
      tmpDirs: [os.tmpdir()],
      target: 'local',
      jobmanagerAddress: null,
      nodeBinaryPath: process.execPath,
      verbose: false,
      taskTimeoutMs: null,
      workerHeapMb: null,
      compilePipelines: true,
    });
  });

  test('an empty file gives the defaults', () => {
    assert.equal(loadConfig(workdir(''), {}).parallelismDefault, null);
  });

  test('no file: configFilePath is null', () => {
    assert.equal(configFilePath(workdir(), {}), null);
  });
});

describe('loadConfig file', () => {
  test('flat dotted keys, Flink style', () => {
    const dir = workdir(
      [
        'parallelism.default: 4',
        'taskmanager.memory: 512m',
        'io.tmp.dirs: /tmp/a:/tmp/b',
        'jobmanager.address: flink.example.com:8081',
        'node.binary.path: /usr/local/bin/node',
        'execution.target: flink',
        'some.unknown.key: whatever',
      ].join('\n'),
    );
    assert.deepEqual(loadConfig(dir, {}), {
      parallelismDefault: 4,
      taskmanagerMemoryBytes: 512 * 1024 ** 2,
      tmpDirs: ['/tmp/a', '/tmp/b'],
      target: 'flink',
      jobmanagerAddress: 'flink.example.com:8081',
      nodeBinaryPath: '/usr/local/bin/node',
      verbose: false,
      taskTimeoutMs: null,
      workerHeapMb: null,
      compilePipelines: true,
    });
    assert.equal(configFilePath(dir, {}), path.join(dir, 'tsflink.yaml'));
  });

  test('nested maps flatten to the same keys', () => {
    const dir = workdir(
      ['parallelism:', '  default: 3', 'taskmanager:', '  memory: 1g', 'io:', '  tmp:', '    dirs: [/x, /y]', 'jobmanager:', '  address: "[::1]:8081"', 'execution:', '  target: local'].join('\n'),
    );
    const config = loadConfig(dir, {});
    assert.equal(config.parallelismDefault, 3);
    assert.equal(config.taskmanagerMemoryBytes, 1024 ** 3);
    assert.deepEqual(config.tmpDirs, ['/x', '/y']);
    assert.equal(config.jobmanagerAddress, '[::1]:8081');
    assert.equal(config.target, 'local');
  });

  test('a key given both flat and nested is an error', () => {
    const dir = workdir('parallelism.default: 2\nparallelism:\n  default: 3\n');
    assertConfigError(() => loadConfig(dir, {}), /sets 'parallelism\.default' twice/);
  });

  test('memory sizes: bytes, units, spaces, IEC names', () => {
    const cases: [string, number][] = [
      ['1048576', 1048576],
      ['256 MiB', 256 * 1024 ** 2],
      ['64k', 64 * 1024],
      ['2G', 2 * 1024 ** 3],
      ['1.5g', 1.5 * 1024 ** 3],
      ['100 bytes', 100],
    ];
    for (const [text, bytes] of cases) {
      assert.equal(loadConfig(workdir(`taskmanager.memory: ${text}`), {}).taskmanagerMemoryBytes, bytes, text);
    }
  });

  test('task.timeout: durations with units, bare milliseconds; TSFLINK_TASK_TIMEOUT overrides', () => {
    const cases: [string, number][] = [
      ['30 s', 30_000],
      ['500ms', 500],
      ['2 min', 120_000],
      ['1.5 s', 1500],
      ['1 h', 3_600_000],
      ['30000', 30_000],
    ];
    for (const [text, ms] of cases) assert.equal(loadConfig(workdir(`task.timeout: ${text}`), {}).taskTimeoutMs, ms, text);
    assert.equal(loadConfig(workdir(''), {}).taskTimeoutMs, null);
    assert.equal(loadConfig(workdir('task.timeout: 30 s'), { TSFLINK_TASK_TIMEOUT: '2s' }).taskTimeoutMs, 2000);
    assertConfigError(() => loadConfig(workdir('task.timeout: soon'), {}), /Invalid value "soon" for 'task\.timeout'.*a duration such as '30 s'/);
    assertConfigError(() => loadConfig(workdir('task.timeout: 0'), {}), /'task\.timeout'/);
    assertConfigError(() => loadConfig(workdir('task.timeout: 5 fortnights'), {}), /'task\.timeout'/);
    assertConfigError(() => loadConfig(workdir(''), { TSFLINK_TASK_TIMEOUT: '-1' }), /TSFLINK_TASK_TIMEOUT/);
  });

  test('taskmanager.worker.heap: whole MiB, at least 16 MiB; TSFLINK_WORKER_HEAP overrides', () => {
    assert.equal(loadConfig(workdir('taskmanager.worker.heap: 512m'), {}).workerHeapMb, 512);
    assert.equal(loadConfig(workdir('taskmanager.worker.heap: 1g'), {}).workerHeapMb, 1024);
    assert.equal(loadConfig(workdir(''), {}).workerHeapMb, null);
    assert.equal(loadConfig(workdir('taskmanager.worker.heap: 512m'), { TSFLINK_WORKER_HEAP: '64m' }).workerHeapMb, 64);
    assertConfigError(() => loadConfig(workdir('taskmanager.worker.heap: 1m'), {}), /'taskmanager\.worker\.heap'.*at least 16 MiB/);
    assertConfigError(() => loadConfig(workdir('taskmanager.worker.heap: big'), {}), /'taskmanager\.worker\.heap'/);
  });

  test('pipeline.compile: a switch, on by default; TSFLINK_COMPILE overrides', () => {
    assert.equal(loadConfig(workdir(''), {}).compilePipelines, true);
    assert.equal(loadConfig(workdir('pipeline.compile: false'), {}).compilePipelines, false);
    assert.equal(loadConfig(workdir('pipeline:\n  compile: off'), {}).compilePipelines, false);
    assert.equal(loadConfig(workdir('pipeline.compile: false'), { TSFLINK_COMPILE: '1' }).compilePipelines, true);
    assert.equal(loadConfig(workdir(''), { TSFLINK_COMPILE: '0' }).compilePipelines, false);
    assertConfigError(() => loadConfig(workdir('pipeline.compile: maybe'), {}), /'pipeline\.compile'.*true or false/);
    assertConfigError(() => loadConfig(workdir(''), { TSFLINK_COMPILE: 'yes please' }), /TSFLINK_COMPILE/);
  });

  test('relative tmp dirs resolve against the configuration file', () => {
    const dir = workdir('io.tmp.dirs:\n  - spill\n  - /abs/spill\n');
    assert.deepEqual(loadConfig(dir, {}).tmpDirs, [path.join(dir, 'spill'), '/abs/spill']);
  });

  test('a null value keeps the default', () => {
    assert.equal(loadConfig(workdir('parallelism.default:\n'), {}).parallelismDefault, null);
  });

  test('bad values are clear errors naming key, file and value', () => {
    const bad: [string, RegExp][] = [
      ['parallelism.default: 0', /Invalid value 0 for 'parallelism\.default' in .*tsflink\.yaml: expected a positive integer/],
      ['parallelism.default: four', /Invalid value "four" for 'parallelism\.default'/],
      ['parallelism.default: 2.5', /'parallelism\.default'.*positive integer/],
      ['taskmanager.memory: lots', /Invalid value "lots" for 'taskmanager\.memory'.*'512m'/],
      ['taskmanager.memory: 12 parsecs', /'taskmanager\.memory'/],
      ['taskmanager.memory: 0', /'taskmanager\.memory'/],
      ['execution.target: yarn', /Invalid value "yarn" for 'execution\.target'.*'local' or 'flink'/],
      ['jobmanager.address: localhost', /Invalid value "localhost" for 'jobmanager\.address'.*host:port/],
      ['jobmanager.address: localhost:99999', /'jobmanager\.address'/],
      ['io.tmp.dirs: []', /'io\.tmp\.dirs'/],
      ['node.binary.path: 3', /'node\.binary\.path'/],
    ];
    for (const [yaml, pattern] of bad) {
      const dir = workdir(yaml);
      assertConfigError(() => loadConfig(dir, {}), pattern);
    }
  });

  test('a YAML syntax error names the file', () => {
    const dir = workdir('parallelism.default: [1\n');
    assertConfigError(() => loadConfig(dir, {}), /Cannot read configuration file '.*tsflink\.yaml'/);
  });

  test('a file that is not a map is an error', () => {
    assertConfigError(() => loadConfig(workdir('- 1\n- 2\n'), {}), /must be a YAML map/);
  });
});

describe('loadConfig TSFLINK_CONF', () => {
  test('names the file instead of ./tsflink.yaml, relative to cwd', () => {
    const dir = workdir('parallelism.default: 2');
    mkdirSync(path.join(dir, 'conf'));
    writeFileSync(path.join(dir, 'conf', 'prod.yaml'), 'parallelism.default: 7');
    const env = { TSFLINK_CONF: 'conf/prod.yaml' };
    assert.equal(loadConfig(dir, env).parallelismDefault, 7);
    assert.equal(configFilePath(dir, env), path.join(dir, 'conf', 'prod.yaml'));
  });

  test('a missing file is an error', () => {
    assertConfigError(() => loadConfig(workdir(), { TSFLINK_CONF: '/no/such/tsflink.yaml' }), /'\/no\/such\/tsflink\.yaml' \(from TSFLINK_CONF\) does not exist/);
  });
});

describe('loadConfig environment overrides', () => {
  test('variables override the file', () => {
    const dir = workdir('parallelism.default: 2\nexecution.target: local\njobmanager.address: a:1\n');
    const config = loadConfig(dir, {
      TSFLINK_PARALLELISM: '6',
      TSFLINK_TARGET: 'flink',
      TSFLINK_JOBMANAGER: 'b:8081',
      TSFLINK_VERBOSE: '1',
    });
    assert.equal(config.parallelismDefault, 6);
    assert.equal(config.target, 'flink');
    assert.equal(config.jobmanagerAddress, 'b:8081');
    assert.equal(config.verbose, true);
  });

  test('empty variables count as unset', () => {
    const dir = workdir('parallelism.default: 2');
    const config = loadConfig(dir, { TSFLINK_PARALLELISM: '', TSFLINK_TARGET: ' ', TSFLINK_VERBOSE: '' });
    assert.equal(config.parallelismDefault, 2);
    assert.equal(config.target, 'local');
    assert.equal(config.verbose, false);
  });

  test('TSFLINK_VERBOSE other than 1/true is off', () => {
    assert.equal(loadConfig(workdir(), { TSFLINK_VERBOSE: '0' }).verbose, false);
    assert.equal(loadConfig(workdir(), { TSFLINK_VERBOSE: 'true' }).verbose, true);
  });

  test('bad variables are clear errors naming the variable', () => {
    for (const value of ['0', '-2', 'abc', '1.5']) {
      assertConfigError(() => loadConfig(workdir(), { TSFLINK_PARALLELISM: value }), /for TSFLINK_PARALLELISM: expected a positive integer/);
    }
    assertConfigError(() => loadConfig(workdir(), { TSFLINK_TARGET: 'yarn' }), /TSFLINK_TARGET: expected 'local' or 'flink'/);
    assertConfigError(() => loadConfig(workdir(), { TSFLINK_JOBMANAGER: 'http://x' }), /TSFLINK_JOBMANAGER: expected host:port/);
  });
});
