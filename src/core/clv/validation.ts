/**
 * Holdout validation of a purchase model (as in Fader, Hardie & Lee 2005): per customer the repeat
 * purchase days in the holdout against E[Y(holdout) | x, t_x, T]; MAE and RMSE; the calibration
 * histogram of repeat purchases (0..7+) against the model's Σᵢ P(X(Tᵢ) = x); and the cumulative
 * weekly tracking curve of repeat purchases against Σ (customers who first bought on day d) × E[X(t − d)].
 */
import { modelError } from '../errors.js';
import { DAY_MS } from '../rfm.js';
import { runSteps, type Steps } from '../steps.js';
import { TripleMap } from './data.js';
import { bgnbdProbability } from './bgnbd.js';
import { paretoProbability } from './pareto-nbd.js';
import type { BtydSummary } from './summary.js';
import { expectedPurchases, expectedPurchasesNew, type PurchaseModel } from './value.js';

export interface HistogramBin {
  /** "0" … "6", "7+". */
  repeatPurchases: string;
  actual: number;
  /** Σᵢ P(X(Tᵢ) = x) under the fitted model (for 7+: the customers less the other bins). */
  model: number;
}

export interface TrackingPoint {
  /** Weeks since the first purchase day in the data. */
  week: number;
  /** Last day of the week (YYYY-MM-DD is for the caller to format; ms UTC). */
  end: number;
  actual: number;
  model: number;
  holdout: boolean;
}

export interface Validation {
  /** Holdout length in periods. */
  holdoutLength: number;
  predicted: Float64Array;
  actual: Float64Array;
  mae: number;
  rmse: number;
  actualTotal: number;
  predictedTotal: number;
  histogram: HistogramBin[];
  tracking: TrackingPoint[];
}

export function validate(model: PurchaseModel, summary: BtydSummary): Validation {
  return runSteps(validateSteps(model, summary));
}

/** Rows between two steps of validateSteps. */
const ROWS_PER_STEP = 8192;

/**
 * validate as steps (core/steps.ts), so that it can be interrupted. E[Y(holdout)] is computed once
 * per distinct (x, t_x, T), P(X(T) = k) once per distinct T and E[X(t)] once per distinct lag:
 * the same values, summed in the same order.
 */
export function* validateSteps(model: PurchaseModel, summary: BtydSummary): Steps<Validation> {
  const table = summary.customers;
  const { frequency, recency, T: age, holdout } = table;
  const holdoutPurchases = new TripleMap<number>();
  const n = table.size;
  const predicted = new Float64Array(n);
  const actual = new Float64Array(n);
  let absolute = 0;
  let squared = 0;
  let actualTotal = 0;
  let predictedTotal = 0;
  for (let i = 0; i < n; i++) {
    if ((i + 1) % ROWS_PER_STEP === 0) yield;
    let expected = holdoutPurchases.get(frequency[i], recency[i], age[i]);
    if (expected === undefined) {
      const point = { frequency: frequency[i], recency: recency[i], T: age[i] };
      holdoutPurchases.set(point.frequency, point.recency, point.T, (expected = expectedPurchases(model, summary.holdoutLength, point)));
    }
    predicted[i] = expected;
    actual[i] = holdout === null ? 0 : holdout[i];
    const error = predicted[i] - actual[i];
    absolute += Math.abs(error);
    squared += error * error;
    actualTotal += actual[i];
    predictedTotal += predicted[i];
  }

  const histogram: HistogramBin[] = [];
  const counts = new Array<number>(8).fill(0);
  for (let i = 0; i < n; i++) counts[Math.min(frequency[i], 7)]++;
  const modelCounts = new Array<number>(8).fill(0);
  const probability = (t: number, k: number) => (model.model === 'bgnbd' ? bgnbdProbability(model, t, k) : paretoProbability(model, t, k));
  const byT = new Map<number, Float64Array>();
  for (let i = 0; i < n; i++) {
    if ((i + 1) % ROWS_PER_STEP === 0) yield;
    const T = age[i];
    let probabilities = byT.get(T);
    if (probabilities === undefined) {
      byT.set(T, (probabilities = Float64Array.from({ length: 7 }, (_, k) => probability(T, k))));
      if (!probabilities.every(Number.isFinite)) {
        throw modelError(`P(X(T) = 0..6) for the calibration histogram is not finite at T = ${T}`, {
          hint: 'the fitted parameters are extreme: try --penalizer 0.001, or another --model',
        });
      }
    }
    let sum = 0;
    for (let k = 0; k < 7; k++) {
      const p = probabilities[k];
      modelCounts[k] += p;
      sum += p;
    }
    modelCounts[7] += 1 - sum;
  }
  for (let k = 0; k < 8; k++) histogram.push({ repeatPurchases: k < 7 ? String(k) : '7+', actual: counts[k], model: modelCounts[k] });

  const tracking: TrackingPoint[] = [];
  const firstDays = [...summary.firstPurchasesByDay.keys()].sort((a, b) => a - b);
  const repeatDays = [...summary.repeatsByDay.keys()].sort((a, b) => a - b);
  const calibrationDay = Math.floor(summary.calibrationEnd / DAY_MS);
  const lastDay = summary.holdoutEnd === null ? calibrationDay : Math.floor(summary.holdoutEnd / DAY_MS);
  if (firstDays.length > 0) {
    const start = firstDays[0];
    let cumulative = 0;
    let next = 0;
    const newPurchases = new Map<number, number>();
    for (let week = 1; start + week * 7 - 1 <= lastDay + 6; week++) {
      const end = Math.min(start + week * 7 - 1, lastDay);
      while (next < repeatDays.length && repeatDays[next] <= end) cumulative += summary.repeatsByDay.get(repeatDays[next++])!;
      let expected = 0;
      for (const day of firstDays) {
        if (day > end) break;
        let purchases = newPurchases.get(end - day);
        if (purchases === undefined) newPurchases.set(end - day, (purchases = expectedPurchasesNew(model, (end - day) / summary.periodDays)));
        expected += summary.firstPurchasesByDay.get(day)! * purchases;
      }
      tracking.push({ week, end: end * DAY_MS, actual: cumulative, model: expected, holdout: end > calibrationDay });
      if (end === lastDay) break;
      yield;
    }
  }
  return { holdoutLength: summary.holdoutLength, predicted, actual, mae: absolute / n, rmse: Math.sqrt(squared / n), actualTotal, predictedTotal, histogram, tracking };
}
