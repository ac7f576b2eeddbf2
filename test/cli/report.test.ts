/**
 * rfm report, run as the built binary: the HTML file for the sample model (size, headline, no
 * network), --data adding the elbow and the grids with numbers worked out independently, bad -o
 * extensions, the PDF error without Chromium, nothing half-written.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');
const SAMPLE = fixture('online_retail_sample.csv');
const tmp = tempDir('rfm-report-');
afterAll(() => tmp.cleanup());

describe('rfm report', () => {
  it('writes one self-contained HTML file for the sample model, far under 500 KB', async () => {
    const out = tmp.path('model-only.html');
    const r = await runRfm(['report', '-m', MODEL, '-o', out, '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(statSync(out).size).toBeLessThan(500 * 1024);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<dt>customers</dt><dd>4,339</dd>');
    expect(html).toContain('<td>no customer id</td><td class="num">10,968</td>');
    expect(html).not.toMatch(/<script|\s(src|href)=|url\(/i);
    expect(tmp.files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('with --data adds the elbow curve with the chosen k and the R/F grid of the sample', async () => {
    const out = tmp.path('with-data.html');
    const r = await runRfm(['report', '-m', MODEL, '--data', SAMPLE, '-o', out, '-q']);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(statSync(out).size).toBeLessThan(500 * 1024);
    for (const id of ['chart-customers', 'chart-recency', 'chart-frequency', 'chart-monetary', 'chart-elbow', 'chart-heatmap', 'chart-rfgrid']) expect(html).toContain(`id="${id}"`);
    // k = 4 is the model's; its inertia on the sample is the model's own (same data, transform, seed).
    expect(html).toContain('<circle class="point chosen"');
    expect(html).toMatch(/<td class="num">4<\/td><td class="num">3,955\.47<\/td>/);
    // The R/F grid's cells add up to the sample's 4,339 customers.
    const grid = html.slice(html.indexOf('id="chart-rfgrid"'));
    const counts = [...grid.matchAll(/<title>R \d, F \d: [^<]*?\((\d+) customers\)/g)].map((m) => Number(m[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4339);
  });

  it('refuses an -o that is neither .html nor .pdf, before reading anything', async () => {
    const r = await runRfm(['report', '-m', MODEL, '-o', tmp.path('report.docx')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a report is written as .html or .pdf');
  });

  it('a PDF without Chromium is a clear error naming it, and nothing is written', async () => {
    const out = tmp.path('no-browser.pdf');
    const r = await runRfm(['report', '-m', MODEL, '-o', out], { env: { RFM_CHROMIUM: '/nonexistent/chromium' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot write ${out}: Chromium is not installed at /nonexistent/chromium`);
    expect(r.stderr).toContain('apt-get install chromium');
    expect(tmp.files().filter((f) => f.includes('no-browser'))).toEqual([]);
  });

  it('a bad model is the usual model error (exit 5)', async () => {
    const r = await runRfm(['report', '-m', fixture('online_retail_sample.csv'), '-o', tmp.path('x.html')]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/is not valid JSON/);
  });

  it('is deterministic: the same model gives the same bytes', async () => {
    const [a, b] = await Promise.all([runRfm(['report', '-m', MODEL]), runRfm(['report', '-m', MODEL])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('--data with a single customer is a data error (exit 4) naming the file', async () => {
    const one = tmp.path('one.csv');
    writeFileSync(one, 'customer_id,recency,frequency,monetary\nc1,5,2,100\n');
    const r = await runRfm(['report', '-m', MODEL, '--data', one, '-o', tmp.path('one.html'), '-q']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`only 1 customer in ${one}: the elbow curve and the grids need at least 2`);
    expect(tmp.files().filter((f) => f.startsWith('one.html') || f.includes('.one.html'))).toEqual([]);
  });

  it('writes HTML to stdout when piped', async () => {
    const r = await runRfm(['report', '-m', MODEL]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  });
});
