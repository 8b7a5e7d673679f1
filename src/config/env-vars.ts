/**
 * The environment variables through which the CLI, the configuration and the library talk to
 * each other. Worker threads inherit them and the Flink target ships them to its Node workers,
 * so every process of a job sees the same settings.
 */
export const ENV_VARS = {
  /** Path of the configuration file (instead of `./tsflink.yaml`). */
  conf: 'TSFLINK_CONF',
  /** Default parallelism, a positive integer; overrides `parallelism.default`. */
  parallelism: 'TSFLINK_PARALLELISM',
  /** `local` or `flink`; overrides `execution.target`. */
  target: 'TSFLINK_TARGET',
  /** Flink REST address `host:port`; overrides `jobmanager.address`. */
  jobmanager: 'TSFLINK_JOBMANAGER',
  /** Overrides `task.timeout` (a duration: `30 s`, `5 min`, milliseconds). */
  taskTimeout: 'TSFLINK_TASK_TIMEOUT',
  /** Overrides `taskmanager.worker.heap` (a size: `512m`). */
  workerHeap: 'TSFLINK_WORKER_HEAP',
  /** `0`/`off`/`false`: no compiled pipelines (overrides `pipeline.compile`); tests run both paths with it. */
  compile: 'TSFLINK_COMPILE',
  /** `1`: stack traces and engine messages on stderr. */
  verbose: 'TSFLINK_VERBOSE',
  /** Set by `tsflink plan`: `execute()`/`collect()`/`count()` print the plan in this format instead of running. */
  planFormat: 'TSFLINK_PLAN_FORMAT',
  /** Set by `tsflink run`: absolute paths of the extra modules/folders to ship, joined by `path.delimiter`. */
  shipFiles: 'TSFLINK_SHIP_FILES',
} as const;

/** `TSFLINK_VERBOSE` is on when it is `1` or `true`. */
export function verboseFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[ENV_VARS.verbose]?.trim().toLowerCase();
  return value === '1' || value === 'true';
}
