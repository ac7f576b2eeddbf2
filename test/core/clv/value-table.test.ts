/**
 * valueTableSteps (the command line's predictions by group, no object per customer) gives, row for
 * row, exactly what valuePredictor gives: P(alive) and E[Y] of the row's group, its expected spend
 * and CLV; and rows of one group have one (x, t_x, T).
 */
import { describe, expect, it } from 'vitest';
import { runSteps } from '../../../src/core/steps.js';
import { valuePredictor, valueTableSteps, type BgNbdParams, type BtydRow, type ParetoNbdParams } from '../../../src/core/clv/index.js';

const bgnbd = { model: 'bgnbd', period: 'week', r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } as BgNbdParams;
const pareto = { model: 'pareto-nbd', period: 'week', r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 } as ParetoNbdParams;
const gg = { p: 6.25, q: 3.74, gamma: 15.44 };

const rows: BtydRow[] = Array.from({ length: 5_000 }, (_, i) => {
  const T = (i % 39) + 0.5;
  const frequency = i % 7;
  const recency = frequency === 0 ? 0 : ((i * 7) % 13) * (T / 13);
  // Some repeat buyers without a spend (monetary 0) get the population mean, as one-time buyers do.
  return { customerId: `c${i}`, frequency, recency, T, monetaryValue: frequency === 0 || i % 11 === 0 ? 0 : 10 + (i % 5) };
});
const options = { horizonMonths: 12, monthlyDiscount: 0.01 };

describe('valueTableSteps = valuePredictor, row for row', () => {
  for (const model of [bgnbd, pareto]) {
    for (const spend of [gg, null]) {
      it(`${model.model}${spend === null ? ', no spend model' : ''}`, () => {
        const table = runSteps(valueTableSteps(model, spend, rows, options));
        const predict = valuePredictor(model, spend, rows, options);
        const firstOfGroup = new Map<number, BtydRow>();
        rows.forEach((row, i) => {
          const expected = predict(row);
          const g = table.group[i];
          expect(table.pAlive[g]).toBe(expected.pAlive);
          expect(table.expectedPurchases[g]).toBe(expected.expectedPurchases);
          expect(table.expectedSpend(i)).toBe(expected.expectedSpend);
          expect(table.clv(i)).toBe(expected.clv);
          expect(table.customer(i)).toEqual(expected);
          const first = firstOfGroup.get(g) ?? row;
          firstOfGroup.set(g, first);
          expect([row.frequency, row.recency, row.T]).toEqual([first.frequency, first.recency, first.T]);
        });
        expect(firstOfGroup.size).toBe(table.pAlive.length);
      });
    }
  }
});
