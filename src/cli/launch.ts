/**
 * What `tsflink run` and `tsflink plan` do once the command line is parsed: publish the
 * settings as `TSFLINK_*` environment variables (so the library sees them, and the Flink target's
 * workers, which get them shipped), hand the script its own arguments, and import it.
 */
import { existsSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { keepPlannedJobs } from '../api/planned-jobs.ts';
import { loadConfig } from '../config/config.ts';
import type { ExecutionTarget } from '../config/config-values.ts';
import { ENV_VARS } from '../config/env-vars.ts';
import { formatPlans, type PlanFormat } from '../optimizer/explain.ts';
import { formatPlansHtml } from '../optimizer/explain-html.ts';
import { warmWorkerPool } from '../runners/local-runner.ts';
import type { PhysicalPlan } from '../optimizer/physical-plan.ts';
import { CliError } from './cli-error.ts';
import type { Dashboard } from './dashboard.ts';
import { watchJobs, type WatchOptions } from './job-watchers.ts';

/** The options `run` and `plan` share; already validated by the command line parser. */
export interface LaunchOptions {
  readonly parallelism?: number | undefined;
  readonly target?: ExecutionTarget | undefined;
  readonly jobmanager?: string | undefined;
  readonly conf?: string | undefined;
  readonly verbose?: boolean | undefined;
}

export interface LaunchRequest {
  readonly script: string;
  readonly modules: readonly string[];
  readonly scriptArgs: readonly string[];
  readonly options: LaunchOptions;
  /** Set for `tsflink plan`: the script prints its plan in this format instead of running. */
  readonly planFormat?: PlanFormat | 'html' | undefined;
  /** `tsflink run`: the progress display and the run report. */
  readonly watch?: WatchOptions | undefined;
}

const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** Runs (or plans) the script; resolves when its module has finished evaluating. */
export async function launchScript(request: LaunchRequest, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const script = resolveExisting(request.script, cwd, 'Script');
  const shipFiles = request.modules.map((m) => resolveExisting(m, cwd, 'Module to ship'));

  applyLaunchOptions(request.options, cwd, env);
  if (shipFiles.length > 0) env[ENV_VARS.shipFiles] = shipFiles.join(path.delimiter);
  else delete env[ENV_VARS.shipFiles];
  if (request.planFormat !== undefined) env[ENV_VARS.planFormat] = request.planFormat;
  else delete env[ENV_VARS.planFormat];

  // Fail on a bad configuration now, as one clear message, rather than from inside the script.
  const config = loadConfig(cwd, env);
  if (request.planFormat === undefined && config.target === 'local') warmWorkerPool(config.parallelismDefault ?? os.availableParallelism(), config.workerHeapMb);

  process.argv = [process.argv[0]!, script, ...request.scriptArgs];
  const planned = request.planFormat !== undefined ? keepPlannedJobs() : null;
  const watch = request.watch === undefined ? null : await watchJobs({ ...request.watch, report: request.watch.report === null ? null : path.resolve(cwd, request.watch.report) });
  try {
    await importScript(script);
  } finally {
    await watch?.finished();
  }
  if (watch?.dashboard) await keepServing(watch.dashboard);
  if (planned !== null) await printPlans(planned, request.planFormat!, request.script);
}

/** `--ui`: the finished jobs' page stays until the user stops the command (Ctrl-C, or SIGTERM). */
async function keepServing(dashboard: Dashboard): Promise<void> {
  process.stderr.write(`tsflink: the script has ended; the dashboard stays at ${dashboard.url} until you stop it (Ctrl-C)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void dashboard.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `tsflink plan`: the plans of every job the script ran, as one document on stdout. */
async function printPlans(plans: readonly PhysicalPlan[], format: PlanFormat | 'html', script: string): Promise<void> {
  if (plans.length === 0) {
    throw new CliError(
      `'${script}' ran no job: it never called execute(), collect() or count() (or called them after its module had finished, from a timer or callback), so there is no plan to print`,
    );
  }
  const text = format === 'html' ? await formatPlansHtml(plans) : formatPlans(plans, format);
  process.stdout.write(`${text}\n`);
}

/** Writes the flags to the environment; a flag overrides a value already there. */
export function applyLaunchOptions(options: LaunchOptions, cwd: string, env: NodeJS.ProcessEnv): void {
  if (options.parallelism !== undefined) env[ENV_VARS.parallelism] = String(options.parallelism);
  if (options.target !== undefined) env[ENV_VARS.target] = options.target;
  if (options.jobmanager !== undefined) env[ENV_VARS.jobmanager] = options.jobmanager;
  if (options.conf !== undefined) env[ENV_VARS.conf] = resolveExisting(options.conf, cwd, 'Configuration file');
  if (options.verbose === true) env[ENV_VARS.verbose] = '1';
}

/** Imports a script by file URL; TypeScript goes through tsx's loader, registered on first use. */
export async function importScript(absolutePath: string): Promise<void> {
  if (TYPESCRIPT_EXTENSIONS.has(path.extname(absolutePath).toLowerCase())) {
    // tsflink's own modules first, while plain Node loads them: after tsx registers, every module
    // resolved and loaded goes through its hooks thread.
    await import(new URL(`../index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href);
    // Both hooks, as `node --import tsx` installs: a .ts file outside a `"type": "module"`
    // package is CommonJS to Node and goes through require, which the ESM hook alone misses.
    const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    esm.register();
    cjs.register();
  }
  const url = pathToFileURL(absolutePath).href;
  if (ESM_BY_DEFAULT.has(path.extname(absolutePath).toLowerCase())) module.register(SCRIPT_AS_ESM, { data: { url } });
  await import(url);
}

/**
 * A `.ts` or `.js` script outside a `"type": "module"` package is CommonJS to Node, where
 * `import … from 'tsflink'` (an ES module package) and top-level `await env.execute()` fail. The
 * CLI runs the script itself as an ES module whatever its package says (what it imports keeps the
 * format its package gives it); `.cts`/`.cjs` scripts stay CommonJS. A loader hook, registered
 * after tsx's so that it runs first, as a data: URL so that it needs no file of its own.
 */
const ESM_BY_DEFAULT: ReadonlySet<string> = new Set(['.ts', '.tsx', '.js']);
const SCRIPT_AS_ESM = `data:text/javascript,${encodeURIComponent(`
let script;
export function initialize(data) { script = data.url; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  return r.url === script ? { ...r, format: 'module' } : r;
}
export async function load(url, context, next) {
  return next(url, url === script ? { ...context, format: 'module' } : context);
}
`)}`;

function resolveExisting(file: string, cwd: string, what: string): string {
  const absolute = path.resolve(cwd, file);
  if (!existsSync(absolute)) throw new CliError(`${what} '${file}' does not exist (looked for ${absolute})`);
  return absolute;
}
