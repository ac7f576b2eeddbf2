/** The fitting machinery: closed-form gradients, the penalizer, boundary refusals, steps. */
import { describe, expect, it } from 'vitest';
import { bgnbdMeanNegLogLik, bgnbdMeanNegLogLikGradient } from '../../../src/core/clv/bgnbd.js';
import { groupRows } from '../../../src/core/clv/data.js';
import { fitBgNbd, fitBgNbdSteps, fitGammaGamma, type BtydRow, tableRows } from '../../../src/core/clv/index.js';
import { RfmError } from '../../../src/core/errors.js';
import { hessianFromGradient, minimize, standardErrors } from '../../../src/core/clv/optimize.js';
import { runSteps } from '../../../src/core/steps.js';
import { publishedSummary, sampleRows } from './cdnow.js';
import { BtydAccumulator } from '../../../src/core/clv/index.js';

const published = publishedSummary();

describe('closed-form gradient of the BG/NBD likelihood', () => {
  it('matches central differences at two points', () => {
    const data = groupRows(published);
    for (const theta of [[0.243, 4.414, 0.793, 2.426], [1.2, 0.7, 3.1, 0.4]]) {
      const g = bgnbdMeanNegLogLikGradient(data, theta);
      theta.forEach((v, i) => {
        const h = 1e-6 * v;
        const up = [...theta];
        const down = [...theta];
        up[i] += h;
        down[i] -= h;
        const numeric = (bgnbdMeanNegLogLik(data, up) - bgnbdMeanNegLogLik(data, down)) / (2 * h);
        expect(Math.abs(g[i] - numeric)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
      });
    }
  });
});

describe('fits', () => {
  it('the L2 penalizer shrinks the parameters and costs likelihood', () => {
    const plain = fitBgNbd(published, 'week');
    const penalized = fitBgNbd(published, 'week', { penalizer: 0.01 });
    expect(penalized.penalizer).toBe(0.01);
    const size = (f: typeof plain) => f.r ** 2 + f.alpha ** 2 + f.a ** 2 + f.b ** 2;
    expect(size(penalized)).toBeLessThan(size(plain));
    expect(penalized.logLikelihood).toBeLessThan(plain.logLikelihood);
  });

  it('a fit running to the boundary is a model error naming --penalizer, not a NaN', () => {
    // Two customers who each bought twice and are seen right after: nothing identifies the dropout.
    const rows: BtydRow[] = [
      { customerId: 'a', frequency: 1, recency: 1, T: 1, monetaryValue: 5 },
      { customerId: 'b', frequency: 1, recency: 4, T: 4, monetaryValue: 5 },
    ];
    let caught: unknown;
    try {
      fitBgNbd(rows, 'week');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RfmError);
    expect((caught as RfmError).kind).toBe('model');
    expect((caught as RfmError).message).toMatch(/the BG\/NBD fit ran to the boundary/);
    expect((caught as RfmError).hint).toContain('--penalizer');
  });

  it('the Gamma-Gamma fit refuses fewer than 10 repeat buyers', () => {
    expect(() => fitGammaGamma(published.slice(0, 5).map((r) => ({ ...r, monetaryValue: 10 })))).toThrow(/too few to fit the Gamma-Gamma spend model/);
  });

  it('a fit is a generator that yields between iterations (so the CLI can be interrupted)', () => {
    const steps = fitBgNbdSteps(published, 'week');
    let yields = 0;
    for (let step = steps.next(); !step.done; step = steps.next()) yields++;
    expect(yields).toBeGreaterThan(50);
  });

  it('the Gamma-Gamma fit on the sample warns of nothing (frequency and spend nearly uncorrelated)', () => {
    const acc = new BtydAccumulator({ period: 'week', calibrationEnd: Date.UTC(1997, 8, 30) });
    for (const row of sampleRows()) acc.addRow(row);
    const fit = fitGammaGamma(tableRows(acc.finish().customers));
    expect(fit.warnings).toEqual([]);
    expect(Math.abs(fit.frequencySpendCorrelation)).toBeLessThan(0.3);
  });
});

describe('the optimizer: Hessians and the BFGS start', () => {
  // f(φ) = 3φ0² + φ0φ1 + 2φ1² + e^φ2 + φ1φ2: its Hessian in closed form.
  const f = (p: Float64Array) => 3 * p[0] ** 2 + p[0] * p[1] + 2 * p[1] ** 2 + Math.exp(p[2]) + p[1] * p[2];
  const grad = (p: Float64Array) => Float64Array.of(6 * p[0] + p[1], p[0] + 4 * p[1] + p[2], Math.exp(p[2]) + p[1]);
  const at = Float64Array.of(0.3, -0.7, 0.4);
  const exact = [6, 1, 0, 1, 4, 1, 0, 1, Math.exp(0.4)];

  it('hessianFromGradient gives the Hessian from 2n gradients, symmetric', () => {
    let calls = 0;
    const H = hessianFromGradient((p) => (calls++, grad(p)), at);
    expect(calls).toBe(6);
    H.forEach((v, i) => expect(Math.abs(v - exact[i])).toBeLessThan(1e-7));
    expect(H[1]).toBe(H[3]);
  });

  it('standard errors from the closed-form gradient agree with those from values (BG/NBD on CDNOW)', () => {
    const data = groupRows(published);
    const fit = fitBgNbd(published, 'week');
    const phi = Float64Array.of(Math.log(fit.r), Math.log(fit.alpha), Math.log(fit.a), Math.log(fit.b));
    const total = (p: Float64Array) => bgnbdMeanNegLogLik(data, Array.from(p, Math.exp)) * data.customers;
    const totalGradient = (p: Float64Array) => {
      const theta = Array.from(p, Math.exp);
      return bgnbdMeanNegLogLikGradient(data, theta).map((v, i) => v * theta[i] * data.customers);
    };
    const fromValues = standardErrors(total, phi);
    const fromGradient = standardErrors(total, phi, totalGradient);
    fromGradient.forEach((se, i) => expect(Math.abs(se! - fromValues[i]!) / fromValues[i]!).toBeLessThan(1e-3));
  });

  it('BFGS starts from the inverse Hessian of the coarse objective: an ill-scaled problem takes a few gradients, not dozens', () => {
    // Scales 1 and 10⁴ apart, with a coarse objective that is the same function: from the identity
    // BFGS must learn the scales; from the coarse Hessian's inverse its first step is Newton's.
    const scales = [1, 100, 1e4];
    const objective = (p: Float64Array) => scales.reduce((s, c, i) => s + c * (p[i] - 1) ** 2, 0);
    const gradientOf = (p: Float64Array) => Float64Array.from(scales, (c, i) => 2 * c * (p[i] - 1));
    const count = (coarse: boolean) => {
      let gradients = 0;
      const result = runSteps(
        minimize(objective, { starts: [[0.5, 0.5, 0.5]], maxIterations: 3, coarse: coarse ? objective : undefined, gradient: (p) => (gradients++, gradientOf(p)) }),
      );
      expect(result.converged).toBe(true);
      return gradients;
    };
    expect(count(true)).toBeLessThanOrEqual(3);
    expect(count(false)).toBeGreaterThan(6);
  });
});

describe('BFGS at the rounding floor', () => {
  it('near the minimum, where the values are the same to rounding, steps are taken on the closed-form gradient', () => {
    // Σ c (e^u − u − 1), u = p − m: ill-scaled and not a quadratic (BFGS would land on the minimum
    // of one at once), its values rounded to 1e-13 (a mean over a million customers is hardly
    // finer). Close to the minimum no step decreases the rounded values: without the gradient's
    // word the search stops at a gradient of ~1e-4.
    const m = [1, 2, 3];
    const c = [1, 1e3, 1e6];
    const smooth = (p: Float64Array) => c.reduce((s, ci, i) => s + ci * (Math.exp(p[i] - m[i]) - (p[i] - m[i]) - 1), 3);
    const rounded = (p: Float64Array) => Math.round(smooth(p) * 1e13) / 1e13;
    const gradient = (p: Float64Array) => Float64Array.from(c, (ci, i) => ci * (Math.exp(p[i] - m[i]) - 1));
    const result = runSteps(minimize(rounded, { starts: [[0, 1, 2]], gradient }));
    expect(result.gradientNorm).toBeLessThanOrEqual(1e-8);
    expect(Array.from(result.logParams, (v) => Number(v.toFixed(6)))).toEqual(m);
  });
});
