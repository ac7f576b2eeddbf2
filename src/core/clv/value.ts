/**
 * Predictions per customer from a fitted purchase model (BG/NBD or Pareto/NBD) and the Gamma-Gamma
 * spend model, and the discounted CLV sum
 *   clv = Σ_{i=1..H} (E[Y(i months)] − E[Y((i−1) months)]) × expected_spend / (1 + d)^i
 * with a month of 30 days, converted to the model's period (a week is 7 days).
 */
import { modelError } from '../errors.js';
import { runSteps, type Steps } from '../steps.js';
import {
  bgnbdExpectedPurchases,
  bgnbdExpectedPurchasesNew,
  bgnbdPAlive,
  bgnbdPurchasesDenominator,
  bgnbdPurchasesNumerator,
  type BgNbdParams,
  type BtydPoint,
} from './bgnbd.js';
import { PERIOD_DAYS, TripleIndex, type BtydRow } from './data.js';
import { gammaGammaExpectedSpend, type GammaGammaParams, type SpendPoint } from './gamma-gamma.js';
import { paretoExpectedPurchases, paretoExpectedPurchasesNew, paretoPAlive, paretoPurchasesIfAlive, type ParetoNbdParams } from './pareto-nbd.js';

export type PurchaseModel = BgNbdParams | ParetoNbdParams;
type ModelParams = Pick<BgNbdParams, 'model' | 'period' | 'r' | 'alpha' | 'a' | 'b'> | Pick<ParetoNbdParams, 'model' | 'period' | 'r' | 'alpha' | 's' | 'beta'>;
type SpendParams = Pick<GammaGammaParams, 'p' | 'q' | 'gamma'>;

/** Days in a horizon month. */
export const MONTH_DAYS = 30;

export function pAlive(model: ModelParams, row: BtydPoint): number {
  return model.model === 'bgnbd' ? bgnbdPAlive(model, row) : paretoPAlive(model, row);
}

/** E[Y(t) | x, t_x, T] with t in the model's period. */
export function expectedPurchases(model: ModelParams, t: number, row: BtydPoint): number {
  return model.model === 'bgnbd' ? bgnbdExpectedPurchases(model, t, row) : paretoExpectedPurchases(model, t, row);
}

/** E[X(t)] for a customer who has just made a first purchase (t in the model's period). */
export function expectedPurchasesNew(model: ModelParams, t: number): number {
  return model.model === 'bgnbd' ? bgnbdExpectedPurchasesNew(model, t) : paretoExpectedPurchasesNew(model, t);
}

export function expectedSpend(gg: SpendParams, row: SpendPoint): number {
  return gammaGammaExpectedSpend(gg, row);
}

export interface ValueOptions {
  /** Months ahead (whole, >= 1). */
  horizonMonths: number;
  /** Monthly discount rate d (0.01 = 1 % a month). */
  monthlyDiscount: number;
}

/** E[Y(i months)] for i = 1..H. */
function monthlyPurchases(model: ModelParams, row: BtydPoint, months: number): Float64Array {
  const periodsPerMonth = MONTH_DAYS / PERIOD_DAYS[model.period];
  return Float64Array.from({ length: months }, (_, i) => expectedPurchases(model, (i + 1) * periodsPerMonth, row));
}

function discounted(path: Float64Array, spend: number, monthlyDiscount: number): number {
  let total = 0;
  let previous = 0;
  let factor = 1;
  for (let i = 0; i < path.length; i++) {
    factor /= 1 + monthlyDiscount;
    total += (path[i] - previous) * spend * factor;
    previous = path[i];
  }
  return total;
}

/** The discounted value over the horizon (see the file comment). */
export function clv(model: ModelParams, gg: SpendParams, row: BtydPoint & SpendPoint, options: ValueOptions): number {
  return discounted(monthlyPurchases(model, row, options.horizonMonths), expectedSpend(gg, row), options.monthlyDiscount);
}

export interface CustomerValue {
  customerId: string;
  frequency: number;
  recency: number;
  T: number;
  monetaryValue: number;
  pAlive: number;
  /** E[Y(horizon)]: purchases expected over the horizon. */
  expectedPurchases: number;
  /** null without a spend model (a BTYD table without monetary_value). */
  expectedSpend: number | null;
  clv: number | null;
}

/**
 * A function giving every prediction for a row of `rows`, made after one pass that computes
 * P(alive) and the expected purchases once per distinct (x, t_x, T) and checks they are finite
 * (a model error names the first customer whose numbers are not), so that the rows can then be
 * written one by one without holding a million result objects.
 */
export function valuePredictor(model: ModelParams, gg: SpendParams | null, rows: readonly BtydRow[], options: ValueOptions): (row: BtydRow) => CustomerValue {
  return runSteps(valuePredictorSteps(model, gg, rows, options));
}

/** Rows between two steps of the checking pass (a few milliseconds of work). */
const ROWS_PER_STEP = 8192;

/** valuePredictor as steps (core/steps.ts): the checking pass yields every ROWS_PER_STEP rows, so that it can be interrupted. */
export function* valuePredictorSteps(
  model: ModelParams,
  gg: SpendParams | null,
  rows: readonly BtydRow[],
  options: ValueOptions,
): Steps<(row: BtydRow) => CustomerValue> {
  const months = options.horizonMonths;
  const periodsPerMonth = MONTH_DAYS / PERIOD_DAYS[model.period];
  // E[Y(t)] = (a part of x, T and t) combined with (a part of x, t_x, T): the first, with its 2F1
  // (the costly part), once per distinct (x, T); the second once per distinct (x, t_x, T).
  const pairs = new TripleIndex();
  const pairPaths: Float64Array[] = [];
  const pairPath = (x: number, T: number): Float64Array => {
    const k = pairs.add(x, T, 0);
    if (k === pairPaths.length) {
      pairPaths.push(
        Float64Array.from({ length: months }, (_, i) =>
          model.model === 'bgnbd' ? bgnbdPurchasesNumerator(model, (i + 1) * periodsPerMonth, x, T) : paretoPurchasesIfAlive(model, (i + 1) * periodsPerMonth, x, T),
        ),
      );
    }
    return pairPaths[k];
  };
  const triples = new TripleIndex();
  const alive: number[] = [];
  const paths: Float64Array[] = [];
  const known = (row: BtydRow): number => {
    const g = triples.add(row.frequency, row.recency, row.T);
    if (g === paths.length) {
      const p = pAlive(model, row);
      const base = pairPath(row.frequency, row.T);
      const path = new Float64Array(months);
      let finite = Number.isFinite(p);
      if (model.model === 'bgnbd') {
        const denominator = bgnbdPurchasesDenominator(model, row);
        for (let i = 0; i < months; i++) finite = Number.isFinite((path[i] = base[i] / denominator)) && finite;
      } else {
        for (let i = 0; i < months; i++) finite = Number.isFinite((path[i] = base[i] * p)) && finite;
      }
      if (!finite) {
        throw modelError(`the predictions for customer ${row.customerId} are not finite (frequency ${row.frequency}, recency ${row.recency}, T ${row.T})`, {
          hint: 'the fitted parameters are extreme: try --penalizer 0.001, or another --model',
        });
      }
      alive.push(p);
      paths.push(path);
    }
    return g;
  };
  for (let i = 0; i < rows.length; i++) {
    known(rows[i]);
    if ((i + 1) % ROWS_PER_STEP === 0) yield;
  }
  return (row) => {
    const g = known(row);
    const path = paths[g];
    const spend = gg === null ? null : expectedSpend(gg, row);
    return {
      customerId: row.customerId,
      frequency: row.frequency,
      recency: row.recency,
      T: row.T,
      monetaryValue: row.monetaryValue,
      pAlive: alive[g],
      expectedPurchases: path[months - 1],
      expectedSpend: spend,
      clv: spend === null ? null : discounted(path, spend, options.monthlyDiscount),
    };
  };
}

/** Every prediction for every row (valuePredictor applied to each). */
export function predictCustomers(model: ModelParams, gg: SpendParams | null, rows: readonly BtydRow[], options: ValueOptions): CustomerValue[] {
  return rows.map(valuePredictor(model, gg, rows, options));
}
