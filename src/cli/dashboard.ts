/**
 * `tsflink run --ui`: a local dashboard on loopback, like Flink's job view — the plan graph with
 * its figures, updating while the job runs, each task's subtasks, and the log of accumulators and
 * exceptions. node:http and Server-Sent Events: the page needs nothing more (no framework, no
 * WebSocket, nothing fetched from the network). The plan is drawn on the server (Graphviz SVG, at
 * most once a second per job) and pushed to the page with the figures.
 *
 *   GET /             the page
 *   GET /events       SSE: `jobs` (every job so far, on connect), then `job` (one job's figures and SVG)
 *   GET /api/jobs     the figures of every job, as JSON
 *
 * The server stays up after the script's jobs end, until the user stops it (Ctrl-C).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobFigures, JobMonitor } from '../metrics/job-figures.ts';
import { figuresSvg, REPORT_STYLE, subtaskTables, TASK_TABLE_HEAD, taskRows } from '../metrics/run-report.ts';

interface JobView {
  figures: JobFigures;
  svg: string;
  drawnAt: number;
  drawing: Promise<void> | null;
}

const REDRAW_MS = 1000;

export class Dashboard {
  private readonly server: Server;
  private readonly jobs: JobView[] = [];
  private readonly clients = new Set<ServerResponse>();

  private constructor(server: Server) {
    this.server = server;
  }

  /** Starts serving on 127.0.0.1 at `port` (0: a free one). */
  static async start(port: number): Promise<Dashboard> {
    let dashboard: Dashboard | null = null;
    const server = createServer((req, res) => dashboard!.handle(req, res));
    dashboard = new Dashboard(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return dashboard;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** Shows a job from its start: every snapshot of its monitor goes to the open pages. */
  watch(monitor: JobMonitor): void {
    const view: JobView = { figures: monitor.snapshot(), svg: '', drawnAt: 0, drawing: null };
    const index = this.jobs.push(view) - 1;
    const update = (f: JobFigures): void => {
      view.figures = f;
      const final = f.state !== 'RUNNING';
      if (view.drawing === null && (final || Date.now() - view.drawnAt >= REDRAW_MS)) {
        view.drawing = figuresSvg(f).then(
          (svg) => {
            view.svg = svg;
            view.drawnAt = Date.now();
            view.drawing = null;
            this.send('job', this.event(index, view.figures, svg));
            // The final figures arrived while the picture was being drawn: draw them too.
            if (view.figures.state !== 'RUNNING' && view.figures !== f) update(view.figures);
          },
          () => {
            view.drawing = null;
          },
        );
      } else {
        this.send('job', this.event(index, f, null));
      }
    };
    update(view.figures);
    monitor.onUpdate(update);
  }

  /** A job's event: its figures, and its table rows and subtask tables drawn as the report draws them. */
  private event(index: number, figures: JobFigures, svg: string | null): unknown {
    return { index, figures, svg, rows: taskRows(figures), subtasks: subtaskTables(figures) };
  }

  /** Waits until every job's final picture is drawn and sent. */
  async settled(): Promise<void> {
    for (const j of this.jobs) while (j.drawing !== null) await j.drawing;
  }

  close(): Promise<void> {
    for (const c of this.clients) c.end();
    this.clients.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private send(event: string, data: unknown): void {
    const text = `event: ${event}\ndata: ${json(data)}\n\n`;
    for (const c of this.clients) c.write(text);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
    } else if (path === '/favicon.ico') {
      res.writeHead(204).end(); // no icon, and no error in the page's console
    } else if (path === '/api/jobs') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(json(this.jobs.map((j) => j.figures)));
    } else if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`event: jobs\ndata: ${json(this.jobs.map((j, i) => this.event(i, j.figures, j.svg)))}\n\n`);
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  }
}

function json(data: unknown): string {
  return JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

/**
 * The page: one section per job (its state, the plan picture, the task table with each task's
 * subtasks, failures and accumulators), rebuilt from each `job` event, which carries the task
 * rows and subtask tables drawn on the server by the report's own functions (run-report.ts).
 */
const PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>tsflink dashboard</title>
<style>${REPORT_STYLE}
.job{border-top:2px solid #d0d7de;margin-top:1em}.state-RUNNING{color:#0969da}.state-FINISHED{color:#1a7f37}.state-FAILED{color:#b42318}
details{margin:.3em 0}#status{color:#57606a}</style></head>
<body><h1>tsflink dashboard</h1><p id="status">connecting…</p><div id="jobs"></div>
<script>
const head = ${JSON.stringify(TASK_TABLE_HEAD)};
const jobs = [];
const ms = (n) => n >= 10000 ? (n / 1000).toFixed(1) + ' s' : Math.round(n) + ' ms';
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function render(i) {
  const { figures: f, svg } = jobs[i];
  let el = document.getElementById('job-' + i);
  if (!el) { el = document.createElement('section'); el.id = 'job-' + i; el.className = 'job'; document.getElementById('jobs').append(el); }
  const { rows, subtasks } = jobs[i];
  const log = [...f.failures.map((x) => '<li class="failed">' + new Date(x.at).toISOString() + ' attempt ' + x.attempt + (x.task ? ', ' + esc(x.task) : '') + (x.subtask !== null ? ' subtask ' + (x.subtask + 1) : '') + ': ' + esc(x.error) + '</li>'), ...Object.entries(f.accumulators).map(([k, v]) => '<li>accumulator ' + esc(k) + ' = ' + esc(JSON.stringify(v)) + '</li>')].join('');
  const link = f.flinkWebUi ? ' <a href="' + esc(f.flinkWebUi) + '">Flink web UI</a>' : '';
  el.innerHTML = '<h2>' + esc(f.jobName) + ' <span class="job-state state-' + f.state + '">' + f.state + '</span></h2><p>' + (f.target === 'flink' ? 'Flink target' : 'embedded') + ', started ' + new Date(f.startedAt).toLocaleTimeString() + (f.endedAt ? ', ran ' + ms(f.endedAt - f.startedAt) : '') + ', ' + f.retries + ' retries.' + link + '</p>' +
    '<div class="plan">' + (svg || '') + '</div><table class="tasks">' + head + rows + '</table>' + subtasks + '<h3>Accumulators and exceptions</h3><ul class="log">' + (log || '<li>none</li>') + '</ul>';
}
const events = new EventSource('/events');
events.addEventListener('jobs', (e) => { JSON.parse(e.data).forEach((j, i) => { jobs[i] = j; render(i); }); document.getElementById('status').textContent = 'live'; });
events.addEventListener('job', (e) => { const j = JSON.parse(e.data); jobs[j.index] = { ...j, svg: j.svg ?? (jobs[j.index] ? jobs[j.index].svg : '') }; render(j.index); });
events.onerror = () => { document.getElementById('status').textContent = 'disconnected (the run has stopped)'; };
</script></body></html>`;
