/**
 * `tsflink run wc.ts -p 2 - in.txt out.csv`: everything after the first lone `-` (or `--`)
 * belongs to the script. Split here, before commander sees the line, because commander takes a
 * lone `-` for an ordinary argument and would read the script's own options as tsflink's.
 */
export interface SplitArgs {
  /** The command line tsflink parses: command, script, modules, options. */
  readonly cliArgs: string[];
  /** The script's arguments, which it reads as `process.argv.slice(2)`. */
  readonly scriptArgs: string[];
}

export const SCRIPT_ARGS_SEPARATORS: readonly string[] = ['-', '--'];

/** Splits the arguments after `node main.js` at the first lone `-` or `--`. */
export function splitArgs(args: readonly string[]): SplitArgs {
  const at = args.findIndex((arg) => SCRIPT_ARGS_SEPARATORS.includes(arg));
  if (at < 0) return { cliArgs: [...args], scriptArgs: [] };
  return { cliArgs: args.slice(0, at), scriptArgs: args.slice(at + 1) };
}
