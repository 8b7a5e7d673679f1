/**
 * The `tsflink` command line: `run` and `plan`, the seed's `pyflink.sh` with a plan
 * printer beside it. Only parsing and help live here; `launch.ts` does the work.
 */
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { EXECUTION_TARGETS, parseHostPort, parsePositiveInteger } from '../config/config-values.ts';
import { PLAN_FORMATS } from '../optimizer/explain.ts';
import type { LaunchRequest } from './launch.ts';

export interface ProgramSetup {
  readonly version: string;
  /** The arguments after the lone `-`/`--` (see `splitArgs`), handed to the script. */
  readonly scriptArgs: readonly string[];
  readonly launch: (request: LaunchRequest) => Promise<void>;
  /** `tsflink flink install`: fetch Flink and build the runner of this installation. */
  readonly installFlink: () => Promise<void>;
}

const SCRIPT_USAGE = '[options] <script> [modules...] [- <arg>...]';

const CONFIG_HELP = `
Configuration: tsflink.yaml in the working directory (or the file of --conf or
TSFLINK_CONF) holds the defaults; the variables TSFLINK_PARALLELISM, TSFLINK_TARGET and
TSFLINK_JOBMANAGER override it, and these flags override both.`;

export function createProgram(setup: ProgramSetup): Command {
  const program = new Command('tsflink')
    .description("Apache Flink's DataSet API for TypeScript: run batch dataflow programs embedded on every " + 'core of this machine, or on an Apache Flink cluster.')
    .version(setup.version, '-V, --version', 'print the tsflink version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ tsflink run wc.ts -p 2 - in.txt out.csv
  $ tsflink plan wc.ts --format dot - in.txt out.csv > plan.dot`,
    );

  withLaunchOptions(
    program
      .command('run')
      .summary('run a program, embedded or on a Flink cluster')
      .description(
        'Run a program. The script builds its plan and calls execute(), collect() or count(); the ' +
          'extra modules or folders are shipped to the workers; the arguments after a lone - (or --) ' +
          "are the script's own, which it reads as process.argv.slice(2).",
      )
      .usage(SCRIPT_USAGE)
      .argument('<script>', 'the program: a .ts, .mts, .js or .mjs file')
      .argument('[modules...]', 'extra modules or folders the workers need')
      .option('-q, --quiet', 'show no progress on stderr (by default: a live display on a terminal, else a line every few seconds)')
      .option('--ui', 'serve a live dashboard of the jobs on loopback (it stays up after the script ends, until you stop tsflink)')
      .option('--ui-port <port>', "the dashboard's port (default: a free one)", parsePort)
      .option(
        '--report <file>',
        'write a run report when each job ends: per task records, bytes, time, spill and skew, and the plan with those numbers (.html: one self-contained page; .json: the figures)',
        parseReportFile,
      ),
  )
    .addHelpText('after', `\nExample:\n  $ tsflink run wc.ts -p 2 --report run.html - in.txt out.csv\n${CONFIG_HELP}`)
    .action((script, modules, { quiet, report, ui, uiPort, ...options }) =>
      setup.launch({
        script,
        modules,
        scriptArgs: setup.scriptArgs,
        options,
        watch: { quiet: quiet === true, report: report ?? null, ui: ui === true || uiPort !== undefined ? (uiPort ?? 0) : null },
      }),
    );

  withLaunchOptions(
    program
      .command('plan')
      .summary('print the optimized plan of a program instead of running it')
      .description(
        'Print the optimized plan of a program instead of running it: its execute(), collect() and ' +
          'count() calls print the plan of their job (ship and local strategies, parallelism) and ' +
          'return without reading any input.',
      )
      .usage(SCRIPT_USAGE)
      .argument('<script>', 'the program: a .ts, .mts, .js or .mjs file')
      .argument('[modules...]', 'extra modules or folders the workers need')
      .addOption(new Option('--format <format>', 'how to print the plan').choices([...PLAN_FORMATS, 'html'] as const).default('text' as const)),
  )
    .addHelpText(
      'after',
      `\nExample:\n  $ tsflink plan wc.ts --format mermaid - in.txt out.csv\n\nFormats: text (readable listing), json (as getExecutionPlan()), dot (Graphviz), mermaid, html (a self-contained page with the plan drawn as SVG).`,
    )
    .action((script, modules, { format, ...options }) => setup.launch({ script, modules, scriptArgs: setup.scriptArgs, options, planFormat: format }));

  const flink = program.command('flink').summary('set up the Flink target (--target flink)');
  flink
    .command('install')
    .summary('fetch Apache Flink 1.20 from Maven Central and build the runner (needs Java 17 and Maven)')
    .description(
      'Set up --target flink for this installation of tsflink, once: fetches Flink 1.20 and its ' +
        'dependencies from Maven Central (through Maven, into its local repository) and builds the ' +
        "plan binder's jar inside the package. Needs java (17) and mvn on the PATH. Safe to run again: " +
        'it does nothing when everything is in place.',
    )
    .action(() => setup.installFlink());

  return program;
}

/** The options `run` and `plan` share; allowed anywhere before the lone `-`. */
function withLaunchOptions<Args extends unknown[], Opts extends Record<string, unknown>>(command: Command<Args, Opts>) {
  return command
    .option('-p, --parallelism <n>', 'default parallelism of the program (a positive integer)', parseParallelism)
    .addOption(new Option('--target <target>', 'where to run: embedded in this process, or on a Flink cluster').choices(EXECUTION_TARGETS))
    .option('-m, --jobmanager <host:port>', 'REST address of the Flink JobManager (with --target flink)', parseJobmanager)
    .option('--conf <file>', 'configuration file to read instead of ./tsflink.yaml')
    .option('--verbose', 'print stack traces and engine messages on stderr');
}

function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new InvalidArgumentError('expected a port number (0 to 65535).');
  return port;
}

function parseReportFile(value: string): string {
  if (!/\.(html|json)$/i.test(value)) throw new InvalidArgumentError('expected a file name ending in .html or .json.');
  return value;
}

function parseParallelism(value: string): number {
  const parallelism = parsePositiveInteger(value);
  if (parallelism === null) throw new InvalidArgumentError('expected a positive integer.');
  return parallelism;
}

function parseJobmanager(value: string): string {
  const address = parseHostPort(value);
  if (address === null) throw new InvalidArgumentError('expected host:port, such as localhost:8081.');
  return address;
}
