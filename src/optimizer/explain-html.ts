/**
 * `tsflink plan --format html`: one self-contained HTML page with the plan drawn as SVG (by
 * Graphviz compiled to WebAssembly, so no network and no browser script are needed) followed by
 * the text listing.
 */
import { formatPlan } from './explain.ts';
import type { PhysicalPlan } from './physical-plan.ts';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function formatPlanHtml(plan: PhysicalPlan): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  const svg = graphviz.dot(formatPlan(plan, 'dot')).replace(/^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*/s, '');
  const title = escapeHtml(plan.jobName);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>Plan of ${title}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:2em}pre{background:#f6f8fa;padding:1em;overflow:auto}</style></head>',
    `<body><h1>Plan of ${title}</h1>`,
    svg,
    `<h2>Tasks</h2><pre>${escapeHtml(formatPlan(plan, 'text'))}</pre>`,
    '</body></html>',
  ].join('\n');
}
