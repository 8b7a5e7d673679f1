/**
 * A job must not write where it reads: a sink whose path is a source's file, lies inside a
 * source's directory, or holds a source's file would replace (or add to) the input the job is
 * reading; two sinks of one job on one path would overwrite each other. Checked when the job's
 * plan is built, before anything runs, on every target.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { PlanError } from '../errors/index.ts';
import { isRemotePath } from '../io/fs/file-system.ts';
import { resolvePath } from '../io/input-files.ts';
import { STDIO_PATH } from '../io/stdio.ts';
import type { LogicalPlan, PlanNode } from '../plan/nodes.ts';

interface FilePath {
  readonly node: PlanNode;
  /** As the user wrote it. */
  readonly path: string;
  /** Absolute, symbolic links of its existing part resolved. */
  readonly real: string;
}

export function checkPathConflicts(plan: LogicalPlan): void {
  const sources: FilePath[] = [];
  const sinks: FilePath[] = [];
  for (const node of plan.nodes) {
    const p = node.params;
    if ((p.kind === 'TextSource' || p.kind === 'CsvSource' || p.kind === 'TextSink' || p.kind === 'CsvSink') && p.path === STDIO_PATH) continue; // stdin, stdout
    if (p.kind === 'TextSource' || p.kind === 'CsvSource' || p.kind === 'ParquetSource') sources.push({ node, path: p.path, real: realPath(p.path) });
    if (p.kind === 'TextSink' || p.kind === 'CsvSink' || p.kind === 'ParquetSink') sinks.push({ node, path: p.path, real: realPath(p.path) });
  }
  for (const sink of sinks) {
    for (const source of sources) {
      const how = relation(sink.real, source.real);
      if (how === null) continue;
      const what = how === 'same' ? 'the input' : how === 'inside' ? 'inside the input directory' : 'a directory holding the input';
      throw new PlanError(`'${sink.node.name}' writes to '${sink.path}', which is ${what} '${source.path}' that '${source.node.name}' reads in the same job; write the output to another path`);
    }
  }
  for (let i = 0; i < sinks.length; i++) {
    for (let j = i + 1; j < sinks.length; j++) {
      const [a, b] = [sinks[i]!, sinks[j]!];
      if (relation(a.real, b.real) === null) continue;
      throw new PlanError(`'${a.node.name}' and '${b.node.name}' write to overlapping paths ('${a.path}', '${b.path}') in the same job; give each sink its own path`);
    }
  }
}

/** How path `a` lies to path `b`: the same, inside it, holding it, or apart. */
function relation(a: string, b: string): 'same' | 'inside' | 'holds' | null {
  if (a === b) return 'same';
  if (a.startsWith(withSep(b))) return 'inside';
  if (b.startsWith(withSep(a))) return 'holds';
  return null;
}

function withSep(p: string): string {
  return p.endsWith(sep) ? p : p + sep;
}

/** The absolute path with symbolic links resolved as far as it exists (a sink's target usually does not). */
function realPath(path: string): string {
  const absolute = resolvePath(path);
  if (isRemotePath(absolute)) return absolute; // no symbolic links there
  const rest: string[] = [];
  let head = absolute;
  for (;;) {
    try {
      return join(realpathSync(head), ...rest);
    } catch {
      const parent = dirname(head);
      if (parent === head) return absolute;
      rest.unshift(basename(head));
      head = parent;
    }
  }
}
