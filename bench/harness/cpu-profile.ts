/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and ranks functions by self and inclusive
 * time, with their hottest lines. Locations in dist/ are mapped back to src/*.ts through the
 * build's source maps, so the report names the lines to change.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number; // 0-based
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
  readonly positionTicks?: readonly { line: number; ticks: number }[]; // 1-based lines
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionCost {
  readonly name: string;
  readonly location: string;
  selfMs: number;
  inclusiveMs: number;
  /** Hottest lines inside the function: location → ticks. */
  readonly lines: Map<string, number>;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly functions: FunctionCost[];
}

/** Maps generated positions to source positions, one source map per file, loaded on first use. */
class SourceLocator {
  private readonly root: string;
  private readonly maps = new Map<string, SourceMap | null>();

  constructor(root: string) {
    this.root = root;
  }

  /** `file:line` (1-based) for a 0-based generated position. */
  locate(url: string, line: number, column: number): string {
    if (!url.startsWith('file://')) return url === '' ? '(native)' : `${url}:${line + 1}`;
    const file = fileURLToPath(url);
    const map = this.mapFor(file);
    const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
    if (map && entry?.originalSource !== undefined && entry.originalLine !== undefined) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(file), entry.originalSource);
      return `${this.shorten(source)}:${entry.originalLine + 1}`;
    }
    return `${this.shorten(file)}:${line + 1}`;
  }

  /** Whether lines inside `url`'s functions map back (not for tsx's one-line compilations). */
  hasLineMaps(url: string): boolean {
    if (!url.startsWith('file://')) return true;
    const file = fileURLToPath(url);
    return !/\.[mc]?ts$/.test(file) || existsSync(`${file}.map`);
  }

  private shorten(file: string): string {
    const r = relative(this.root, file);
    // A frozen copy of the build (bench/data/build) maps to the same src/ paths.
    return r.replace(/^bench\/data\/build\//, '');
  }

  private mapFor(file: string): SourceMap | null {
    let map = this.maps.get(file);
    if (map === undefined) {
      map = null;
      try {
        if (existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
        else if (/\.[mc]?ts$/.test(file)) map = tsxSourceMap(file);
      } catch {
        map = null;
      }
      this.maps.set(file, map);
    }
    return map;
  }
}

/**
 * A script run through tsx (the jobs) is profiled as tsx compiled it: minified onto one line.
 * tsx keeps each compilation, with its source map, in its cache directory; take the newest one
 * of this file.
 */
function tsxSourceMap(file: string): SourceMap | null {
  const cache = join(tmpdir(), `tsx-${process.getuid?.() ?? 0}`);
  if (!existsSync(cache)) return null;
  let newest: { mtime: number; map: SourceMapPayload } | null = null;
  const needle = JSON.stringify(file);
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    const text = readFileSync(path, 'utf8');
    if (!text.includes(needle)) continue;
    const mtime = statSync(path).mtimeMs;
    if (newest !== null && mtime <= newest.mtime) continue;
    const entry = JSON.parse(text) as { map?: SourceMapPayload };
    if (entry.map?.sources?.[0] === file) newest = { mtime, map: entry.map };
  }
  return newest ? new SourceMap(newest.map) : null;
}

export function summarizeProfile(path: string, root: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const locator = new SourceLocator(root);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const functions = new Map<string, FunctionCost>();
  const keyOf = new Map<number, FunctionCost>();
  const costOf = (id: number): FunctionCost => {
    let cost = keyOf.get(id);
    if (cost) return cost;
    const f = byId.get(id)!.callFrame;
    const name = f.functionName || '(anonymous)';
    const location = locator.locate(f.url, f.lineNumber, f.columnNumber);
    const key = `${name} ${location}`;
    cost = functions.get(key);
    if (!cost) functions.set(key, (cost = { name, location, selfMs: 0, inclusiveMs: 0, lines: new Map() }));
    keyOf.set(id, cost);
    return cost;
  };

  // Ticks per node, to spread each node's self time over its lines.
  const selfMsOf = new Map<number, number>();
  let totalMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const id = profile.samples[i]!;
    selfMsOf.set(id, (selfMsOf.get(id) ?? 0) + ms);
    costOf(id).selfMs += ms;
    // Inclusive: once per distinct function on the stack (recursion counted once).
    const seen = new Set<FunctionCost>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const c = costOf(at);
      if (!seen.has(c)) {
        seen.add(c);
        c.inclusiveMs += ms;
      }
    }
  }
  for (const [id, ms] of selfMsOf) {
    const node = byId.get(id)!;
    const ticks = node.positionTicks ?? [];
    const all = ticks.reduce((s, t) => s + t.ticks, 0);
    if (all === 0 || !locator.hasLineMaps(node.callFrame.url)) continue;
    const cost = costOf(id);
    for (const t of ticks) {
      const where = locator.locate(node.callFrame.url, t.line - 1, 0);
      cost.lines.set(where, (cost.lines.get(where) ?? 0) + (ms * t.ticks) / all);
    }
  }
  return { totalMs, functions: [...functions.values()] };
}

export function formatSummary(summary: ProfileSummary, top: number): string {
  const pct = (ms: number): string => `${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)}%`;
  const out: string[] = [`sampled ${(summary.totalMs / 1000).toFixed(2)} s`, '', 'self time:'];
  for (const f of [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) {
    const hot = [...f.lines.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .filter(([, ms]) => ms >= 0.05 * f.selfMs)
      .map(([where, ms]) => `${where.replace(/^.*:/, 'line ')} ${pct(ms).trim()}`);
    out.push(`  ${pct(f.selfMs)} ${(f.selfMs / 1000).toFixed(2).padStart(6)} s  ${f.name}  ${f.location}${hot.length ? `  [${hot.join(', ')}]` : ''}`);
  }
  out.push('', 'inclusive time:');
  const skip = new Set(['(root)', '(program)', '(idle)']);
  for (const f of [...summary.functions]
    .filter((f) => !skip.has(f.name))
    .sort((a, b) => b.inclusiveMs - a.inclusiveMs)
    .slice(0, top)) {
    out.push(`  ${pct(f.inclusiveMs)} ${(f.inclusiveMs / 1000).toFixed(2).padStart(6)} s  ${f.name}  ${f.location}`);
  }
  return out.join('\n');
}
