/**
 * The report's optional sections: the migration matrix (`--diff-from`) is the one `rfm diff`
 * prints for the same dates, cell by cell, and lifetime value per segment is the model's clv
 * section. Run on the built binary.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from './helpers.js';

const MODEL = fixture('models', 'sample-model.json');
const CLV_MODEL = fixture('models', 'sample-model-clv.json');
const SAMPLE = fixture('online_retail_sample.csv');
const tmp = tempDir('rfm-report-extras-');
afterAll(() => tmp.cleanup());

/** The cells of the table in section `id`, row by row, as text. */
function sectionRows(html: string, id: string): string[][] {
  const start = html.indexOf(`<section id="${id}"`);
  expect(start, `no section ${id}`).toBeGreaterThanOrEqual(0);
  const section = html.slice(start, html.indexOf('</section>', start));
  return [...section.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) => [...row[1].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((cell) => cell[1].replace(/<[^>]+>/g, '').trim()));
}

const int = (text: string) => Number(text.replace(/,/g, ''));

describe('rfm report --diff-from', () => {
  it('shows the migration matrix rfm diff gives from that date to the data as-of (the model one)', async () => {
    const out = tmp.path('diff.html');
    const r = await runRfm(['report', '-m', MODEL, '--data', SAMPLE, '--diff-from', '2011-06-30', '-o', out, '-q']);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    const asOf = JSON.parse(readFileSync(MODEL, 'utf8')).training.asOf as string;
    expect(html).toContain(`Movement between segments, 2011-06-30 to ${asOf}`);
    const rows = sectionRows(html, 'migration');
    const diff = await runRfm(['diff', SAMPLE, '-m', MODEL, '--from', '2011-06-30', '--to', asOf, '--format', 'json', '-q']);
    expect(diff.code).toBe(0);
    const m = JSON.parse(diff.stdout) as { matrix: { from: string | null; to: string | null; customers: number }[]; totals: { customers: number } };
    const head = rows[0];
    expect(head[0]).toBe('from \\ to');
    let checked = 0;
    for (const row of rows.slice(1, -1)) {
      const from = row[0] === '(new)' ? null : row[0];
      for (let c = 1; c < head.length - 2; c++) {
        const cell = m.matrix.find((x) => x.from === from && x.to === head[c]);
        expect(cell, `${row[0]} → ${head[c]}`).toBeDefined();
        expect(int(row[c]), `${row[0]} → ${head[c]}`).toBe(cell!.customers);
        checked++;
      }
    }
    expect(checked).toBe(5 * 4); // four segments and (new), to four segments
    // The column totals are the segments at the model's own as-of: its sizes.
    const sizes = (JSON.parse(readFileSync(MODEL, 'utf8')).segments as { size: number }[]).map((s) => s.size);
    expect(rows[rows.length - 1].slice(1, 5).map(int)).toEqual(sizes);
    expect(int(rows[rows.length - 1][5])).toBe(m.totals.customers);
  });

  it('needs the log as --data, and a date before its as-of (usage errors, nothing written)', async () => {
    const out = tmp.path('none.html');
    const noData = await runRfm(['report', '-m', MODEL, '--diff-from', '2011-06-30', '-o', out]);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toContain('rfm: error: --diff-from needs the transaction log as --data; e.g. rfm report --data tx.csv --diff-from 2011-06-30 -o report.html');
    const late = await runRfm(['report', '-m', MODEL, '--data', SAMPLE, '--diff-from', '2012-01-01', '-o', out]);
    expect(late.code).toBe(2);
    expect(late.stderr).toContain('rfm: error: --diff-from 2012-01-01 must be before the data\'s as-of (2011-12-10T12:45:00Z); give an earlier --diff-from');
    const bad = await runRfm(['report', '-m', MODEL, '--data', SAMPLE, '--diff-from', 'June', '-o', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('rfm: error: --diff-from "June" is not a date');
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });
});

describe('rfm report of a model with lifetime value', () => {
  it('has a section with each segment\'s P(alive), expected purchases, spend and CLV from the model', async () => {
    const out = tmp.path('clv.html');
    const r = await runRfm(['report', '-m', CLV_MODEL, '-o', out, '-q']);
    expect(r.code).toBe(0);
    const model = JSON.parse(readFileSync(CLV_MODEL, 'utf8'));
    const rows = sectionRows(readFileSync(out, 'utf8'), 'clv');
    expect(rows[0]).toEqual(['segment', 'customers', 'P(alive)', 'expected purchases', 'expected spend', 'CLV (mean)', 'CLV (total)']);
    expect(rows).toHaveLength(1 + model.segments.length);
    for (const s of model.clv.segments) {
      const row = rows[1 + s.cluster];
      expect(row[0]).toBe(model.segments[s.cluster].name);
      expect(int(row[1])).toBe(s.customers);
      expect(Number(row[2])).toBeCloseTo(s.pAlive, 2);
      expect(Number(row[3])).toBeCloseTo(s.expectedPurchases, 2);
      expect(int(row[5])).toBeCloseTo(s.clv, 2);
    }
  });

  it('a model without it has no such section', async () => {
    const out = tmp.path('plain.html');
    expect((await runRfm(['report', '-m', MODEL, '-o', out, '-q'])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toContain('<section id="clv"');
  });
});
