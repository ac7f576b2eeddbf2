/**
 * The web page of `rfm serve` at GET /: the report's sections (render/report.ts) for the served
 * model, and a form that asks POST /segment about one customer and shows the answer with the
 * customer's place among the segments' centroids.
 *
 * No build step: the page's behaviour is the plain script assets/page.js, served as a file from
 * this server (never inline), with the report's stylesheet at /assets/rfm.css. The page is sent
 * with a Content-Security-Policy that allows only this server's own script, stylesheet and API, so
 * even a segment name that got past escaping could not run code or send data elsewhere.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { RfmModel } from '../core/model.js';
import { formatInt, formatMoney, formatOne } from '../render/numbers.js';
import { footer, htmlDocument, REPORT_CSS, reportHeader, reportSections, reportTitle } from '../render/report.js';
import { clvSection } from '../render/report-extras.js';
import type { TableSection } from '../render/report.js';
import { centroidMapSvg, escapeMarkup as e, segmentFill } from '../render/svg.js';

/** Only this origin's script, stylesheet, images and API; no inline script or style, no frames, no form posts elsewhere. */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const PAGE_SCRIPT_PATH = '/assets/page.js';
export const PAGE_STYLE_PATH = '/assets/rfm.css';

/** assets/ at the package root: beside dist/ when installed, beside src/ in the repository. */
const SCRIPT_FILE = new URL('../../assets/page.js', import.meta.url);

const swatch = (cluster: number) => `<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" fill="${segmentFill(cluster)}"/></svg>`;

/** The lookup form, its answer, the centroid map and the table of centroids with a row for the customer. */
function lookupSection(model: RfmModel): string {
  const field = (name: string, label: string, min: number, value: number) =>
    `<label>${label}<input type="number" name="${name}" id="in-${name}" required min="${min}" step="any" value="${value}"></label>`;
  const map = centroidMapSvg({
    id: 'chart-centroids',
    title: 'Segment centroids by recency and monetary value',
    segments: model.segments.map((s) => ({ cluster: s.cluster, name: s.name, size: s.size, recency: s.centroid.recency, monetary: s.centroid.monetary })),
  });
  const rows = model.segments.map(
    (s) =>
      `<tr data-cluster="${s.cluster}"><th scope="row">${swatch(s.cluster)} ${e(s.name)}</th><td class="num">${formatOne(s.centroid.recency)}</td>` +
      `<td class="num">${formatOne(s.centroid.frequency)}</td><td class="num">${formatMoney(s.centroid.monetary)}</td><td class="num">${formatInt(s.size)}</td></tr>`,
  );
  const table =
    '<table id="centroid-table"><caption>Segment centroids (in days, orders and money), and the customer looked up</caption>' +
    '<thead><tr><th scope="col">segment</th><th scope="col" class="num">recency</th><th scope="col" class="num">frequency</th><th scope="col" class="num">monetary</th><th scope="col" class="num">customers</th></tr></thead>' +
    `<tbody><tr id="you-row" class="assigned" hidden><th scope="row">this customer</th><td class="num" data-field="recency"></td><td class="num" data-field="frequency"></td><td class="num" data-field="monetary"></td><td class="num"></td></tr>${rows.join('')}</tbody></table>`;
  return (
    '<section id="lookup" aria-labelledby="lookup-h"><h2 id="lookup-h">Which segment is a customer in?</h2>' +
    '<form class="lookup" id="lookup-form" action="/segment" method="post">' +
    field('recency', 'recency (days since the last purchase)', 0, 30) +
    field('frequency', 'frequency (orders)', 1, 3) +
    field('monetary', 'monetary (total spend)', 0, 500) +
    '<button type="submit">Find the segment</button></form>' +
    '<p class="answer" id="answer" role="status" aria-live="polite"></p><p id="answer-detail"></p>' +
    `<figure class="chart-figure" id="fig-centroids"><figcaption>Segment centroids by recency and monetary value (dot size: customers)</figcaption>${map}<div class="chart-table">${table}</div></figure>` +
    '</section>'
  );
}

/** With a clv section: a form that asks POST /clv about one customer's BTYD values (in the model's period). */
function clvLookupSection(model: RfmModel): string {
  const clv = model.clv;
  if (clv === undefined) return '';
  const unit = `${clv.period}s`;
  const field = (name: string, label: string, value: number) =>
    `<label>${label}<input type="number" name="${name}" id="clv-${name}" required min="0" step="any" value="${value}"></label>`;
  return (
    '<section id="clv-lookup" aria-labelledby="clv-lookup-h"><h2 id="clv-lookup-h">What is a customer worth?</h2>' +
    `<p>BG/NBD and Gamma-Gamma as fitted to ${e(clv.calibrationEnd)}; times in ${unit}; CLV over ${clv.horizonMonths} months (of 30 days).</p>` +
    '<form class="lookup" id="clv-form" action="/clv" method="post">' +
    field('frequency', 'frequency (repeat purchase days)', 2) +
    field('recency', `recency (${unit} from the first to the last purchase)`, 30.43) +
    field('T', `T (${unit} from the first purchase to the calibration end)`, 38.86) +
    field('monetary_value', 'monetary value (mean spend per repeat purchase)', 22.35) +
    '<button type="submit">Predict</button></form>' +
    '<p class="answer" id="clv-answer" role="status" aria-live="polite"></p>' +
    '</section>'
  );
}

export function pageHtml(model: RfmModel): string {
  return htmlDocument({
    title: reportTitle(model),
    head: `<link rel="icon" href="data:,"><link rel="stylesheet" href="${PAGE_STYLE_PATH}"><script src="${PAGE_SCRIPT_PATH}" defer></script>`,
    body: `${reportHeader(model)}<main>${lookupSection(model)}${clvLookupSection(model)}${reportSections({ model, missing: 'omit', extra: clvExtra(model) })}</main>${footer(model)}`,
  });
}

function clvExtra(model: RfmModel): TableSection[] {
  const section = clvSection(model);
  return section === undefined ? [] : [section];
}

/** Headers every answer of the page and its files carries. */
const COMMON = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache' };

/** GET / (the page), GET /assets/page.js and GET /assets/rfm.css, made once from the model. */
export async function registerPage(app: FastifyInstance, model: RfmModel): Promise<void> {
  const html = pageHtml(model);
  const script = await readFile(SCRIPT_FILE, 'utf8');
  const hidden = { schema: { hide: true } };
  app.get('/', hidden, (_request, reply) => {
    void reply.headers({ ...COMMON, 'content-security-policy': PAGE_CSP }).type('text/html; charset=utf-8').send(html);
  });
  app.get(PAGE_SCRIPT_PATH, hidden, (_request, reply) => {
    void reply.headers(COMMON).type('text/javascript; charset=utf-8').send(script);
  });
  app.get(PAGE_STYLE_PATH, hidden, (_request, reply) => {
    void reply.headers(COMMON).type('text/css; charset=utf-8').send(REPORT_CSS);
  });
}
