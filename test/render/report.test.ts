import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateModel } from '../../src/core/model.js';
import type { RfGrid } from '../../src/core/rf-grid.js';
import { scoreSegment } from '../../src/core/scores.js';
import { reportHtml } from '../../src/render/report.js';

const load = (name: string) => validateModel(JSON.parse(readFileSync(new URL(`../../fixtures/models/${name}`, import.meta.url), 'utf8')));
const SAMPLE = load('sample-model.json');
const HOSTILE = load('hostile-model.json');

/** Every string the hostile model carries that would be markup if it were not escaped. */
const RAW_PAYLOADS = ['<script>', '<img', '<svg onload', '</svg><script', '</title><script', '</table></td>', '<b>rfm</b>', '\u001b'];

/** A grid with one customer per cell and mean monetary r·10 + f (empty where r = 1, f = 5). */
const GRID: RfGrid = {
  customers: 24,
  thresholds: { recency: [1, 2, 3, 4], frequency: [1, 2, 3, 4], monetary: [1, 2, 3, 4] },
  cells: [5, 4, 3, 2, 1].flatMap((r) =>
    [1, 2, 3, 4, 5].map((f) => ({ r, f, customers: r === 1 && f === 5 ? 0 : 1, meanMonetary: r === 1 && f === 5 ? null : r * 10 + f, segment: scoreSegment(r, f) })),
  ),
};
const ELBOW = { points: [1, 2, 3, 4, 5].map((k) => ({ k, inertia: 1000 / k, silhouette: k === 1 ? null : 0.3 })), suggestedK: 3 };

describe('reportHtml', () => {
  it('shows the headline from the model: customers, revenue, as-of date and the rows each rule dropped', () => {
    const html = reportHtml({ model: SAMPLE });
    // The sample's training section: 4,339 customers, as of 2011-12-10, 10,968 + 723 + 3 rows dropped.
    expect(html).toContain('<dt>customers</dt><dd>4,339</dd>');
    expect(html).toContain('<dt>as of</dt><dd>2011-12-10</dd>');
    expect(html).toContain('<td>no customer id</td><td class="num">10,968</td>');
    expect(html).toContain('<td>cancellation (invoice C + digits)</td><td class="num">723</td>');
    expect(html).toContain('<td>price (or amount) &lt;= 0</td><td class="num">3</td>');
    // Rules that dropped nothing are not listed.
    expect(html).not.toContain('unparseable date');
    // Revenue: the sum of the four segments' revenue in the model file.
    const revenue = SAMPLE.segments.reduce((sum, s) => sum + s.revenue, 0);
    expect(html).toContain(`<dt>revenue</dt><dd>${revenue.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}</dd>`);
  });

  it('lists every segment with its description and action', () => {
    const html = reportHtml({ model: SAMPLE });
    for (const s of SAMPLE.segments) {
      expect(html).toContain(s.name);
      expect(html).toContain(`<td class="words">${s.description}</td><td class="words">${s.action}</td>`);
    }
  });

  it('is self-contained: no script, no external resource, a CSP that forbids both', () => {
    const html = reportHtml({ model: SAMPLE, data: { source: 'tx.csv', asOf: null, grid: GRID }, elbow: ELBOW });
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    // First in <head>, before the title or anything else from the data.
    expect(html).toContain('<head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">');
  });

  it('without per-customer data draws the four bar charts and says how to get the others', () => {
    const html = reportHtml({ model: SAMPLE });
    expect(html.match(/<svg xmlns[^>]*class="chart"/g)).toHaveLength(4);
    expect(html).toContain('Give the customers with <code>rfm report --data FILE</code> to draw it.');
    expect(html).not.toContain('id="chart-heatmap"');
  });

  it('with data adds the elbow, the heat map and the R/F grid; every chart comes with a title and a table', () => {
    const html = reportHtml({ model: SAMPLE, data: { source: 'tx.csv', asOf: '2011-12-10T00:00:00Z', grid: GRID }, elbow: ELBOW });
    const figures = html.match(/<figure class="chart-figure"[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(7);
    for (const figure of figures) {
      expect(figure).toMatch(/<svg [^>]*role="img"[^>]*aria-labelledby="[^"]+-title [^"]+-desc"/);
      expect(figure).toMatch(/<title id="[^"]+-title">[^<]+<\/title>/);
      expect(figure).toMatch(/<div class="chart-table"><table>/);
    }
    // The heat map's table: R 5 row, mean monetary 51.00 .. 55.00; the empty cell is a dash.
    expect(html).toContain('<tr><td>R 5</td><td class="num">51.00</td><td class="num">52.00</td><td class="num">53.00</td><td class="num">54.00</td><td class="num">55.00</td></tr>');
    expect(html).toContain('<td class="num">14.00</td><td class="num">—</td></tr>');
    expect(html).toContain('<td class="num">3</td><td class="num">333.33</td><td class="num">0.3000</td><td>knee</td>');
    expect(html).toContain('<td class="num">4</td><td class="num">250.00</td><td class="num">0.3000</td><td>chosen</td>');
  });

  it('adds optional table sections (CLV, migration) escaped', () => {
    const html = reportHtml({ model: SAMPLE, extra: [{ id: 'clv', title: 'CLV <by> segment', head: ['segment', 'clv'], rows: [['<i>x</i>', 12]], numeric: [1] }] });
    expect(html).toContain('<h2 id="clv-h">CLV &lt;by&gt; segment</h2>');
    expect(html).toContain('<td>&lt;i&gt;x&lt;/i&gt;</td><td class="num">12</td>');
  });

  it('renders a hostile model (names, descriptions, actions, source, tool) as text only', () => {
    const html = reportHtml({ model: HOSTILE, data: { source: HOSTILE.training.source, asOf: null, grid: GRID }, elbow: ELBOW });
    for (const payload of RAW_PAYLOADS) expect(html).not.toContain(payload);
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
    expect(html).toContain('\\x1b[31m red');
    // The document structure is intact: one of each closing tag that a payload tries to close early.
    expect(html.match(/<\/title>/g)!.length).toBe(html.match(/<title[ >]/g)!.length);
    expect(html.match(/<\/svg>/g)!.length).toBe(html.match(/<svg[ >]/g)!.length);
    expect(html.match(/<\/table>/g)!.length).toBe(html.match(/<table[ >]/g)!.length);
  });
});
