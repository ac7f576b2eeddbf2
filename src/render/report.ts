/**
 * The HTML of `rfm report` and of the page `rfm serve` shows at `/`: the headline (customers,
 * revenue, as-of date, rows dropped per cleaning rule), the segment table with descriptions and
 * actions, the four bar charts, and — when their inputs are given — the elbow curve, the recency ×
 * frequency heat map, the R/F score grid and further tables (CLV, migration). Every chart is an
 * inline SVG from svg.ts followed by a table of the same numbers. Pure: strings in, markup out;
 * every model- or file-derived string goes through escapeMarkup.
 *
 * The report file carries its stylesheet inline and no script at all (its own CSP meta forbids
 * any); the served page links the same stylesheet and a script as files (page.ts).
 */
import { RULE_DESCRIPTIONS, type DropRule } from '../core/clean.js';
import type { ElbowResult } from '../core/elbow.js';
import type { ModelSegment, RfmModel } from '../core/model.js';
import type { RfGrid } from '../core/rf-grid.js';
import { formatFixed, formatInt, formatMoney, formatOne, formatPercent } from './numbers.js';
import { barChartSvg, elbowSvg, escapeMarkup, gridSvg, segmentFill, type BarDatum } from './svg.js';

/** A plain table section for inputs this module does not know in detail (CLV per segment, a migration matrix). */
export interface TableSection {
  id: string;
  title: string;
  /** One paragraph above the table. */
  intro?: string;
  head: string[];
  rows: (string | number)[][];
  /** Columns (by index) whose cells are numbers, aligned right. */
  numeric?: number[];
}

export interface ReportInput {
  model: RfmModel;
  /** The customers given with --data: the heat map and the R/F grid are drawn from them. */
  data?: { source: string; asOf: string | null; grid: RfGrid };
  /** The elbow curve over the same customers, with the model's k marked. */
  elbow?: ElbowResult;
  /** Further sections, in order, after the charts (e.g. CLV per segment, the migration matrix). */
  extra?: TableSection[];
  /** Sections without their inputs: a note saying how to get them (the report), or left out (the served page). */
  missing?: 'note' | 'omit';
}

const e = escapeMarkup;

/** A table: head cells, body rows, numeric columns right-aligned; every cell escaped. */
function table(head: readonly string[], rows: readonly (readonly (string | number)[])[], options: { numeric?: readonly number[]; caption?: string; className?: string } = {}): string {
  const numeric = new Set(options.numeric ?? []);
  const cls = (i: number) => (numeric.has(i) ? ' class="num"' : '');
  return (
    `<table${options.className ? ` class="${options.className}"` : ''}>` +
    (options.caption ? `<caption>${e(options.caption)}</caption>` : '') +
    `<thead><tr>${head.map((h, i) => `<th scope="col"${cls(i)}>${e(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${e(String(c))}</td>`).join('')}</tr>`).join('')}</tbody>` +
    '</table>'
  );
}

/** A chart and its table as one figure (kept on one printed page). */
function figure(id: string, caption: string, svg: string, dataTable: string): string {
  return `<figure class="chart-figure" id="fig-${id}"><figcaption>${e(caption)}</figcaption>${svg}<div class="chart-table">${dataTable}</div></figure>`;
}

/** A small colour square in a segment's chart colour (an SVG: the page's CSP forbids style attributes). */
const swatch = (cluster: number) => `<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" fill="${segmentFill(cluster)}"/></svg>`;

const day = (iso: string | null) => (iso === null ? null : iso.slice(0, 10));

function headline(model: RfmModel): string {
  const t = model.training;
  const revenue = model.segments.reduce((sum, s) => sum + s.revenue, 0);
  const facts: [string, string][] = [
    ['customers', formatInt(t.customers)],
    ['revenue', formatMoney(revenue)],
    ['as of', day(t.asOf) ?? 'not recorded (trained from an RFM table)'],
    ['segments', `k = ${model.params.k} (${model.params.transform} transform${model.silhouette === null ? '' : `, silhouette ${formatFixed(model.silhouette, 3)}`})`],
  ];
  if (t.rowsRead !== null) facts.push(['rows read', formatInt(t.rowsRead)]);
  if (t.rowsKept !== null) facts.push(['rows kept', formatInt(t.rowsKept)]);
  const list = `<dl class="headline">${facts.map(([k, v]) => `<div><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join('')}</dl>`;
  let cleaning: string;
  if (t.dropped === null) cleaning = '<p>The model was trained from an RFM table: no transaction rows were cleaned.</p>';
  else {
    const rows = Object.entries(t.dropped)
      .filter(([, count]) => count > 0)
      .map(([rule, count]) => [rule === 'after_as_of' ? 'after the as-of date' : (RULE_DESCRIPTIONS[rule as DropRule] ?? rule), formatInt(count)]);
    cleaning =
      rows.length === 0
        ? '<p>Cleaning dropped no rows.</p>'
        : `<p>How the data was cleaned: rows dropped per rule.</p>${table(['rule', 'rows dropped'], rows, { numeric: [1], caption: 'Rows dropped per cleaning rule' })}`;
  }
  return `<section id="headline" aria-labelledby="headline-h"><h2 id="headline-h">Headline</h2>${list}${cleaning}</section>`;
}

function segmentSection(segments: readonly ModelSegment[]): string {
  const head = ['#', 'segment', 'customers', 'share', 'recency (days, mean)', 'frequency (orders, mean)', 'monetary (mean)', 'revenue share', 'description', 'suggested action'];
  const rows = segments.map(
    (s) =>
      `<tr><td class="num">${s.cluster}</td><th scope="row">${swatch(s.cluster)} ${e(s.name)}</th>` +
      `<td class="num">${formatInt(s.size)}</td><td class="num">${formatPercent(s.share)}</td>` +
      `<td class="num">${formatOne(s.recency.mean)}</td><td class="num">${formatOne(s.frequency.mean)}</td>` +
      `<td class="num">${formatMoney(s.monetary.mean)}</td><td class="num">${formatPercent(s.revenueShare)}</td>` +
      `<td class="words">${e(s.description)}</td><td class="words">${e(s.action)}</td></tr>`,
  );
  const numeric = new Set([0, 2, 3, 4, 5, 6, 7]);
  return (
    '<section id="segments" aria-labelledby="segments-h"><h2 id="segments-h">Segments</h2>' +
    `<div class="scroll"><table class="segments"><caption>Segments with their statistics, descriptions and suggested actions</caption><thead><tr>${head
      .map((h, i) => `<th scope="col"${numeric.has(i) ? ' class="num"' : ''}>${e(h)}</th>`)
      .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`
  );
}

interface BarSpec {
  id: string;
  title: string;
  column: string;
  value: (s: ModelSegment) => number;
  format: (n: number) => string;
}

const BARS: BarSpec[] = [
  { id: 'customers', title: 'Customers per segment', column: 'customers', value: (s) => s.size, format: formatInt },
  { id: 'recency', title: 'Mean recency (days since the last purchase)', column: 'mean recency (days)', value: (s) => s.recency.mean, format: formatOne },
  { id: 'frequency', title: 'Mean frequency (orders)', column: 'mean frequency (orders)', value: (s) => s.frequency.mean, format: formatOne },
  { id: 'monetary', title: 'Mean monetary value (total spend)', column: 'mean monetary', value: (s) => s.monetary.mean, format: formatMoney },
];

function barSection(segments: readonly ModelSegment[]): string {
  const figures = BARS.map((spec) => {
    const bars: BarDatum[] = segments.map((s) => ({ label: s.name, value: spec.value(s), valueText: spec.format(spec.value(s)), fill: segmentFill(s.cluster) }));
    const svg = barChartSvg({ id: `chart-${spec.id}`, title: spec.title, bars });
    const data = table(['segment', spec.column], bars.map((b) => [b.label, b.valueText]), { numeric: [1], caption: `${spec.title}: the numbers` });
    return figure(spec.id, spec.title, svg, data);
  });
  return `<section id="charts" aria-labelledby="charts-h"><h2 id="charts-h">Segments at a glance</h2><div class="figures">${figures.join('')}</div></section>`;
}

function elbowSection(model: RfmModel, elbow: ElbowResult | undefined, missing: 'note' | 'omit'): string {
  const intro = '<h2 id="elbow-h">Choosing k: the elbow curve</h2>';
  if (elbow === undefined) {
    if (missing === 'omit') return '';
    return `<section id="elbow" aria-labelledby="elbow-h">${intro}<p class="note">Not drawn: the model does not keep the curve. Give the customers with <code>rfm report --data FILE</code> to draw it.</p></section>`;
  }
  const title = `Inertia by k (the model uses k = ${model.params.k})`;
  const svg = elbowSvg({ id: 'chart-elbow', title, points: elbow.points, chosenK: model.params.k, suggestedK: elbow.suggestedK });
  const rows = elbow.points.map((p) => [
    String(p.k),
    formatFixed(p.inertia, 2),
    p.silhouette === null ? '—' : formatFixed(p.silhouette, 4),
    [p.k === model.params.k ? 'chosen' : '', p.k === elbow.suggestedK ? 'knee' : ''].filter((x) => x).join(', '),
  ]);
  const data = table(['k', 'inertia', 'silhouette', 'note'], rows, { numeric: [0, 1, 2], caption: 'The elbow curve: the numbers' });
  const knee = elbow.suggestedK === null ? 'The curve has no clear knee.' : `The knee of the curve (Kneedle) is at k = ${elbow.suggestedK}.`;
  return `<section id="elbow" aria-labelledby="elbow-h">${intro}<p>k-means on the customers of the data for each k, with the model's transform and seed. ${e(knee)}</p>${figure('elbow', title, svg, data)}</section>`;
}

function gridSections(data: ReportInput['data'], missing: 'note' | 'omit'): string {
  const intro = '<h2 id="rf-h">Recency × frequency</h2>';
  if (data === undefined) {
    if (missing === 'omit') return '';
    return `<section id="rf" aria-labelledby="rf-h">${intro}<p class="note">Not drawn: the heat map and the R/F grid need each customer. Give them with <code>rfm report --data FILE</code>.</p></section>`;
  }
  const { grid } = data;
  const scoreNote = `Scores are quintiles of ${formatInt(grid.customers)} customers of ${data.source}${data.asOf ? ` as of ${day(data.asOf)}` : ''}: R 5 is the most recent fifth, F 5 the most frequent.`;
  const heatTitle = 'Mean monetary value by recency and frequency score';
  const heat = gridSvg({
    id: 'chart-heatmap',
    title: heatTitle,
    valueName: 'mean monetary value',
    cells: grid.cells.map((c) => ({ r: c.r, f: c.f, customers: c.customers, value: c.meanMonetary, valueText: c.meanMonetary === null ? '—' : compactMoney(c.meanMonetary) })),
  });
  const heatTable = table(
    ['R score', ...[1, 2, 3, 4, 5].map((f) => `F ${f}`)],
    [5, 4, 3, 2, 1].map((r) => [`R ${r}`, ...grid.cells.filter((c) => c.r === r).map((c) => (c.meanMonetary === null ? '—' : formatMoney(c.meanMonetary)))]),
    { numeric: [1, 2, 3, 4, 5], caption: `${heatTitle}: the numbers` },
  );
  const names = [...new Set(grid.cells.map((c) => c.segment))];
  const gridTitle = 'Customers in each R/F cell, with its segment';
  const rfGridSvg = gridSvg({
    id: 'chart-rfgrid',
    title: gridTitle,
    valueName: 'number of customers',
    cells: grid.cells.map((c) => ({ r: c.r, f: c.f, customers: c.customers, value: c.customers, valueText: formatInt(c.customers), note: c.segment, fill: segmentFill(names.indexOf(c.segment)) })),
  });
  const gridTable = table(
    ['R score', ...[1, 2, 3, 4, 5].map((f) => `F ${f}`)],
    [5, 4, 3, 2, 1].map((r) => [`R ${r}`, ...grid.cells.filter((c) => c.r === r).map((c) => `${formatInt(c.customers)} (${c.segment})`)]),
    { numeric: [], caption: `${gridTitle}: the numbers` },
  );
  return (
    `<section id="rf" aria-labelledby="rf-h">${intro}<p>${e(scoreNote)}</p><div class="figures">` +
    figure('heatmap', heatTitle, heat, heatTable) +
    figure('rfgrid', gridTitle, rfGridSvg, gridTable) +
    '</div></section>'
  );
}

/** "1,234", "12.3k": money short enough for a grid cell. */
function compactMoney(value: number): string {
  return Math.abs(value) >= 10_000 ? `${formatOne(value / 1000)}k` : formatInt(Math.round(value));
}

function extraSection(section: TableSection): string {
  const id = section.id.replace(/[^A-Za-z0-9-]/g, '-');
  return (
    `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${e(section.title)}</h2>` +
    (section.intro ? `<p>${e(section.intro)}</p>` : '') +
    table(section.head, section.rows, { numeric: section.numeric, caption: section.title }) +
    '</section>'
  );
}

/** The report's content, for the report file and the served page alike. */
export function reportSections(input: ReportInput): string {
  const { model } = input;
  return [
    headline(model),
    segmentSection(model.segments),
    barSection(model.segments),
    elbowSection(model, input.elbow, input.missing ?? 'note'),
    gridSections(input.data, input.missing ?? 'note'),
    ...(input.extra ?? []).map(extraSection),
  ].join('\n');
}

export const reportTitle = (model: RfmModel) => `Customer segments of ${model.training.source}`;

/** The page's header: title and where the model comes from. */
export function reportHeader(model: RfmModel): string {
  return (
    `<header><h1>${e(reportTitle(model))}</h1>` +
    `<p class="meta">Model created ${e(model.createdAt)} by ${e(model.tool.name)} ${e(model.tool.version)}; k-means with k = ${model.params.k}, ${e(model.params.transform)} transform, seed ${model.params.seed}.</p></header>`
  );
}

export interface DocumentParts {
  title: string;
  /** A Content-Security-Policy for a <meta> placed before anything from the data (the title included). */
  csp?: string;
  /** Markup for <head> after the charset, viewport and title (stylesheet, script, CSP). */
  head: string;
  body: string;
}

export function htmlDocument(parts: DocumentParts): string {
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    (parts.csp === undefined ? '' : `<meta http-equiv="Content-Security-Policy" content="${e(parts.csp)}">`) +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${e(parts.title)}</title>${parts.head}</head>\n<body>${parts.body}</body></html>\n`
  );
}

/**
 * The self-contained report: stylesheet inline, no script, and a CSP that forbids scripts and
 * every fetch, so that even a mistake in escaping could not run code or call out.
 */
export function reportHtml(input: ReportInput): string {
  return htmlDocument({
    title: reportTitle(input.model),
    csp: "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    head: `<style>${REPORT_CSS}</style>`,
    body: `${reportHeader(input.model)}<main>${reportSections(input)}</main>${footer(input.model)}`,
  });
}

export function footer(model: RfmModel): string {
  return `<footer><p>Made by ${e(model.tool.name)} from the model trained on ${e(model.training.source)}. Every chart is followed by a table of its numbers.</p></footer>`;
}

/** One stylesheet for the report and the page: screen, and print on A4 with no chart cut across pages. */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --line: #ccc; --accent: #332288; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; margin: 0 auto; padding: 1.5rem; max-width: 1100px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem; }
.meta, .note, footer { color: var(--muted); font-size: .9rem; }
code { font-family: ui-monospace, monospace; font-size: .9em; }
dl.headline { display: flex; flex-wrap: wrap; gap: .5rem 2rem; margin: .5rem 0 1rem; }
dl.headline div { min-width: 8rem; }
dl.headline dt { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
dl.headline dd { margin: 0; font-size: 1.3rem; font-weight: 600; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .85rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; color: var(--muted); }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.scroll { overflow-x: auto; }
table.segments td.words { min-width: 10rem; }
table.segments { width: 100%; }
table.segments th[scope="row"] { white-space: nowrap; }
.swatch { vertical-align: -1px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 1rem 2rem; }
figure.chart-figure { margin: 0 0 1rem; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
svg.chart { display: block; width: 100%; max-width: 640px; height: auto; }
.chart-table table { font-size: .8rem; }
form.lookup { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; margin: .5rem 0 1rem; }
form.lookup label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
form.lookup input { font: inherit; padding: .3rem .4rem; width: 9rem; border: 1px solid #888; border-radius: 3px; }
form.lookup button { font: inherit; padding: .35rem 1rem; background: var(--accent); color: #fff; border: 0; border-radius: 3px; cursor: pointer; }
.answer { font-size: 1.1rem; min-height: 1.5em; }
.answer.error { color: #a00; }
tr.assigned { background: #eef; font-weight: 600; }
[hidden] { display: none !important; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  .figures { display: block; }
  figure.chart-figure, dl.headline, tr { break-inside: avoid; }
  svg.chart { max-width: 150mm; }
  thead { display: table-header-group; }
  .scroll { overflow: visible; }
  table.segments { font-size: 7.5pt; }
  table.segments td.words { min-width: 0; }
  th, td { padding: .2rem .3rem; }
  form.lookup, #lookup { display: none; }
}
`;
