/**
 * The acceptance figures of issue #14 on CDNOW: the published BG/NBD, Pareto/NBD and Gamma-Gamma
 * estimates (Fader, Hardie & Lee 2005; the FH 2005 Pareto/NBD note), the scipy oracle's fits to
 * far more digits, and the BTYD summary of the raw sample against lifetimes' published table.
 */
import { describe, expect, it } from 'vitest';
import { BtydAccumulator, expectedPurchases, fitBgNbd, fitGammaGamma, fitParetoNbd, spendRows, type BtydSummary, tableRows } from '../../../src/core/clv/index.js';
import { close, oracle, publishedSummary, sampleRows } from './cdnow.js';

const published = publishedSummary();

function sampleSummary(): BtydSummary {
  const acc = new BtydAccumulator({ period: 'week', calibrationEnd: Date.UTC(1997, 8, 30) });
  for (const row of sampleRows()) acc.addRow(row);
  return acc.finish();
}

describe('BTYD summary of CDNOW_sample.txt, calibration end 1997-09-30, weeks', () => {
  const summary = sampleSummary();

  it('equals cdnow_customers_summary.csv row for row (to 0.01 week)', () => {
    expect(tableRows(summary.customers)).toHaveLength(published.length);
    const byId = new Map(tableRows(summary.customers).map((r) => [Number(r.customerId), r]));
    for (const expected of published) {
      const row = byId.get(Number(expected.customerId))!;
      expect(row.frequency).toBe(expected.frequency);
      expect(Math.abs(row.recency - expected.recency)).toBeLessThanOrEqual(0.005 + 1e-12);
      expect(Math.abs(row.T - expected.T)).toBeLessThanOrEqual(0.005 + 1e-12);
    }
  });

  it('monetary value is the mean per repeat purchase day, as pandas computes it (946 repeat buyers)', () => {
    const buyers = spendRows(tableRows(summary.customers));
    expect(buyers).toHaveLength(oracle.fits.gammaGamma.customers);
    const mean = buyers.reduce((s, r) => s + r.monetaryValue, 0) / buyers.length;
    expect(close(mean, oracle.fits.summaryTotals.monetaryMeanOfRepeatBuyers, 1e-12)).toBe(true);
    expect(tableRows(summary.customers).reduce((s, r) => s + r.frequency, 0)).toBe(oracle.fits.summaryTotals.frequencySum);
  });

  it('leaves out the rows after the calibration end and counts them', () => {
    const after = sampleRows().filter((r) => r.time > Date.UTC(1997, 8, 30)).length;
    expect(summary.afterEnd).toBe(after);
  });
});

describe('fits on the published summary', () => {
  it('BG/NBD: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL −9582.4, and E[Y(39) | 2, 30.43, 38.86] = 1.226', () => {
    const fit = fitBgNbd(published, 'week');
    expect([fit.r, fit.alpha, fit.a, fit.b].map((v) => v.toFixed(3))).toEqual(['0.243', '4.414', '0.793', '2.426']);
    expect(fit.logLikelihood.toFixed(1)).toBe('-9582.4');
    for (const name of ['r', 'alpha', 'a', 'b'] as const) expect(close(fit[name], oracle.fits.bgnbd[name], 1e-5)).toBe(true);
    expect(Math.abs(expectedPurchases(fit, 39, { frequency: 2, recency: 30.43, T: 38.86 }) - 1.226)).toBeLessThan(0.001);
    expect(fit.warnings).toEqual([]);
    // lifetimes prints these standard errors for the same fit.
    expect([fit.se.r, fit.se.alpha, fit.se.a, fit.se.b].map((v) => v!.toFixed(3))).toEqual(['0.013', '0.378', '0.186', '0.705']);
  });

  it('Pareto/NBD: r = 0.5534, α = 10.5802, s = 0.6061, β = 11.6562 (3 significant digits), LL −9595.0', () => {
    const fit = fitParetoNbd(published, 'week');
    expect([fit.r, fit.alpha, fit.s, fit.beta].map((v) => v.toPrecision(3))).toEqual(['0.553', '10.6', '0.606', '11.7']);
    expect(fit.logLikelihood.toFixed(1)).toBe('-9595.0');
    for (const name of ['r', 'alpha', 's', 'beta'] as const) expect(close(fit[name], oracle.fits.paretoNbd[name], 1e-4)).toBe(true);
  });

  it('BG/NBD on the summary made from the raw sample gives the same fit', () => {
    const fit = fitBgNbd(tableRows(sampleSummary().customers), 'week');
    expect([fit.r, fit.alpha, fit.a, fit.b].map((v) => v.toFixed(3))).toEqual(['0.243', '4.414', '0.793', '2.426']);
    expect(fit.logLikelihood.toFixed(1)).toBe('-9582.4');
  });

  it('Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, γ = 15.44', () => {
    const fit = fitGammaGamma(tableRows(sampleSummary().customers));
    expect(fit.customers).toBe(946);
    expect(Math.abs(fit.p - 6.25)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(fit.q - 3.74)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(fit.gamma - 15.44)).toBeLessThanOrEqual(0.01);
    for (const name of ['p', 'q', 'gamma'] as const) expect(close(fit[name], oracle.fits.gammaGamma[name], 1e-5)).toBe(true);
    expect(close(fit.logLikelihood, oracle.fits.gammaGamma.logLikelihood, 1e-9)).toBe(true);
  });
});
