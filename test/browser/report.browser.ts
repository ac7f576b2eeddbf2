/**
 * `rfm report` in Chromium: the sample report (with --data) renders with every chart titled and
 * tabled, fetches nothing, fits an A4 page in print; its screenshot goes to docs/screenshots/; the
 * PDF is printed; a hostile model's strings are text and nothing of theirs runs.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from '../cli/helpers.js';
import { chartAccessibility, HAVE_CHROMIUM, launch, screenshotPath, watch } from './browser.js';

const tmp = tempDir('rfm-report-browser-');
let browser: Browser;

describe.skipIf(!HAVE_CHROMIUM)('rfm report in Chromium (skipped: no Chromium at /usr/bin/chromium or $RFM_CHROMIUM)', () => {
  const sample = tmp.path('sample.html');
  const hostile = tmp.path('hostile.html');

  beforeAll(async () => {
    const made = await Promise.all([
      runRfm(['report', '-m', fixture('models', 'sample-model.json'), '--data', fixture('online_retail_sample.csv'), '-o', sample, '-q']),
      runRfm(['report', '-m', fixture('models', 'hostile-model.json'), '--data', fixture('online_retail_sample.csv'), '-o', hostile, '-q']),
    ]);
    for (const r of made) if (r.code !== 0) throw new Error(`rfm report failed: ${r.stderr}`);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    tmp.cleanup();
  });

  it('renders the sample report: every chart has a title, a description and a table; nothing is fetched', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const watched = await watch(page);
    const url = pathToFileURL(sample).href;
    await page.goto(url);
    const charts = await chartAccessibility(page);
    expect(charts.map((c) => c.id)).toEqual(['chart-customers', 'chart-recency', 'chart-frequency', 'chart-monetary', 'chart-elbow', 'chart-heatmap', 'chart-rfgrid']);
    for (const c of charts) {
      expect(c.role).toBe('img');
      expect(c.titleIsChild).toBe(true);
      expect(c.title.length).toBeGreaterThan(10);
      expect(c.desc.length).toBeGreaterThan(10);
      expect(c.tableRows).toBeGreaterThanOrEqual(4);
    }
    expect(await page.textContent('h1')).toBe('Customer segments of fixtures/online_retail_sample.csv');
    // The only request is the file itself.
    expect(watched.requests).toEqual([url]);
    expect([watched.errors, watched.dialogs, watched.violations]).toEqual([[], [], []]);
    await page.screenshot({ path: screenshotPath('report.png'), fullPage: true });
    await page.close();
  });

  it('prints on A4: no chart or table wider than the printable width, none split across pages', async () => {
    // A4 is 210 mm wide; less 2 × 12 mm margins, 186 mm = 703 CSS px.
    const page = await browser.newPage({ viewport: { width: 703, height: 1000 } });
    await page.goto(pathToFileURL(sample).href);
    await page.emulateMedia({ media: 'print' });
    const layout = await page.evaluate(() => ({
      width: document.documentElement.clientWidth,
      charts: [...document.querySelectorAll('svg.chart')].map((svg) => svg.getBoundingClientRect().right),
      tables: [...document.querySelectorAll('table')].map((table) => table.getBoundingClientRect().right),
      figures: [...document.querySelectorAll('figure.chart-figure')].map((f) => getComputedStyle(f).breakInside),
    }));
    for (const right of [...layout.charts, ...layout.tables]) expect(right).toBeLessThanOrEqual(layout.width);
    expect(layout.tables.length).toBeGreaterThanOrEqual(9);
    expect(new Set(layout.figures)).toEqual(new Set(['avoid']));
    await page.close();
  });

  it('-o report.pdf prints the same page to a PDF through Chromium', async () => {
    const out = tmp.path('sample.pdf');
    const r = await runRfm(['report', '-m', fixture('models', 'sample-model.json'), '-o', out, '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // A4 pages: 210 × 297 mm = 595.28 × 841.89 points (Chromium writes whole points).
    const text = pdf.toString('latin1');
    const boxes = [...text.matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(boxes.length).toBeGreaterThanOrEqual(2);
    for (const [width, height] of boxes) {
      expect(Math.abs(width - 595.28)).toBeLessThan(1);
      expect(Math.abs(height - 841.89)).toBeLessThan(1);
    }
    expect(tmp.files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('shows a hostile model\'s strings as text: no element of theirs, no script run, no dialog', async () => {
    const model = JSON.parse(readFileSync(fixture('models', 'hostile-model.json'), 'utf8'));
    const page = await browser.newPage();
    const watched = await watch(page);
    await page.goto(pathToFileURL(hostile).href);
    const seen = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      elements: document.querySelectorAll('script, img, b, svg svg[onload], [onerror], [onload]').length,
      title: document.title,
      h1: document.querySelector('h1')!.textContent,
      names: [...document.querySelectorAll('table.segments th[scope="row"]')].map((th) => th.textContent!.trim()),
      bars: [...document.querySelectorAll('#chart-customers g.bar > title')].map((t) => t.textContent),
    }));
    expect(seen.pwned).toBeUndefined();
    expect(seen.elements).toBe(0);
    expect(seen.title).toBe(`Customer segments of ${model.training.source}`);
    expect(seen.h1).toBe(`Customer segments of ${model.training.source}`);
    expect(seen.names).toEqual(model.segments.map((s: { name: string }) => s.name));
    expect(seen.bars.map((t) => t!.replace(/: [\d,]+$/, ''))).toEqual(model.segments.map((s: { name: string }) => s.name));
    expect([watched.dialogs, watched.errors]).toEqual([[], []]);
    await page.close();
  });
});
