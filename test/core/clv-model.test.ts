/**
 * The model's clv section: predictions from it against the scipy oracle (fixtures/cdnow/btyd-oracle.json,
 * made by test/oracle/btyd_scipy.py with the published CDNOW parameters), its validation, and the
 * migration that reads version-1 models unchanged.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { predictClv, segmentClv } from '../../src/core/clv-model.js';
import { RfmError } from '../../src/core/errors.js';
import { MODEL_VERSION, validateModel, type ModelClv } from '../../src/core/model.js';
import { oracle } from './clv/cdnow.js';

const published = oracle.formulas.params;

/** A clv section with the published CDNOW parameters (weeks), 12 months at 1 % a month. */
export function publishedSection(k = 4): ModelClv {
  const se = <K extends string>(keys: K[]) => Object.fromEntries(keys.map((key) => [key, null])) as Record<K, number | null>;
  return {
    period: 'week',
    calibrationEnd: '1997-09-30',
    horizonMonths: 12,
    monthlyDiscount: 0.01,
    purchaseModel: 'bgnbd',
    bgnbd: { r: published.bgnbd.r, alpha: published.bgnbd.alpha, a: published.bgnbd.a, b: published.bgnbd.b, logLikelihood: -9582.4, customers: 2357, se: se(['r', 'alpha', 'a', 'b']) },
    paretoNbd: {
      r: published.paretoNbd.r,
      alpha: published.paretoNbd.alpha,
      s: published.paretoNbd.s,
      beta: published.paretoNbd.beta,
      logLikelihood: -9595.0,
      customers: 2357,
      se: se(['r', 'alpha', 's', 'beta']),
    },
    gammaGamma: { p: published.gammaGamma.p, q: published.gammaGamma.q, gamma: published.gammaGamma.gamma, logLikelihood: -4055.9, customers: 946, se: se(['p', 'q', 'gamma']) },
    segments: Array.from({ length: k }, (_, cluster) => ({ cluster, customers: 1, pAlive: 0.5, expectedPurchases: 1, expectedSpend: 30, clv: 40, clvTotal: 40 })),
  };
}

const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));

describe('predictClv', () => {
  it.each(oracle.formulas.customers.map((c) => [c.x, c.tx, c.T, c.m, c] as const))('x %d, t_x %d, T %d, m %d: as scipy computes', (x, tx, T, m, c) => {
    const values = { frequency: x, recency: tx, T, monetaryValue: m };
    const p = predictClv(publishedSection(), values);
    close(p.pAlive, c.bgnbd.pAlive);
    close(p.expectedSpend, c.gammaGamma.expectedSpend);
    // 12 months of 30 days, 1 % a month, weeks.
    close(p.clv, c.clv.bgnbdWeeks);
    // One month is 30/7 weeks: the oracle's second horizon.
    close(predictClv(publishedSection(), values, { horizonMonths: 1 }).expectedPurchases, c.bgnbd.expected[1]);
    close(predictClv(publishedSection(), values, { horizonMonths: 24, monthlyDiscount: 0 }).clv, c.clv.bgnbdWeeks24NoDiscount);
  });

  it('with purchaseModel paretoNbd uses the Pareto/NBD parameters', () => {
    const section = { ...publishedSection(), purchaseModel: 'paretoNbd' as const };
    const c = oracle.formulas.customers[1];
    const p = predictClv(section, { frequency: c.x, recency: c.tx, T: c.T, monetaryValue: c.m });
    close(p.pAlive, c.paretoNbd.pAlive);
    close(p.clv, c.clv.paretoNbdWeeks);
  });
});

describe('segmentClv', () => {
  it('averages the predictions per segment and skips unsegmented customers', () => {
    const [a, b, c] = oracle.formulas.customers;
    const row = (id: string, o: typeof a) => ({ customerId: id, frequency: o.x, recency: o.tx, T: o.T, monetaryValue: o.m });
    const segments = segmentClv(publishedSection(2), [row('a', a), row('b', b), row('c', c)], [1, 1, -1], 2);
    expect(segments[0]).toEqual({ cluster: 0, customers: 0, pAlive: 0, expectedPurchases: 0, expectedSpend: 0, clv: 0, clvTotal: 0 });
    expect(segments[1].customers).toBe(2);
    close(segments[1].pAlive, (a.bgnbd.pAlive + b.bgnbd.pAlive) / 2);
    close(segments[1].clv, (a.clv.bgnbdWeeks + b.clv.bgnbdWeeks) / 2);
    close(segments[1].clvTotal, a.clv.bgnbdWeeks + b.clv.bgnbdWeeks);
  });
});

describe('the model file, version 2', () => {
  const v1 = JSON.parse(readFileSync(new URL('../../fixtures/models/sample-model-v1.json', import.meta.url), 'utf8'));

  it('reads a version-1 file unchanged but for the version, with no clv section', () => {
    expect(v1.version).toBe(1);
    const model = validateModel(v1, 'v1.json');
    expect(MODEL_VERSION).toBe(2);
    expect(model).toEqual({ ...v1, version: 2 });
    expect('clv' in model).toBe(false);
  });

  it('keeps a valid clv section as it is', () => {
    const clv = publishedSection();
    expect(validateModel({ ...v1, version: 2, clv: JSON.parse(JSON.stringify(clv)) }).clv).toEqual(clv);
  });

  const problem = (edit: (clv: Record<string, any>) => void) => {
    const clv = JSON.parse(JSON.stringify(publishedSection()));
    edit(clv);
    try {
      validateModel({ ...v1, version: 2, clv }, 'm.json');
    } catch (error) {
      expect(error).toBeInstanceOf(RfmError);
      expect((error as RfmError).kind).toBe('model');
      return (error as RfmError).message;
    }
    throw new Error('expected the model to be rejected');
  };

  it.each([
    [(c: Record<string, any>) => (c.period = 'year'), 'clv.period must be "day", "week" or "month"'],
    [(c: Record<string, any>) => (c.calibrationEnd = '30/09/1997'), 'clv.calibrationEnd must be a date YYYY-MM-DD'],
    [(c: Record<string, any>) => (c.bgnbd.alpha = 0), 'clv.bgnbd.alpha must be > 0'],
    [(c: Record<string, any>) => (c.paretoNbd.beta = 'x'), 'clv.paretoNbd.beta must be a finite number'],
    [(c: Record<string, any>) => delete c.gammaGamma, 'clv.gammaGamma must be an object'],
    [(c: Record<string, any>) => (c.gammaGamma.se.q = 'n/a'), 'clv.gammaGamma.se.q must be a finite number'],
    [(c: Record<string, any>) => (c.horizonMonths = 1.5), 'clv.horizonMonths must be a whole number of months >= 1'],
    [(c: Record<string, any>) => (c.purchaseModel = 'mbg'), 'clv.purchaseModel must be "bgnbd" or "paretoNbd"'],
    [(c: Record<string, any>) => c.segments.pop(), 'clv.segments must have 4 entries, has 3'],
    [(c: Record<string, any>) => (c.segments[2].pAlive = 1.2), 'clv.segments[2].pAlive must be between 0 and 1'],
    [(c: Record<string, any>) => (c.segments[1].cluster = 0), 'clv.segments[1].cluster must be 1 (segments are listed in cluster order)'],
  ])('names the bad field: %#', (edit, message) => {
    expect(problem(edit)).toBe(`model m.json is invalid: ${message}`);
  });
});
