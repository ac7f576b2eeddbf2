/**
 * Pareto/NBD P(X(t) = x) (Fader, Hardie & Lee 2006 note) against the scipy oracle, which integrates
 * over the lifetime numerically (test/oracle/btyd_scipy.py → btyd-oracle.json); that the
 * probabilities sum to 1 and their mean is E[X(t)]; and the calibration histogram of validate()
 * for both purchase models against the oracle's Σᵢ P(X(Tᵢ) = x) over the published CDNOW summary.
 */
import { describe, expect, it } from 'vitest';
import { asTable, expectedPurchasesNew, paretoProbability, validate, type BgNbdParams, type BtydSummary, type ParetoNbdParams } from '../../../src/core/clv/index.js';
import { RfmError } from '../../../src/core/errors.js';
import { oracle, publishedSummary } from './cdnow.js';

interface ProbabilityOracle {
  paretoNbdProbability: Record<string, number[]>;
  paretoNbdAlphaGtBetaProbability: Record<string, number[]>;
  paretoNbdProbabilityTail: { t: number; x: number; value: number }[];
  histogram: { bgnbd: number[]; paretoNbd: number[] };
  horizons: number[];
  paretoNbd: number[];
}
const expected = oracle.formulas.new as unknown as ProbabilityOracle;
const { params } = oracle.formulas;
const pn = (p: Record<string, number>) => ({ model: 'pareto-nbd', period: 'week', r: p.r, alpha: p.alpha, s: p.s, beta: p.beta }) as ParetoNbdParams;
const published = pn(params.paretoNbd);
const alphaGtBeta = pn(params.paretoNbdAlphaGtBeta);

/** |actual − expected| within rel × |expected|: relative even for the tiny tail probabilities. */
const relativelyClose = (actual: number, value: number, rel: number) => Math.abs(actual - value) <= rel * Math.abs(value);

describe('Pareto/NBD P(X(t) = x) against scipy (quadrature over the lifetime)', () => {
  for (const [name, p, table] of [
    ['α < β (the CDNOW estimates)', published, expected.paretoNbdProbability],
    ['α > β', alphaGtBeta, expected.paretoNbdAlphaGtBetaProbability],
  ] as const) {
    it.each(Object.entries(table))(`${name}: P(X(%s) = 0..7)`, (t, probabilities) => {
      probabilities.forEach((value, x) => expect(relativelyClose(paretoProbability(p, Number(t), x), value, 1e-10)).toBe(true));
    });
  }

  it.each(expected.paretoNbdProbabilityTail.map((c) => [c.t, c.x, c.value]))('far in the tail, where the closed form cancels: P(X(%f) = %i)', (t, x, value) => {
    expect(relativelyClose(paretoProbability(published, t, x), value, 1e-9)).toBe(true);
  });

  it('t = 0: no purchases for certain', () => {
    expect([0, 1, 5].map((x) => paretoProbability(published, 0, x))).toEqual([1, 0, 0]);
  });

  it.each([1 / 7, 38.86, 78])('Σ_x P(X(%f) = x) over x = 0..400 is 1, and Σ x P(X(t) = x) is E[X(t)]', (t) => {
    for (const p of [published, alphaGtBeta]) {
      let total = 0;
      let mean = 0;
      for (let x = 0; x <= 400; x++) {
        const probability = paretoProbability(p, t, x);
        expect(probability).toBeGreaterThanOrEqual(0);
        total += probability;
        mean += x * probability;
      }
      expect(Math.abs(total - 1)).toBeLessThan(1e-12);
      // Beyond 400 the mean's tail is below 1e-9 of it at these t (scipy: P(X(78) > 400) < 1e-15).
      expect(relativelyClose(mean, expectedPurchasesNew(p, t), 1e-9)).toBe(true);
    }
  });

  it('E[X(39)] from the probabilities matches the oracle`s closed-form E[X(t)]', () => {
    const i = expected.horizons.indexOf(39);
    let mean = 0;
    for (let x = 0; x <= 400; x++) mean += x * paretoProbability(published, 39, x);
    expect(relativelyClose(mean, expected.paretoNbd[i], 1e-9)).toBe(true);
  });
});

describe('validate(): the calibration histogram (0..7+) on the published CDNOW summary', () => {
  const rows = publishedSummary();
  const summary: BtydSummary = {
    period: 'week',
    periodDays: 7,
    calibrationEnd: Date.UTC(1997, 8, 30),
    holdoutEnd: null,
    holdoutLength: 0,
    customers: asTable(rows),
    afterEnd: 0,
    firstAfterCalibration: 0,
    firstPurchasesByDay: new Map(),
    repeatsByDay: new Map(),
  };
  const bg = { model: 'bgnbd', period: 'week', ...params.bgnbd } as BgNbdParams;

  it.each([
    ['BG/NBD', bg, expected.histogram.bgnbd],
    ['Pareto/NBD', published, expected.histogram.paretoNbd],
  ] as const)('%s: the model column is scipy`s Σᵢ P(X(Tᵢ) = x) and sums to the 2,357 customers', (_, model, column) => {
    const { histogram } = validate(model, summary);
    expect(histogram.map((b) => b.repeatPurchases)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7+']);
    histogram.forEach((b, k) => expect(relativelyClose(b.model, column[k], 1e-9)).toBe(true));
    expect(histogram.reduce((s, b) => s + b.model, 0)).toBeCloseTo(2357, 8);
    // The actual column: the published table's counts, by hand from its frequencies.
    const counts = new Array(8).fill(0);
    for (const row of rows) counts[Math.min(row.frequency, 7)]++;
    expect(histogram.map((b) => b.actual)).toEqual(counts);
  });

  it('parameters that give no finite probability are a model error naming --penalizer, not NaN in the histogram', () => {
    let caught: unknown;
    try {
      validate({ ...published, r: Number.NaN }, summary);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RfmError);
    expect((caught as RfmError).kind).toBe('model');
    expect((caught as RfmError).message).toMatch(/^P\(X\(T\) = 0\.\.6\) for the calibration histogram is not finite at T = /);
    expect((caught as RfmError).hint).toContain('--penalizer');
  });
});
