import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LaunchRequest } from '../../src/cli/launch.ts';
import { createProgram } from '../../src/cli/program.ts';
import { splitArgs } from '../../src/cli/split-args.ts';

/** Parses a command line the way main.ts does, recording the launch instead of running it. */
async function parse(line: string[]): Promise<LaunchRequest> {
  const { cliArgs, scriptArgs } = splitArgs(line);
  const launched: LaunchRequest[] = [];
  const program = createProgram({ version: '9.9.9', scriptArgs, launch: async (r) => void launched.push(r), installFlink: async () => {} });
  await program.parseAsync(cliArgs, { from: 'user' });
  assert.equal(launched.length, 1);
  return launched[0]!;
}

/** The error commander reports for a bad command line (it would print it and exit 1). */
async function usageError(line: string[]): Promise<string> {
  const program = createProgram({ version: '9.9.9', scriptArgs: [], launch: async () => assert.fail('launched'), installFlink: async () => assert.fail('installed') });
  let stderr = '';
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeErr: (s) => void (stderr += s), writeOut: () => {} });
  }
  await assert.rejects(program.parseAsync(line, { from: 'user' }), { exitCode: 1 });
  return stderr;
}

describe('tsflink run', () => {
  test('script, modules, options and script arguments', async () => {
    assert.deepEqual(await parse(['run', 'wc.ts', 'lib', 'util.ts', '-p', '2', '--target', 'flink', '-m', 'jm:8081', '--conf', 'c.yaml', '--verbose', '-', 'in.txt', '-p', '5']), {
      script: 'wc.ts',
      modules: ['lib', 'util.ts'],
      scriptArgs: ['in.txt', '-p', '5'],
      options: { parallelism: 2, target: 'flink', jobmanager: 'jm:8081', conf: 'c.yaml', verbose: true },
      watch: { quiet: false, report: null, ui: null },
    });
  });

  test('--quiet, --report, --ui and --ui-port', async () => {
    assert.deepEqual((await parse(['run', '-q', '--report', 'r.html', 'wc.ts'])).watch, { quiet: true, report: 'r.html', ui: null });
    assert.deepEqual((await parse(['run', '--ui', 'wc.ts'])).watch, { quiet: false, report: null, ui: 0 });
    assert.deepEqual((await parse(['run', '--ui-port', '8090', 'wc.ts'])).watch, { quiet: false, report: null, ui: 8090 });
    assert.match(await usageError(['run', '--report', 'r.txt', 'wc.ts']), /ending in \.html or \.json/);
    assert.match(await usageError(['run', '--ui-port', '99999', 'wc.ts']), /expected a port number/);
  });

  test('options may come before the script; long forms work', async () => {
    const request = await parse(['run', '--parallelism', '4', '--jobmanager', 'h:1', 'wc.ts']);
    assert.deepEqual(request.options, { parallelism: 4, jobmanager: 'h:1' });
    assert.equal(request.script, 'wc.ts');
    assert.deepEqual(request.modules, []);
    assert.deepEqual(request.scriptArgs, []);
    assert.equal(request.planFormat, undefined);
  });

  test('bad values are usage errors', async () => {
    assert.match(await usageError(['run', 'wc.ts', '-p', '0']), /'-p, --parallelism <n>' argument '0' is invalid\. expected a positive integer/);
    assert.match(await usageError(['run', 'wc.ts', '-p', 'x']), /expected a positive integer/);
    assert.match(await usageError(['run', 'wc.ts', '--target', 'yarn']), /Allowed choices are local, flink/);
    assert.match(await usageError(['run', 'wc.ts', '-m', 'localhost']), /expected host:port/);
    assert.match(await usageError(['run']), /missing required argument 'script'/);
    assert.match(await usageError(['run', 'wc.ts', '--nope']), /unknown option '--nope'/);
  });
});

describe('tsflink plan', () => {
  test('text by default', async () => {
    const request = await parse(['plan', 'wc.ts', '-', 'in.txt']);
    assert.equal(request.planFormat, 'text');
    assert.deepEqual(request.scriptArgs, ['in.txt']);
    assert.deepEqual(request.options, {});
  });

  test('--format and the run options', async () => {
    const request = await parse(['plan', 'wc.ts', '--format', 'mermaid', '-p', '8']);
    assert.equal(request.planFormat, 'mermaid');
    assert.deepEqual(request.options, { parallelism: 8 });
  });

  test('an unknown format is a usage error', async () => {
    assert.match(await usageError(['plan', 'wc.ts', '--format', 'svg']), /Allowed choices are text, json, dot, mermaid/);
  });
});

describe('help', () => {
  const program = createProgram({ version: '9.9.9', scriptArgs: [], launch: async () => {}, installFlink: async () => {} });
  const command = (name: string) => program.commands.find((c) => c.name() === name)!;

  test('run and plan document the script arguments after a lone -', () => {
    for (const name of ['run', 'plan']) {
      const help = command(name).helpInformation();
      assert.match(help, new RegExp(`^Usage: tsflink ${name} \\[options\\] <script> \\[modules\\.\\.\\.\\] \\[- <arg>\\.\\.\\.\\]`));
      for (const flag of ['-p, --parallelism <n>', '--target <target>', '-m, --jobmanager <host:port>', '--conf <file>', '--verbose']) {
        assert.ok(help.includes(flag), `${name} help lists ${flag}`);
      }
    }
    assert.ok(command('plan').helpInformation().includes('--format <format>'));
  });

  test('the program lists both commands', () => {
    const help = program.helpInformation();
    assert.match(help, /run \[options\] <script> \[modules\.\.\.\] +run a program/);
    assert.match(help, /plan \[options\] <script> \[modules\.\.\.\] +print the optimized plan/);
  });
});
