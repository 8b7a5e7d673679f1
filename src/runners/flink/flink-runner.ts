/**
 * The Flink target: runs a physical plan as a Flink 1.20 job. The client packs the job's user
 * code (serde/closures), writes flink-plan.json and worker.json (plan-export.ts; the workers
 * rebuild the functions from the code in it, never running the user's script), runs the plan binder (flink-runner/, a JVM) on an in-process
 * MiniCluster or, with a JobManager address, against that cluster, and reads the outcome file
 * the binder writes: the side records of every subtask (collect()/count() results, printed
 * lines, accumulators), or the error a worker reported, rethrown as the embedded engine would.
 * File sinks write staging files that the client commits only when the job has succeeded.
 *
 * The JVM parts are built by scripts/install-flink-deps.sh into flink-runner/target/
 * (override the folder with TSFLINK_FLINK_RUNNER_DIR).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobExecutionError, PlanError } from '../../errors/index.ts';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import { RecordReader } from '../../serde/record-reader.ts';
import { JobSinks } from '../../runtime/job-sinks.ts';
import { checkBeforeRunning } from '../../runtime/preflight.ts';
import { AccumulatorMerger } from '../../runtime/worker/accumulator-codec.ts';
import type { ErrorInfo } from '../../runtime/worker/protocol.ts';
import { rebuildError } from '../../runtime/worker/remote-error.ts';
import { needsTsx, tsxApis } from '../../runtime/worker/tsx.ts';
import { packUserCode, relocateModules, type ShippedCode } from '../../serde/closures/index.ts';
import type { JobOutcome, JobResources, Runner } from '../runner.ts';
import { ENV_VARS } from '../../config/env-vars.ts';
import { inRuntime, moduleFile, relocatedModule, runtimeEntries, runtimeKey, type ShipSpec, shippedPath, stageApp } from './code-bundle.ts';
import { exportFlinkPlan } from './plan-export.ts';
import { decodeSide } from './worker-frames.ts';

/** Java 17 needs these for Flink's runtime (Flink's own scripts add them from env.java.default-opts.all). */
export const JAVA_OPENS: readonly string[] = [
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
];

/** The flink-runner/ folder of this checkout (src/runners/flink or dist/runners/flink → ../../../flink-runner). */
export function flinkRunnerDir(): string {
  return process.env.TSFLINK_FLINK_RUNNER_DIR ?? fileURLToPath(new URL('../../../flink-runner/', import.meta.url));
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home && existsSync(join(home, 'bin', 'java')) ? join(home, 'bin', 'java') : 'java';
}

export interface FlinkRunnerOptions {
  /** The JobManager's REST address `host:port`; null: an in-process MiniCluster. */
  readonly jobmanager: string | null;
  /** `node.binary.path`: the Node binary the workers run. */
  readonly nodeBinary: string;
}

export class FlinkRunner implements Runner {
  private readonly options: FlinkRunnerOptions;

  constructor(options: FlinkRunnerOptions) {
    this.options = options;
  }

  run(plan: PhysicalPlan, resources: JobResources): Promise<JobOutcome> {
    const inClient = plan.tasks.flatMap((t) => t.operators).find((op) => op.node.runInClient === true);
    if (inClient) {
      return Promise.reject(
        new PlanError(`${inClient.node.name} runs in the client process, which the Flink target cannot do; remove runInClient() or run the job with the embedded engine (--target local)`),
      );
    }
    // Packing reads the caller's stack: before any await.
    return packUserCode(plan, resources.userObjects, resources.types).then((code) => this.runShipped(plan, resources, code));
  }

  private async runShipped(plan: PhysicalPlan, resources: JobResources, code: ShippedCode): Promise<JobOutcome> {
    const dir = flinkRunnerDir();
    const jar = join(dir, 'target', 'tsflink-flink-runner.jar');
    const lib = join(dir, 'target', 'flink-dist', 'lib');
    if (!existsSync(jar) || !existsSync(lib)) {
      throw new PlanError(`the Flink target is not installed (no ${jar}): run scripts/install-flink-deps.sh`);
    }
    checkBeforeRunning(plan);

    const jobDir = mkdtempSync(join(resources.tmpDir, 'tsflink-flink-'));
    const sinks = new JobSinks(plan, randomBytes(6).toString('hex'));
    try {
      const tsx = import.meta.url.endsWith('.ts') || needsTsx(code) ? tsxApis() : null;
      const workerUrl = new URL(`./node-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;
      // On a remote cluster the code travels with the job and the worker runs in a folder made
      // from it (code-bundle.ts): every path it starts from is relative to that folder.
      const remote = this.options.jobmanager !== null;
      const appDir = join(jobDir, 'app');
      const ship: ShipSpec | null = remote ? { appDir, runtime: runtimeEntries(), runtimeKey: '' } : null;
      if (ship) mkdirSync(appDir);
      const at = (url: string): string => (remote ? `new URL(${JSON.stringify(shippedPath(url))}, pathToFileURL(process.cwd() + '/')).href` : JSON.stringify(url));
      const registerTsx = tsx ? `const [tsxEsm, tsxCjs] = await Promise.all([import(${at(tsx.esm)}), import(${at(tsx.cjs)})]);\ntsxEsm.register();\ntsxCjs.register();\n` : '';
      const boot = `${remote ? "const { pathToFileURL } = await import('node:url');\n" : ''}${registerTsx}await import(${at(workerUrl)});`;
      const workerConfigPath = remote ? join(appDir, 'worker.json') : join(jobDir, 'worker.json');
      const workerEnv: Record<string, string> = { TSFLINK_WORKER_CONFIG: remote ? 'app/worker.json' : workerConfigPath };
      // Workers on a cluster do not inherit the client's environment: ship its tsflink settings,
      // which the plan (parallelism, configuration) depends on.
      for (const [k, v] of Object.entries(process.env)) if (k.startsWith('TSFLINK_') && v !== undefined) workerEnv[k] = v;
      const { planFile, workerConfig } = exportFlinkPlan(plan, {
        workerCommand: [this.options.nodeBinary, '--input-type=module', '-e', boot],
        workerEnv,
        cwd: process.cwd(),
        retries: resources.retries,
        sinks,
        ship: ship ? { ...ship, runtimeKey: runtimeKey(ship.runtime) } : null,
        worker: {
          code: ship ? shipCode(code, appDir) : code,
          clientCwd: process.cwd(),
          plan,
          objectReuse: resources.objectReuse,
          operatorMemoryBytes: Math.floor((resources.operatorMemoryBytes ?? resources.memoryBytes / 2) / Math.max(1, ...plan.tasks.map((t) => t.parallelism))),
        },
      });
      writeFileSync(workerConfigPath, JSON.stringify(workerConfig));
      const planPath = join(jobDir, 'flink-plan.json');
      writeFileSync(planPath, JSON.stringify(planFile, null, 2));
      const outcomePath = join(jobDir, 'outcome.json');
      const logPath = join(jobDir, 'binder.log');
      const args = [
        ...JAVA_OPENS,
        `-Dlog4j2.configurationFile=${join(dir, 'conf', 'log4j-client.properties')}`,
        '-cp',
        `${jar}${path.delimiter}${join(lib, '*')}`,
        'tsflink.flink.PlanBinder',
        planPath,
        outcomePath,
        ...(this.options.jobmanager ? ['--jobmanager', this.options.jobmanager] : []),
      ];
      const exitCode = await runJava(args, logPath, resources, jobDir);
      if (!existsSync(outcomePath)) {
        const log = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n') : '';
        throw new JobExecutionError(plan.jobName, new Error(`the Flink plan binder exited with code ${exitCode} and no outcome; its last output:\n${log}`));
      }
      const outcome = JSON.parse(readFileSync(outcomePath, 'utf8')) as { status: string; netRuntimeMs?: number; side?: string[]; error?: ErrorInfo };
      if (outcome.status !== 'ok') throw new JobExecutionError(plan.jobName, rebuildError(outcome.error!));
      const accumulators = new AccumulatorMerger();
      const reader = new RecordReader(resources.types);
      for (const b64 of outcome.side ?? []) {
        const { header, payload } = decodeSide(Buffer.from(b64, 'base64'));
        if (header.kind === 'result') sinks.addResult(header.resultId, header.subtask, header.counted ? header.count : reader.readAll(payload));
        else if (header.kind === 'printed') sinks.addPrinted(header.toError, header.subtask, [...header.lines]);
        else accumulators.add(payload, resources.types);
      }
      sinks.commit();
      sinks.print(resources);
      const merged = accumulators.result();
      sinks.reportInvalidLines(merged, resources);
      return { netRuntimeMs: outcome.netRuntimeMs ?? 0, accumulators: merged, results: sinks.results };
    } catch (error) {
      sinks.abort();
      throw error;
    } finally {
      if (process.env.TSFLINK_KEEP_FLINK_JOB_DIR !== '1') rmSync(jobDir, { recursive: true, force: true });
    }
  }
}

/**
 * The job's code as a remote cluster's workers find it: the user's modules it imports (and the
 * modules named on the command line) are staged in the app folder, and every module is renamed
 * relative to the worker's folder (worker-frames.ts): an ES module's URL as `./app/…` or
 * `./node_modules/…`, a CommonJS file as `app/…` or `node_modules/…`.
 */
function shipCode(code: ShippedCode, appDir: string): ShippedCode {
  const named = (process.env[ENV_VARS.shipFiles] ?? '').split(path.delimiter).filter((m) => m !== '');
  const own = code.modules.map(moduleFile).filter((f) => path.isAbsolute(f) && !inRuntime(f));
  const staged = stageApp(appDir, [...new Set([...own, ...named])]);
  return relocateModules(code, (m) => relocatedModule(m, staged));
}

/** Binder JVMs running now, with their job folders: stopped and removed if this process is interrupted. */
const running = new Map<ChildProcess, string>();
let signalsHandled = false;

/**
 * On SIGINT or SIGTERM the binder JVMs are stopped (their shutdown hooks stop the MiniCluster and
 * its Node workers) and the job folders removed; then the signal takes its course.
 */
function stopOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const [child, jobDir] of running) {
        child.kill('SIGTERM');
        rmSync(jobDir, { recursive: true, force: true });
      }
      process.kill(process.pid, signal);
    });
  }
}

/** Runs the binder JVM; its output goes to a log file (and to stderr with TSFLINK_VERBOSE=1). */
function runJava(args: readonly string[], logPath: string, resources: JobResources, jobDir: string): Promise<number> {
  const verbose = process.env.TSFLINK_VERBOSE === '1' || process.env.TSFLINK_VERBOSE === 'true';
  const fd = openSync(logPath, 'w');
  stopOnSignals();
  return new Promise<number>((resolve, reject) => {
    const child = spawn(javaBinary(), args, { stdio: ['ignore', verbose ? 'pipe' : fd, verbose ? 'pipe' : fd] });
    running.set(child, jobDir);
    if (verbose) {
      child.stdout!.on('data', (d: Buffer) => resources.stderr(d.toString()));
      child.stderr!.on('data', (d: Buffer) => resources.stderr(d.toString()));
    }
    child.once('error', (e) => {
      running.delete(child);
      closeSync(fd);
      reject(new PlanError(`cannot start Java for the Flink target: ${e.message}`));
    });
    child.once('close', (code) => {
      running.delete(child);
      closeSync(fd);
      resolve(code ?? -1);
    });
  });
}
