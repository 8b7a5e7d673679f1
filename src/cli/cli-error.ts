import { TsflinkError } from '../errors/index.ts';

/** The command line names something that is not there (a script, a module to ship, a config file). */
export class CliError extends TsflinkError {}
