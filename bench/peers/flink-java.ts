/**
 * The Flink target's reference: WordCount as a plain Flink Java DataSet program
 * (flink-runner/src/main/java/tsflink/flink/bench/JavaWordCount.java), submitted to the same
 * cluster tsflink's job runs on. Exits with the Java program's status.
 *
 *   node --import tsx bench/peers/flink-java.ts <host:port> <parallelism> <input.txt> <output>
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { JAVA_OPENS, flinkRunnerDir } from '../../src/runners/flink/flink-runner.ts';

const [jobmanager, parallelism, input, output] = process.argv.slice(2) as [string, string, string, string];
const dir = flinkRunnerDir();
const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const r = spawnSync(
  java,
  [
    ...JAVA_OPENS,
    `-Dlog4j2.configurationFile=${join(dir, 'conf', 'log4j-client.properties')}`,
    '-cp',
    `${join(dir, 'target', 'tsflink-flink-runner.jar')}:${join(dir, 'target', 'flink-dist', 'lib', '*')}`,
    'tsflink.flink.bench.JavaWordCount',
    input,
    output,
    parallelism,
    '--jobmanager',
    jobmanager,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
process.exit(r.status ?? 1);
