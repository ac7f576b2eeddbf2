/**
 * The page of `rfm serve` in Chromium: it works under its own CSP (no violation), talks only to
 * its server, the form round-trips through POST /segment for the four reference
 * customers and places the customer among the centroids; a hostile model's strings stay text,
 * in the page and in the answer. The screenshot goes to docs/screenshots/page.png.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../cli/helpers.js';
import { killChildren, serve, type Served } from '../server/spawn.js';
import { chartAccessibility, HAVE_CHROMIUM, launch, screenshotPath, watch } from './browser.js';

let browser: Browser;

async function lookUp(page: Page, values: [number, number, number]): Promise<{ answer: string; cluster: string | null; marker: string | null; row: string | null }> {
  await page.evaluate(() => document.getElementById('answer')!.removeAttribute('data-cluster'));
  await page.fill('#in-recency', String(values[0]));
  await page.fill('#in-frequency', String(values[1]));
  await page.fill('#in-monetary', String(values[2]));
  const answered = page.waitForResponse((response) => response.url().endsWith('/segment'));
  await page.click('button[type="submit"]');
  await answered;
  await page.waitForSelector('#answer[data-cluster]');
  return page.evaluate(() => ({
    answer: document.getElementById('answer')!.textContent!,
    cluster: document.getElementById('answer')!.getAttribute('data-cluster'),
    marker: document.querySelector('#chart-centroids .you')!.getAttribute('visibility'),
    row: document.querySelector('#centroid-table tr.assigned[data-cluster]')?.getAttribute('data-cluster') ?? null,
  }));
}

describe.skipIf(!HAVE_CHROMIUM)('the rfm serve page in Chromium (skipped: no Chromium at /usr/bin/chromium or $RFM_CHROMIUM)', () => {
  let sample: Served;
  let hostile: Served;

  beforeAll(async () => {
    [sample, hostile, browser] = await Promise.all([serve(fixture('models', 'sample-model.json')), serve(fixture('models', 'hostile-model.json')), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    killChildren();
  });

  it('works under its CSP, asks only its own server, and answers the form for the four reference customers', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const watched = await watch(page);
    const response = await page.goto(`${sample.base}/`);
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    // The reference customers (recency, frequency, monetary) and the segments they belong in.
    const cases: [[number, number, number], string, string][] = [
      [[5, 15, 25000], 'Loyal High-Value', '0'],
      [[60, 3, 3000], 'Occasional Buyers', '2'],
      [[250, 1, 400], 'Churn Risk', '3'],
      [[15, 2, 800], 'Potential Loyalists', '1'],
    ];
    for (const [values, name, cluster] of cases) {
      const seen = await lookUp(page, values);
      expect(seen).toEqual({ answer: `Segment: ${name} (cluster ${cluster})`, cluster, marker: 'visible', row: cluster });
    }
    expect(await page.textContent('#answer-detail')).toContain('— suggested action: ');
    expect(await page.$$eval('#you-row td[data-field]', (cells) => cells.map((c) => c.textContent))).toEqual(['15', '2', '800']);
    const origin = new URL(sample.base).origin;
    const elsewhere = watched.requests.filter((url) => new URL(url).origin !== origin && !url.startsWith('data:'));
    expect(elsewhere).toEqual([]);
    expect(watched.requests).toContain(`${origin}/assets/page.js`);
    expect(watched.requests).toContain(`${origin}/assets/rfm.css`);
    expect(watched.requests.filter((url) => url === `${origin}/segment`)).toHaveLength(4);
    expect([watched.violations, watched.errors, watched.dialogs]).toEqual([[], [], []]);
    // Styled by its stylesheet (which the CSP would have blocked inline).
    expect(await page.$eval('h2', (h) => getComputedStyle(h).borderBottomStyle)).toBe('solid');
    await page.screenshot({ path: screenshotPath('page.png'), fullPage: false });
    await page.close();
  });

  it('with a clv section, the lifetime-value form asks POST /clv and shows its answer (the scipy oracle customer)', async () => {
    const clvServed = await serve(fixture('models', 'sample-model-clv.json'));
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const watched = await watch(page);
    await page.goto(`${clvServed.base}/`);
    expect(await page.$('#clv-section, section#clv')).not.toBeNull();
    // Fader, Hardie & Lee's example customer: x = 2, t_x = 30.43, T = 38.86 (weeks).
    await page.fill('#clv-frequency', '2');
    await page.fill('#clv-recency', '30.43');
    await page.fill('#clv-T', '38.86');
    await page.fill('#clv-monetary_value', '22.35');
    const answered = page.waitForResponse((response) => response.url().endsWith('/clv'));
    await page.click('#clv-form button[type="submit"]');
    const response = await answered;
    const body = (await response.json()) as { p_alive: number; expected_purchases: number; expected_spend: number; clv: number };
    await page.waitForSelector('#clv-answer[data-clv]');
    const text = await page.textContent('#clv-answer');
    expect(text).toBe(`P(alive) ${body.p_alive.toFixed(3)} · expected purchases ${body.expected_purchases.toFixed(3)} · expected spend ${body.expected_spend.toFixed(2)} · CLV ${body.clv.toFixed(2)}`);
    // The published BG/NBD parameters give this customer P(alive) 0.727 (lifetimes and the oracle).
    expect(body.p_alive).toBeCloseTo(0.7266, 3);
    expect([watched.violations, watched.errors, watched.dialogs]).toEqual([[], [], []]);
    await page.close();
  });

  it('gives every chart a title, a description and a table', async () => {
    const page = await browser.newPage();
    await page.goto(`${sample.base}/`);
    const charts = await chartAccessibility(page);
    expect(charts.map((c) => c.id)).toEqual(['chart-centroids', 'chart-customers', 'chart-recency', 'chart-frequency', 'chart-monetary']);
    for (const c of charts) {
      expect([c.role, c.titleIsChild]).toEqual(['img', true]);
      expect(c.title.length).toBeGreaterThan(10);
      expect(c.desc.length).toBeGreaterThan(10);
      expect(c.tableRows).toBeGreaterThanOrEqual(4);
    }
    await page.close();
  });

  it('keeps a hostile model\'s strings as text in the page and in the answer; nothing of theirs runs', async () => {
    const model = JSON.parse(readFileSync(fixture('models', 'hostile-model.json'), 'utf8'));
    const page = await browser.newPage();
    const watched = await watch(page);
    await page.goto(`${hostile.base}/`);
    const seen = await lookUp(page, [5, 15, 25000]);
    expect(seen.answer).toBe(`Segment: ${model.segments[0].name} (cluster 0)`);
    const dom = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
      injected: document.querySelectorAll('img, b, [onerror], [onload]').length,
      h1: document.querySelector('h1')!.textContent,
      names: [...document.querySelectorAll('#centroid-table tr[data-cluster] th')].map((th) => th.textContent!.trim()),
    }));
    expect(dom).toEqual({
      pwned: undefined,
      scripts: ['/assets/page.js'],
      injected: 0,
      h1: `Customer segments of ${model.training.source}`,
      names: model.segments.map((s: { name: string }) => s.name),
    });
    expect([watched.dialogs, watched.errors, watched.violations]).toEqual([[], [], []]);
    await page.close();
  });
});
