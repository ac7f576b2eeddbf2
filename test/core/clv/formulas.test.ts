/**
 * Every BTYD formula against the scipy oracle (test/oracle/btyd_scipy.py → btyd-oracle.json):
 * 2F1, the three likelihoods, P(alive), conditional and unconditional expectations, P(X(t) = x),
 * expected spend and the CLV sum.
 */
import { describe, expect, it } from 'vitest';
import {
  bgnbdLogLikelihood,
  bgnbdProbability,
  clv,
  expectedPurchases,
  expectedPurchasesNew,
  expectedSpend,
  gammaGammaLogLikelihood,
  pAlive,
  paretoLogLikelihood,
  type BtydRow,
} from '../../../src/core/clv/index.js';
import { logAbsGamma, logHyp2f1, signedHyp2f1 } from '../../../src/core/clv/special.js';
import { close, oracle } from './cdnow.js';

const { params, customers } = oracle.formulas;
const bg = { model: 'bgnbd' as const, period: 'week' as const, r: params.bgnbd.r, alpha: params.bgnbd.alpha, a: params.bgnbd.a, b: params.bgnbd.b };
const bgDays = { ...bg, period: 'day' as const, alpha: params.bgnbdDays.alpha };
const pn = (p: Record<string, number>) => ({ model: 'pareto-nbd' as const, period: 'week' as const, r: p.r, alpha: p.alpha, s: p.s, beta: p.beta });
const gg = { p: params.gammaGamma.p, q: params.gammaGamma.q, gamma: params.gammaGamma.gamma };
const REL = 1e-9;

const rowOf = (c: (typeof customers)[number], scale = 1): BtydRow => ({
  customerId: 'c',
  frequency: c.x,
  recency: c.tx * scale,
  T: c.T * scale,
  monetaryValue: c.m,
});
const label = (c: (typeof customers)[number]) => `x=${c.x} t_x=${c.tx} T=${c.T}`;

describe('Gauss 2F1 against scipy.special.hyp2f1', () => {
  it.each(oracle.formulas.hyp2f1.map((g) => [g.a, g.b, g.c, g.z, g.value]))('2F1(%f, %f; %f; %f)', (a, b, c, z, value) => {
    const f = signedHyp2f1(a, b, c, z);
    expect(close(f.sign * Math.exp(f.log), value, 1e-11)).toBe(true);
  });

  it('refuses z outside [0, 1) and c a non-positive whole number instead of returning a wrong number', () => {
    expect(logHyp2f1(1, 1, 2, 1)).toBeNaN();
    expect(logHyp2f1(1, 1, -2, 0.5)).toBeNaN();
  });

  it('log Γ by reflection for negative arguments: Γ(-0.5) = -2√π', () => {
    expect(logAbsGamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 13);
    expect(logAbsGamma(-2)).toBe(Infinity);
  });
});

describe.each(customers.map((c) => [label(c), c]))('customer %s', (_, c) => {
  const row = rowOf(c);

  it('BG/NBD log-likelihood, P(alive), E[Y(t)] for t in weeks and the same in days', () => {
    expect(close(bgnbdLogLikelihood(bg, [row]), c.bgnbd.logLikelihood, REL)).toBe(true);
    expect(close(pAlive(bg, row), c.bgnbd.pAlive, REL)).toBe(true);
    oracle.formulas.new.horizons.forEach((t, i) => {
      expect(close(expectedPurchases(bg, t, row), c.bgnbd.expected[i], 1e-9)).toBe(true);
      expect(close(expectedPurchases(bgDays, t * 7, rowOf(c, 7)), c.bgnbd.expectedDays[i], 1e-9)).toBe(true);
    });
  });

  it.each([['paretoNbd'], ['paretoNbdAlphaGtBeta']] as const)('%s log-likelihood, P(alive), E[Y(t)]', (name) => {
    const model = pn(params[name]);
    const expected = c[name];
    expect(close(paretoLogLikelihood(model, [row]), expected.logLikelihood, REL)).toBe(true);
    expect(close(pAlive(model, row), expected.pAlive, 1e-8)).toBe(true);
    oracle.formulas.new.horizons.forEach((t, i) => expect(close(expectedPurchases(model, t, row), expected.expected[i], 1e-8)).toBe(true));
  });

  it('Gamma-Gamma log-likelihood and expected spend', () => {
    if (c.gammaGamma.logLikelihood !== null) expect(close(gammaGammaLogLikelihood(gg, [row]), c.gammaGamma.logLikelihood, REL)).toBe(true);
    else expect(gammaGammaLogLikelihood(gg, [row])).toBe(0); // not a repeat buyer: not in the spend likelihood
    expect(close(expectedSpend(gg, row), c.gammaGamma.expectedSpend, REL)).toBe(true);
  });

  it('the CLV sum: 12 months at 1 % a month in weeks and in days, Pareto/NBD, 24 months undiscounted', () => {
    expect(close(clv(bg, gg, row, { horizonMonths: 12, monthlyDiscount: 0.01 }), c.clv.bgnbdWeeks, 1e-9)).toBe(true);
    expect(close(clv(bgDays, gg, rowOf(c, 7), { horizonMonths: 12, monthlyDiscount: 0.01 }), c.clv.bgnbdDays, 1e-9)).toBe(true);
    expect(close(clv(pn(params.paretoNbd), gg, row, { horizonMonths: 12, monthlyDiscount: 0.01 }), c.clv.paretoNbdWeeks, 1e-8)).toBe(true);
    expect(close(clv(bg, gg, row, { horizonMonths: 24, monthlyDiscount: 0 }), c.clv.bgnbdWeeks24NoDiscount, 1e-9)).toBe(true);
  });
});

describe('new customers', () => {
  it('E[X(t)] for BG/NBD and Pareto/NBD', () => {
    oracle.formulas.new.horizons.forEach((t, i) => {
      expect(close(expectedPurchasesNew(bg, t), oracle.formulas.new.bgnbd[i], 1e-9)).toBe(true);
      expect(close(expectedPurchasesNew(pn(params.paretoNbd), t), oracle.formulas.new.paretoNbd[i], 1e-9)).toBe(true);
    });
  });

  it.each(Object.entries(oracle.formulas.new.bgnbdProbability))('BG/NBD P(X(%s) = 0..7)', (t, probabilities) => {
    probabilities.forEach((p, x) => expect(close(bgnbdProbability(bg, Number(t), x), p, 1e-10)).toBe(true));
  });
});
