import { TsflinkError } from '../errors/index.ts';

/** The configuration (file, environment variable or CLI flag) holds a value tsflink cannot use. */
export class ConfigError extends TsflinkError {}
