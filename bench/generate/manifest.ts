/**
 * Generated files are kept between runs: each data file has a `.json` manifest beside it naming
 * the generator, its parameters and the seed. A file is regenerated only when that changes (or
 * the file is missing or has another size), since the large inputs take a while to write.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

export interface DataSpec {
  readonly generator: string;
  readonly seed: number;
  readonly params: Readonly<Record<string, number | string>>;
}

interface Manifest extends DataSpec {
  readonly bytes: number;
  readonly facts: Readonly<Record<string, number>>;
}

/** Facts a generator reports about what it wrote (rows, distinct keys, …), kept in the manifest. */
export type DataFacts = Record<string, number>;

/**
 * Ensures `path` holds the data `spec` describes, calling `write(tmpPath)` when it does not.
 * Returns the generator's facts and whether the file was (re)generated.
 */
export function ensureData(path: string, spec: DataSpec, write: (tmpPath: string) => DataFacts): { facts: DataFacts; generated: boolean } {
  const manifestPath = `${path}.json`;
  if (existsSync(path) && existsSync(manifestPath)) {
    const old = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (sameSpec(old, spec) && statSync(path).size === old.bytes) return { facts: { ...old.facts }, generated: false };
  }
  const tmp = `${path}.partial`;
  const facts = write(tmp);
  renameSync(tmp, path);
  const manifest: Manifest = { ...spec, bytes: statSync(path).size, facts };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { facts, generated: true };
}

function sameSpec(a: DataSpec, b: DataSpec): boolean {
  return a.generator === b.generator && a.seed === b.seed && JSON.stringify(a.params) === JSON.stringify(b.params);
}
