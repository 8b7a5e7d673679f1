/**
 * What `tsflink run` and `tsflink plan` do once the command line is parsed: publish the
 * settings as `TSFLINK_*` environment variables (so the library sees them, and the Flink target's
 * workers, which get them shipped), hand the script its own arguments, and import it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config/config.ts';
import type { ExecutionTarget } from '../config/config-values.ts';
import { ENV_VARS } from '../config/env-vars.ts';
import type { PlanFormat } from '../optimizer/explain.ts';
import { CliError } from './cli-error.ts';

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
  loadConfig(cwd, env);

  process.argv = [process.argv[0]!, script, ...request.scriptArgs];
  await importScript(script);
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
  await import(pathToFileURL(absolutePath).href);
}

function resolveExisting(file: string, cwd: string, what: string): string {
  const absolute = path.resolve(cwd, file);
  if (!existsSync(absolute)) throw new CliError(`${what} '${file}' does not exist (looked for ${absolute})`);
  return absolute;
}
