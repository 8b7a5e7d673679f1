/**
 * The Flink target: runs a physical plan as a Flink 1.20 job. The client packs the job's user
 * code (serde/closures), writes flink-plan.json and worker.json (plan-export.ts; the workers
 * rebuild the functions from the code in it, never running the user's script), runs the plan binder (flink-runner/, a JVM) on an in-process
 * MiniCluster or, with a JobManager address, against that cluster, and reads the outcome file
 * the binder writes: the side records of every subtask (collect()/count() results, printed
 * lines, accumulators), or the error a worker reported, rethrown as the embedded engine would.
 * File sinks write staging files that the client commits only when the job has succeeded, as the
 * embedded engine's do (runWithSinks, runtime/job-endings.ts).
 *
 * The JVM parts are built by scripts/install-flink-deps.sh into flink-runner/target/
 * (override the folder with TSFLINK_FLINK_RUNNER_DIR).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobExecutionError, PlanError } from '../../errors/index.ts';
import type { PhysicalPlan } from '../../optimizer/physical-plan.ts';
import { RecordReader } from '../../serde/record-reader.ts';
import { staleName } from '../../io/stale-files.ts';
import { runWithSinks } from '../../runtime/job-endings.ts';
import { type JobSinks, sweepBeforeJob } from '../../runtime/job-sinks.ts';
import { withStreamInputs } from '../../runtime/stream-inputs.ts';
import { checkBeforeRunning } from '../../runtime/preflight.ts';
import { AccumulatorMerger } from '../../runtime/worker/accumulator-codec.ts';
import type { ErrorInfo } from '../../runtime/worker/protocol.ts';
import { rebuildError } from '../../runtime/worker/remote-error.ts';
import { needsTsx, tsxApis } from '../../runtime/worker/tsx.ts';
import { packUserCode, relocateModules, type ShippedCode, shippedClass } from '../../serde/closures/index.ts';
import type { JobOutcome, JobResources, Runner } from '../../job/contract.ts';
import { ENV_VARS } from '../../config/env-vars.ts';
import { inRuntime, moduleFile, relocatedModule, runtimeEntries, runtimeKey, type ShipSpec, shippedPath, stageApp } from './code-bundle.ts';
import { FlinkFigures } from './flink-figures.ts';
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
    // Packing reads the caller's stack: before any await (withStreamInputs calls it synchronously).
    return withStreamInputs(plan, resources.tmpDir, (plan) => packUserCode(plan, resources.userObjects, resources.types).then((code) => this.runShipped(plan, resources, code)));
  }

  private async runShipped(plan: PhysicalPlan, resources: JobResources, code: ShippedCode): Promise<JobOutcome> {
    const dir = flinkRunnerDir();
    const jar = join(dir, 'target', 'tsflink-flink-runner.jar');
    const lib = join(dir, 'target', 'flink-dist', 'lib');
    if (!existsSync(jar) || !existsSync(lib)) {
      throw new PlanError(
        `the Flink target is not installed (no ${jar}): run \`npx tsflink flink install\` once (it needs Java 17 and Maven; it fetches Flink 1.20 from Maven Central and builds the runner)`,
      );
    }
    checkBeforeRunning(plan);

    // What runs that ended without cleaning up (SIGKILL) left: job folders of dead clients here
    // (convention 2), staging next to the targets.
    sweepBeforeJob(plan, resources);
    // Everything of this job outside its output lives in the job folder, Flink's temp files
    // included: the JVM's java.io.tmpdir (and so Flink's io.tmp.dirs, blob storage, the RPC
    // system's jar, the MiniCluster's working folders, the web upload folder, native libraries)
    // is its tmp/ folder. It goes when the job ends, however it ends (runJava, job-endings.ts,
    // and the binder's own watch of this process); a SIGKILL of both leaves it to the next sweep.
    const jobDir = mkdtempSync(join(resources.tmpDir, staleName('flink')));
    const javaTmp = join(jobDir, 'tmp');
    mkdirSync(javaTmp);
    let binder: ChildProcess | null = null;
    let cancelled = false;
    // SIGINT/SIGTERM of this process while the job runs: the binder JVM is stopped (its shutdown
    // hooks cancel the job and stop the Node workers), then the staging and the job folder go.
    const ending = {
      stop: () => {
        cancelled = true;
        return stopJava(binder);
      },
      cleanup: () => rmSync(jobDir, { recursive: true, force: true }),
    };
    // The side records of the outcome go to the sinks, which commit when the job has succeeded (runWithSinks).
    const run = async (jobSinks: JobSinks): Promise<{ netRuntimeMs: number; accumulators: Record<string, unknown> }> => {
      const tsx = import.meta.url.endsWith('.ts') || needsTsx(code) ? tsxApis() : null;
      const workerUrl = new URL(`./node-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;
      // On a remote cluster the code travels with the job and the worker runs in a folder made
      // from it (code-bundle.ts): every path it starts from is relative to that folder.
      const remote = this.options.jobmanager !== null;
      const appDir = join(jobDir, 'app');
      const ship: ShipSpec | null = remote ? { appDir, runtime: runtimeEntries(), runtimeKey: '', cachedFiles: plan.cachedFiles ?? {} } : null;
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
        // taskmanager.worker.heap limits each Node worker's heap as it limits each worker thread's embedded.
        workerCommand: [this.options.nodeBinary, ...(resources.workerHeapMb == null ? [] : [`--max-old-space-size=${resources.workerHeapMb}`]), '--input-type=module', '-e', boot],
        workerEnv,
        cwd: process.cwd(),
        retries: resources.retries,
        sinks: jobSinks,
        ship: ship ? { ...ship, runtimeKey: runtimeKey(ship.runtime) } : null,
        worker: {
          code: ship ? shipCode(code, appDir) : code,
          clientCwd: process.cwd(),
          plan,
          objectReuse: resources.objectReuse,
          taskTimeoutMs: resources.taskTimeoutMs ?? null,
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
        `-Djava.io.tmpdir=${javaTmp}`,
        // No hsperfdata file in /tmp (it ignores java.io.tmpdir, and a killed JVM leaves it).
        '-XX:-UsePerfData',
        // The binder watches this process, and ends the job when it is gone (PlanBinder.watchClient).
        `-Dtsflink.client.pid=${process.pid}`,
        // The binder keeps the job's REST endpoint up until the figures' last poll (flink-figures.ts).
        ...(resources.monitor ? ['-Dtsflink.figures=1'] : []),
        `-Dlog4j2.configurationFile=${join(dir, 'conf', 'log4j-client.properties')}`,
        '-cp',
        `${jar}${path.delimiter}${join(lib, '*')}`,
        'tsflink.flink.PlanBinder',
        planPath,
        outcomePath,
        ...(this.options.jobmanager ? ['--jobmanager', this.options.jobmanager] : []),
      ];
      const figures = resources.monitor ? new FlinkFigures(plan, resources.monitor, jobDir) : null;
      figures?.start();
      const exitCode = await runJava(args, logPath, resources, (child) => {
        binder = child;
      }).finally(() => figures?.finish());
      // Stopped by a signal: job-endings.ts cleans up, says so and ends the process; the job
      // has no outcome of its own to report.
      if (cancelled) return await new Promise<never>(() => {});
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
        if (header.kind === 'result') jobSinks.addResult(header.resultId, header.subtask, header.counted ? header.count : reader.readAll(payload));
        else if (header.kind === 'printed') jobSinks.addPrinted(header.toError, header.subtask, [...header.lines]);
        else accumulators.add(payload, resources.types, (node) => shippedClass(code, node));
      }
      return { netRuntimeMs: outcome.netRuntimeMs ?? 0, accumulators: accumulators.result() };
    };
    try {
      return await runWithSinks(plan, resources, ending, run);
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

/** Stops a running binder JVM (SIGTERM: its shutdown hooks cancel the job and stop its Node workers; SIGKILL after 20 s); resolves when it has exited. */
function stopJava(child: ChildProcess | null): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('close', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Runs the binder JVM; its output goes to a log file (and to stderr with TSFLINK_VERBOSE=1). */
function runJava(args: readonly string[], logPath: string, resources: JobResources, started: (child: ChildProcess) => void): Promise<number> {
  const verbose = process.env.TSFLINK_VERBOSE === '1' || process.env.TSFLINK_VERBOSE === 'true';
  const fd = openSync(logPath, 'w');
  return new Promise<number>((resolve, reject) => {
    const child = spawn(javaBinary(), args, { stdio: ['ignore', verbose ? 'pipe' : fd, verbose ? 'pipe' : fd] });
    started(child);
    if (verbose) {
      child.stdout!.on('data', (d: Buffer) => resources.stderr(d.toString()));
      child.stderr!.on('data', (d: Buffer) => resources.stderr(d.toString()));
    }
    child.once('error', (e) => {
      closeSync(fd);
      reject(new PlanError(`cannot start Java for the Flink target: ${e.message}`));
    });
    child.once('close', (code) => {
      closeSync(fd);
      resolve(code ?? -1);
    });
  });
}
