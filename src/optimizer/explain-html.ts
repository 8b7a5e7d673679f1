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
  return formatPlansHtml([plan]);
}

/** One page for the plans of every job a script ran, each drawn, then listed. */
export async function formatPlansHtml(plans: readonly PhysicalPlan[]): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  const title = escapeHtml(plans.length === 1 ? plans[0]!.jobName : `${plans.length} jobs`);
  const sections = plans.map((plan, i) => {
    const svg = graphviz.dot(formatPlan(plan, 'dot')).replace(/^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*/s, '');
    const heading = plans.length === 1 ? '' : `<h2>Job ${i + 1}: ${escapeHtml(plan.jobName)}</h2>\n`;
    return `<section>\n${heading}${svg}\n<h3>Tasks</h3><pre>${escapeHtml(formatPlan(plan, 'text'))}</pre>\n</section>`;
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>Plan of ${title}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:2em}pre{background:#f6f8fa;padding:1em;overflow:auto}</style></head>',
    `<body><h1>Plan of ${title}</h1>`,
    ...sections,
    '</body></html>',
  ].join('\n');
}
