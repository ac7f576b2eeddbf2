/**
 * rfm fit --clv on the CDNOW sample log: the stored BG/NBD, Pareto/NBD and Gamma-Gamma parameters
 * are the published ones (Fader, Hardie & Lee 2005; ../shared/data/README.md), computed from the
 * same read as the segments.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, runRfm, tempDir } from './helpers.js';

const tmp = tempDir('rfm-fit-clv-');
afterAll(() => tmp.cleanup());
const SAMPLE = fixture('cdnow', 'CDNOW_sample.txt');
// Headerless: master id, sample id, date, CDs, dollars; $0 rows count as purchases in the literature.
const READ = ['--no-header', '--columns', '_,customer_id,date,_,amount', '--keep-nonpositive-price'];

describe('rfm fit --clv', () => {
  it('counts a $0 line as a purchase for lifetime value while the RFM drops it, as rfm clv does', async () => {
    // The sample has 8 lines of $0 (awk '$5 == 0'): without --keep-nonpositive-price the segments
    // drop them (and count them), the BTYD summary keeps them, so the published fits still follow.
    const path = tmp.path('cdnow-default.json');
    const r = await runRfm(['fit', SAMPLE, '--no-header', '--columns', '_,customer_id,date,_,amount', '--as-of', '1997-10-01', '--clv', '-m', path]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('clv: 2357 customers, weeks, calibration end 1997-09-30; BG/NBD r 0.243 α 4.414 a 0.793 b 2.426; Gamma-Gamma p 6.250 q 3.744 γ 15.444');
    const model = JSON.parse(readFileSync(path, 'utf8'));
    expect(model.training.dropped.nonpositive_price).toBe(8);
    expect(model.clv.gammaGamma.customers).toBe(946);
  });

  // --clv with --engine duckdb: the same model file, byte for byte (test/engine/duckdb-clv.test.ts).

  it('stores the published CDNOW fits (weeks, calibration to 1997-09-30) and per-segment figures', async () => {
    const path = tmp.path('cdnow.json');
    const r = await runRfm(['fit', SAMPLE, ...READ, '--as-of', '1997-10-01', '--clv', '-m', path, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('clv: 2357 customers, weeks, calibration end 1997-09-30; BG/NBD r 0.243 α 4.414 a 0.793 b 2.426; Gamma-Gamma p 6.250 q 3.744 γ 15.444');
    const model = JSON.parse(readFileSync(path, 'utf8'));
    expect(model.version).toBe(2);
    const { clv } = model;
    expect(clv).toMatchObject({ period: 'week', calibrationEnd: '1997-09-30', horizonMonths: 12, monthlyDiscount: 0.01, purchaseModel: 'bgnbd' });
    expect(clv.bgnbd.r).toBeCloseTo(0.243, 3);
    expect(clv.bgnbd.alpha).toBeCloseTo(4.414, 3);
    expect(clv.bgnbd.a).toBeCloseTo(0.793, 3);
    expect(clv.bgnbd.b).toBeCloseTo(2.426, 3);
    expect(Math.abs(clv.bgnbd.logLikelihood - -9582.4)).toBeLessThan(0.05);
    expect(clv.paretoNbd.r / 0.5534).toBeCloseTo(1, 2);
    expect(clv.paretoNbd.alpha / 10.5802).toBeCloseTo(1, 2);
    expect(clv.paretoNbd.s / 0.6061).toBeCloseTo(1, 2);
    expect(clv.paretoNbd.beta / 11.6562).toBeCloseTo(1, 2);
    expect(Math.abs(clv.gammaGamma.p - 6.25)).toBeLessThan(0.01);
    expect(Math.abs(clv.gammaGamma.q - 3.74)).toBeLessThan(0.01);
    expect(Math.abs(clv.gammaGamma.gamma - 15.44)).toBeLessThan(0.01);
    expect(clv.gammaGamma.customers).toBe(946);
    // Every customer of the summary is in exactly one segment, as many as the segments hold.
    expect(clv.segments.map((s: { customers: number }) => s.customers)).toEqual(model.segments.map((s: { size: number }) => s.size));
    expect(clv.segments.reduce((sum: number, s: { customers: number }) => sum + s.customers, 0)).toBe(2357);
    // The model reads back (validation accepts what fit writes).
    const summary = await runRfm(['summary', '-m', path, '--format', 'json']);
    expect(summary.code).toBe(0);
  });

  it('--horizon, --discount and --period without --clv are usage errors', async () => {
    const r = await runRfm(['fit', SAMPLE, ...READ, '--horizon', '6', '-m', tmp.path('x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rfm: error: --horizon is for the lifetime-value models; add --clv\n');
  });

  it('--discount must be a monthly rate', async () => {
    const r = await runRfm(['fit', SAMPLE, ...READ, '--clv', '--discount', '10%', '-m', tmp.path('x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rfm: error: --discount "10%" must be a monthly rate from 0 to below 1; e.g. --discount 0.01 for 1 % a month\n');
  });

  it('an RFM table cannot give the BTYD summary', async () => {
    const table = tmp.path('table.csv');
    const rows = Array.from({ length: 12 }, (_, i) => `c${i},${i * 10},${1 + (i % 4)},${100 + i * 7}`);
    writeFileSync(table, ['customer_id,recency,frequency,monetary', ...rows, ''].join('\n'));
    const path = tmp.path('t.json');
    const r = await runRfm(['fit', table, '--clv', '-m', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rfm: error: --clv needs the transaction log: an RFM table has no purchase days; give the log to rfm fit --clv\n');
  });
});
