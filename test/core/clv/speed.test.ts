/**
 * The speed-ups of rfm clv keep every number: the (x, t_x, T) hash against a Map of the triples as
 * text, the grouped predictions (the 2F1 part shared by customers of the same x and T) against the
 * per-customer formulas, and the steps versions (interruptible) against a pass that never yields.
 */
import { describe, expect, it } from 'vitest';
import {
  BtydAccumulator,
  expectedPurchases,
  MONTH_DAYS,
  pAlive,
  validate,
  validateSteps,
  valuePredictor,
  valuePredictorSteps,
  type BgNbdParams,
  type BtydRow,
  type ParetoNbdParams,
  tableRows,
} from '../../../src/core/clv/index.js';
import { TripleIndex } from '../../../src/core/clv/data.js';
import type { Steps } from '../../../src/core/steps.js';
import { sampleRows } from './cdnow.js';

/** Runs steps to the end, counting the yields. */
function stepsOf<T>(steps: Steps<T>): { value: T; yields: number } {
  let yields = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) return { value: step.value, yields };
    yields++;
  }
}

// The published CDNOW estimates (FHL 2005; FH 2005 note) as plain parameters.
const bgnbd = { model: 'bgnbd', period: 'week', r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } as BgNbdParams;
const pareto = { model: 'pareto-nbd', period: 'week', r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 } as ParetoNbdParams;
const gg = { p: 6.25, q: 3.74, gamma: 15.44 };

/** Many customers sharing x and T with different t_x (and repeated triples): the case the grouping is for. */
function rows(n: number): BtydRow[] {
  return Array.from({ length: n }, (_, i) => {
    const T = (i % 39) + 0.5;
    const frequency = i % 7;
    const recency = frequency === 0 ? 0 : ((i * 7) % 13) * (T / 13);
    return { customerId: `c${i}`, frequency, recency, T, monetaryValue: frequency === 0 ? 0 : 10 + (i % 5) };
  });
}

describe('TripleIndex (the (x, t_x, T) hash)', () => {
  it('numbers the distinct triples in order of first appearance, as a Map keyed by their text does, through many rehashes', () => {
    const index = new TripleIndex();
    const byText = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const key = [i % 53, (i % 211) / 7, (i % 307) / 7] as const;
      const text = key.join('|');
      if (!byText.has(text)) byText.set(text, byText.size);
      expect(index.add(...key)).toBe(byText.get(text));
    }
    expect(index.size).toBe(byText.size);
    expect(index.get(1, 1 / 7, 1 / 7)).toBe(byText.get(`1|${1 / 7}|${1 / 7}`));
    expect(index.get(1, 2, 3.5)).toBe(-1);
  });

  it('treats 0 and -0 as one key (as a Map does)', () => {
    const index = new TripleIndex();
    expect(index.add(0, 0, 5)).toBe(0);
    expect(index.add(-0, -0, 5)).toBe(0);
    expect(index.get(-0, 0, 5)).toBe(0);
  });
});

describe('valuePredictor: grouped predictions equal the per-customer formulas exactly', () => {
  const data = rows(20_000);
  for (const model of [bgnbd, pareto]) {
    it(`${model.model}: P(alive) and E[Y(12 months)] bit for bit, and its steps yield every 8,192 rows`, () => {
      const { value: predict, yields } = stepsOf(valuePredictorSteps(model, gg, data, { horizonMonths: 12, monthlyDiscount: 0.01 }));
      expect(yields).toBe(2);
      for (const row of data.slice(0, 2_000)) {
        const v = predict(row);
        expect(v.pAlive).toBe(pAlive(model, row));
        expect(v.expectedPurchases).toBe(expectedPurchases(model, (12 * MONTH_DAYS) / 7, row));
      }
      const once = valuePredictor(model, gg, data, { horizonMonths: 12, monthlyDiscount: 0.01 });
      expect(data.map(once)).toEqual(data.map(predict));
    });
  }
});

describe('the BTYD summary and the validation as steps', () => {
  it('finishSteps gives finish()`s summary and yields while it builds the rows', () => {
    const build = () => {
      const acc = new BtydAccumulator({ period: 'week', calibrationEnd: Date.UTC(1997, 8, 30), holdoutEnd: Date.UTC(1998, 5, 30) });
      for (const row of sampleRows()) acc.addRow(row);
      return acc;
    };
    const { value, yields } = stepsOf(build().finishSteps());
    expect(yields).toBeGreaterThanOrEqual(1);
    // The customers compared as rows (a table's id() is a function of its own).
    const { customers, ...rest } = value;
    const { customers: expectedCustomers, ...expectedRest } = build().finish();
    expect(tableRows(customers)).toEqual(tableRows(expectedCustomers));
    expect(rest).toEqual(expectedRest);
  });

  it('validateSteps gives validate()`s numbers (memoised per triple, per T and per lag) and yields', () => {
    const acc = new BtydAccumulator({ period: 'week', calibrationEnd: Date.UTC(1997, 8, 30), holdoutEnd: Date.UTC(1998, 5, 30) });
    for (const row of sampleRows()) acc.addRow(row);
    const summary = acc.finish();
    const { value, yields } = stepsOf(validateSteps(bgnbd, summary));
    expect(yields).toBeGreaterThan(10); // one per tracking week at least
    expect(value).toEqual(validate(bgnbd, summary));
    const rows = tableRows(summary.customers);
    for (let i = 0; i < rows.length; i += 97) expect(value.predicted[i]).toBe(expectedPurchases(bgnbd, summary.holdoutLength, rows[i]));
  });
});
