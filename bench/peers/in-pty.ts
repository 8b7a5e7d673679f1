/**
 * Runs a command on a pseudo-terminal (util-linux `script`), so that tsflink's progress shows
 * its live terminal display (bench workload `progress`); exits with the command's status.
 *
 *   node --import tsx bench/peers/in-pty.ts <program> <args...>
 */
import { spawnSync } from 'node:child_process';

const [program, ...args] = process.argv.slice(2);
const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
const r = spawnSync('script', ['-q', '-e', '-c', [program!, ...args].map(quote).join(' '), '/dev/null'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, TERM: process.env.TERM ?? 'xterm' },
});
process.exit(r.status ?? 1);
