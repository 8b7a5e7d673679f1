/**
 * What `tsflink run` shows of the jobs its script runs: the live progress on stderr (unless
 * `--quiet`), the run report (`--report file.html|file.json`), written when each job ends with
 * every job of the run so far, and the dashboard (`--ui`), which stays up after the script ends
 * until the user stops it.
 */
import { writeFileSync } from 'node:fs';
import type { JobFigures } from '../metrics/job-figures.ts';
import { observeJobs } from '../metrics/job-observers.ts';
import { reportHtml, reportJson } from '../metrics/run-report.ts';
import { Dashboard } from './dashboard.ts';
import { showProgress } from '../metrics/progress.ts';

export interface WatchOptions {
  readonly quiet: boolean;
  /** An absolute path ending in .html or .json; null: no report. */
  readonly report: string | null;
  /** `--ui`: the dashboard's port (0: a free one); null: no dashboard. */
  readonly ui?: number | null;
}

/** Starts watching; `finished()` resolves once every report is written. */
export async function watchJobs(options: WatchOptions, stream: NodeJS.WriteStream = process.stderr): Promise<{ finished(): Promise<void>; stop(): void; dashboard: Dashboard | null }> {
  const writes: Promise<void>[] = [];
  const jobs: JobFigures[] = [];
  const dashboard = options.ui == null ? null : await Dashboard.start(options.ui);
  if (dashboard !== null) stream.write(`tsflink: dashboard at ${dashboard.url}\n`);
  const stop = observeJobs((monitor) => {
    dashboard?.watch(monitor);
    if (!options.quiet) showProgress(monitor, { stream, live: stream.isTTY === true });
    if (options.report !== null) {
      const index = jobs.length;
      jobs.push(monitor.figures);
      const report = options.report;
      monitor.onUpdate((f) => {
        if (f.state === 'RUNNING') return;
        jobs[index] = f;
        writes.push(writeReport(report, [...jobs]));
      });
    }
  });
  return {
    finished: async () => {
      await Promise.all(writes);
      await dashboard?.settled();
    },
    stop,
    dashboard,
  };
}

async function writeReport(file: string, jobs: readonly JobFigures[]): Promise<void> {
  if (file.toLowerCase().endsWith('.json')) {
    writeFileSync(file, jobs.length === 1 ? reportJson(jobs[0]!) : `[\n${jobs.map((j) => reportJson(j).trimEnd()).join(',\n')}\n]\n`);
    return;
  }
  const pages = await Promise.all(jobs.map((j) => reportHtml(j)));
  // One page per job would need several files: the last job's page, with the others' bodies after it.
  writeFileSync(
    file,
    pages.length === 1
      ? pages[0]!
      : pages[pages.length - 1]!.replace(
          '</body></html>',
          `${pages
            .slice(0, -1)
            .map((p) => `<hr>${p.slice(p.indexOf('<body>') + 6, p.lastIndexOf('</body>'))}`)
            .join('\n')}</body></html>`,
        ),
  );
}
