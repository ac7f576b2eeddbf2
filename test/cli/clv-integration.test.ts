/**
 * The lifetime-value figures in rfm summary and rfm segment --explain, with the sample model plus a
 * clv section holding the published CDNOW parameters (fixtures/models/sample-model-clv.json):
 * summary shows the stored per-segment figures; --explain computes one customer's as the scipy
 * oracle does (fixtures/cdnow/btyd-oracle.json).
 */
import { describe, expect, it } from 'vitest';
import { oracle } from '../core/clv/cdnow.js';
import { fixture, parseCsv, runRfm } from './helpers.js';

const MODEL = fixture('models', 'sample-model-clv.json');
const PLAIN = fixture('models', 'sample-model.json');

describe('rfm summary with a clv section', () => {
  it('JSON carries the per-segment figures with their names and units', async () => {
    const r = await runRfm(['summary', '-m', MODEL, '--format', 'json']);
    expect(r.code).toBe(0);
    const { clv } = JSON.parse(r.stdout);
    expect(clv).toMatchObject({ period: 'week', calibrationEnd: '2011-12-09', horizonMonths: 12, monthlyDiscount: 0.01, purchaseModel: 'bgnbd' });
    expect(clv.segments[0]).toEqual({ cluster: 0, name: 'Loyal High-Value', customers: 800, pAlive: 0.95, expectedPurchases: 10.5, expectedSpend: 550, clv: 6500, clvTotal: 5200000 });
  });

  it('the table shows P(alive), expected purchases and CLV per segment, saying the basis', async () => {
    const r = await runRfm(['summary', '-m', MODEL, '--format', 'table', '--no-charts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('expected lifetime value (BG/NBD + Gamma-Gamma, 12 months at 1 % a month, time in weeks, calibrated to 2011-12-09)');
    expect(r.stdout).toMatch(/│ Loyal High-Value +│ +800 │ +95\.0% │ +10\.50 │ +550\.00 │ +6,500\.00 │ +5,200,000\.00 │/);
    expect(r.stdout).toMatch(/│ Churn Risk +│ +1,439 │ +50\.0% │ +1\.25 │ +380\.00 │ +500\.00 │ +719,500\.00 │/);
  });

  it('CSV adds the columns after the segment columns; a model without the section has none of them', async () => {
    const { header, rows } = parseCsv((await runRfm(['summary', '-m', MODEL, '--format', 'csv'])).stdout);
    expect(header.slice(-5)).toEqual(['p_alive_mean', 'expected_purchases_mean', 'expected_spend_mean', 'clv_mean', 'clv_total']);
    expect(rows[1].slice(-5)).toEqual(['0.9', '4.25', '350', '1500', '1350000']);
    const plain = parseCsv((await runRfm(['summary', '-m', PLAIN, '--format', 'csv'])).stdout);
    expect(plain.header).not.toContain('clv_mean');
    expect(JSON.parse((await runRfm(['summary', '-m', PLAIN, '--format', 'json'])).stdout).clv).toBeUndefined();
  });
});

describe('rfm segment --explain with the BTYD fields', () => {
  const c = oracle.formulas.customers[1]; // x 2, t_x 30.43, T 38.86, m 22.345
  const btyd = ['--btyd-frequency', String(c.x), '--btyd-recency', String(c.tx), '--btyd-t', String(c.T), '--btyd-monetary', String(c.m)];
  const rfm = ['--recency', '30', '--frequency', '4', '--monetary', '2500'];
  const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));

  it("JSON adds the customer's P(alive), spend and CLV as scipy computes them", async () => {
    const r = await runRfm(['segment', '-m', MODEL, ...rfm, '--explain', ...btyd]);
    expect(r.code).toBe(0);
    const { clv, segment } = JSON.parse(r.stdout);
    expect(segment).toBe('Occasional Buyers');
    near(clv.pAlive, c.bgnbd.pAlive);
    near(clv.expectedSpend, c.gammaGamma.expectedSpend);
    near(clv.clv, c.clv.bgnbdWeeks);
    expect(clv).toMatchObject({ period: 'week', horizonMonths: 12, monthlyDiscount: 0.01 });
  });

  it('the table says it in one line; CSV adds columns', async () => {
    const table = await runRfm(['segment', '-m', MODEL, ...rfm, '--explain', ...btyd, '--format', 'table']);
    expect(table.stdout.split('\n')[1]).toBe(
      'P(alive) 72.7%, 1.54 purchases expected in 12 months, 24.66 a purchase, CLV 35.88 (BG/NBD + Gamma-Gamma, 12 months at 1 % a month, time in weeks, calibrated to 2011-12-09)',
    );
    const { header, rows } = parseCsv((await runRfm(['segment', '-m', MODEL, ...rfm, '--explain', ...btyd, '--format', 'csv'])).stdout);
    expect(header.slice(-4)).toEqual(['p_alive', 'expected_purchases', 'expected_spend', 'clv']);
    near(Number(rows[0][header.indexOf('clv')]), c.clv.bgnbdWeeks);
  });

  it.each([
    [['--btyd-frequency', '2'], 2, 'rfm: error: --btyd-frequency is for --explain; add --explain\n'],
    [['--explain', '--btyd-frequency', '2'], 2, "rfm: error: --btyd-recency is required; e.g. --btyd-frequency 2 --btyd-recency 30.43 --btyd-t 38.86 --btyd-monetary 22.35 (in the model's clv period)\n"],
    [
      ['--explain', '--btyd-frequency', '2', '--btyd-recency', '40', '--btyd-t', '38', '--btyd-monetary', '1'],
      2,
      "rfm: error: --btyd-recency must be <= T (the last purchase is before the calibration end) (got \"40\"); e.g. --btyd-frequency 2 --btyd-recency 30.43 --btyd-t 38.86 --btyd-monetary 22.35 (in the model's clv period)\n",
    ],
  ])('%j: exit %d', async (flags, code, message) => {
    const r = await runRfm(['segment', '-m', MODEL, ...rfm, ...flags]);
    expect(r.code).toBe(code);
    expect(r.stderr).toBe(message);
    expect(r.stdout).toBe('');
  });

  it('a model without lifetime-value models is a model error (exit 5)', async () => {
    const r = await runRfm(['segment', '-m', PLAIN, ...rfm, '--explain', ...btyd]);
    expect(r.code).toBe(5);
    expect(r.stderr).toBe(`rfm: error: model ${PLAIN} has no lifetime-value models; fit them with: rfm fit <transactions> --clv\n`);
  });
});
