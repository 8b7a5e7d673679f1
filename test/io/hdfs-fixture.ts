/**
 * A real HDFS for a test file: scripts/hdfs-cluster.sh started in a state dir of its own before
 * the file's tests, stopped (and the dir removed) after them. `hdfs(path)` names a path on it the
 * way users write them, `hdfs://127.0.0.1:<rpcPort>/…`; TSFLINK_WEBHDFS tells tsflink (and the
 * Flink workers, which get the client's TSFLINK_* settings) where that NameNode's WebHDFS is.
 * `webhdfs(path)` is the same path through the HTTP address. The JVM test files take turns (the
 * Flink tests' lock): on a small machine they starve each other.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { takeFlinkTestLock } from '../flink/flink-lock.ts';

const root = new URL('../../', import.meta.url).pathname;
export const hdfsScript = join(root, 'scripts/hdfs-cluster.sh');

export interface Hdfs {
  /** `hdfs://127.0.0.1:<rpc>` */
  readonly rpc: string;
  /** `http://127.0.0.1:<http>` */
  readonly http: string;
  readonly state: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Starts HDFS before the file's tests (taking the JVM tests' lock first); `cluster()` gives it once started. */
export async function setUpHdfs(options: { readonly lock?: boolean } = {}): Promise<() => Hdfs> {
  if (options.lock !== false) await takeFlinkTestLock();
  let cluster: Hdfs | null = null;
  const state = mkdtempSync(join(tmpdir(), 'tsflink-hdfs-test-'));
  const env = { ...process.env, TSFLINK_HDFS_CLUSTER_DIR: state };
  before(
    () => {
      execFileSync('bash', [join(root, 'scripts/install-hdfs-deps.sh')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      const [rpc, http] = execFileSync('bash', [hdfsScript, 'start'], { env, encoding: 'utf8', timeout: 180_000 }).trim().split('\n');
      cluster = { rpc: rpc!, http: http!, state, env };
      process.env.TSFLINK_WEBHDFS = `${new URL(rpc!).host}=${http}`;
    },
    { timeout: 600_000 },
  );
  after(() => {
    execFileSync('bash', [hdfsScript, 'stop'], { env, stdio: 'ignore' });
    rmSync(state, { recursive: true, force: true });
    delete process.env.TSFLINK_WEBHDFS;
  });
  return () => {
    if (cluster === null) throw new Error('HDFS is not started yet (use it inside a test)');
    return cluster;
  };
}

/**
 * WebHDFS from the test's side, with curl (not tsflink's client, which is what the tests check):
 * `path` is absolute on the cluster (`/in/words.txt`).
 */
export class HdfsFiles {
  private readonly http: string;
  constructor(cluster: Hdfs) {
    this.http = cluster.http;
  }

  private url(path: string, op: string, params = ''): string {
    return `${this.http}/webhdfs/v1${path}?op=${op}&user.name=tsflink-test${params}`;
  }

  /** Creates (or replaces) a file; `blockSize` in bytes (a multiple of 512). */
  put(path: string, data: string | Buffer, blockSize?: number): void {
    const url = this.url(path, 'CREATE', `&overwrite=true${blockSize === undefined ? '' : `&blocksize=${blockSize}`}`);
    execFileSync('curl', ['-fsS', '-L', '-X', 'PUT', '-H', 'content-type: application/octet-stream', '--data-binary', '@-', url], { input: data });
  }

  get(path: string): Buffer {
    return execFileSync('curl', ['-fsS', '-L', this.url(path, 'OPEN')], { maxBuffer: 1 << 30 });
  }

  text(path: string): string {
    return this.get(path).toString('utf8');
  }

  /** The names in a directory, sorted; null when nothing is there. */
  list(path: string): string[] | null {
    const out = execFileSync('curl', ['-sS', '-w', '\n%{http_code}', this.url(path, 'LISTSTATUS')], { encoding: 'utf8' });
    const status = out.slice(out.lastIndexOf('\n') + 1);
    if (status === '404') return null;
    const body = JSON.parse(out.slice(0, out.lastIndexOf('\n'))) as { FileStatuses: { FileStatus: { pathSuffix: string }[] } };
    return body.FileStatuses.FileStatus.map((s) => s.pathSuffix).sort();
  }

  /** The lines of a sink's output: the file, or a directory's files 1…p in order. */
  outputLines(path: string): string[] {
    const names = this.list(path);
    if (names === null) throw new Error(`no output at ${path}`);
    const parts = names.length === 1 && names[0] === '' ? [path] : names.sort((a, b) => Number(a) - Number(b)).map((n) => `${path}/${n}`);
    return parts.flatMap((p) =>
      this.text(p)
        .split('\n')
        .filter((l) => l !== ''),
    );
  }

  remove(path: string): void {
    execFileSync('curl', ['-fsS', '-X', 'DELETE', this.url(path, 'DELETE', '&recursive=true')]);
  }
}
