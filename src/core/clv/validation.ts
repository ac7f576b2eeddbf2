/**
 * Holdout validation of a purchase model (as in Fader, Hardie & Lee 2005): per customer the repeat
 * purchase days in the holdout against E[Y(holdout) | x, t_x, T]; MAE and RMSE; the calibration
 * histogram of repeat purchases (0..7+) against the model's Σᵢ P(X(Tᵢ) = x); and the cumulative
 * weekly tracking curve of repeat purchases against Σ (customers who first bought on day d) × E[X(t − d)].
 */
import { DAY_MS } from '../rfm.js';
import { bgnbdProbability } from './bgnbd.js';
import type { BtydSummary } from './summary.js';
import { expectedPurchases, expectedPurchasesNew, type PurchaseModel } from './value.js';

export interface HistogramBin {
  /** "0" … "6", "7+". */
  repeatPurchases: string;
  actual: number;
  /** null for Pareto/NBD (its P(X(t) = x) is not implemented). */
  model: number | null;
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
  const rows = summary.rows;
  const n = rows.length;
  const predicted = new Float64Array(n);
  const actual = new Float64Array(n);
  let absolute = 0;
  let squared = 0;
  let actualTotal = 0;
  let predictedTotal = 0;
  for (let i = 0; i < n; i++) {
    predicted[i] = expectedPurchases(model, summary.holdoutLength, rows[i]);
    actual[i] = rows[i].holdoutFrequency ?? 0;
    const error = predicted[i] - actual[i];
    absolute += Math.abs(error);
    squared += error * error;
    actualTotal += actual[i];
    predictedTotal += predicted[i];
  }

  const histogram: HistogramBin[] = [];
  const counts = new Array<number>(8).fill(0);
  for (const row of rows) counts[Math.min(row.frequency, 7)]++;
  const modelCounts = new Array<number>(8).fill(0);
  if (model.model === 'bgnbd') {
    for (const row of rows) {
      let sum = 0;
      for (let k = 0; k < 7; k++) {
        const p = bgnbdProbability(model, row.T, k);
        modelCounts[k] += p;
        sum += p;
      }
      modelCounts[7] += 1 - sum;
    }
  }
  for (let k = 0; k < 8; k++) histogram.push({ repeatPurchases: k < 7 ? String(k) : '7+', actual: counts[k], model: model.model === 'bgnbd' ? modelCounts[k] : null });

  const tracking: TrackingPoint[] = [];
  const firstDays = [...summary.firstPurchasesByDay.keys()].sort((a, b) => a - b);
  const repeatDays = [...summary.repeatsByDay.keys()].sort((a, b) => a - b);
  const calibrationDay = Math.floor(summary.calibrationEnd / DAY_MS);
  const lastDay = summary.holdoutEnd === null ? calibrationDay : Math.floor(summary.holdoutEnd / DAY_MS);
  if (firstDays.length > 0) {
    const start = firstDays[0];
    let cumulative = 0;
    let next = 0;
    for (let week = 1; start + week * 7 - 1 <= lastDay + 6; week++) {
      const end = Math.min(start + week * 7 - 1, lastDay);
      while (next < repeatDays.length && repeatDays[next] <= end) cumulative += summary.repeatsByDay.get(repeatDays[next++])!;
      let expected = 0;
      for (const day of firstDays) {
        if (day > end) break;
        expected += summary.firstPurchasesByDay.get(day)! * expectedPurchasesNew(model, (end - day) / summary.periodDays);
      }
      tracking.push({ week, end: end * DAY_MS, actual: cumulative, model: expected, holdout: end > calibrationDay });
      if (end === lastDay) break;
    }
  }
  return { holdoutLength: summary.holdoutLength, predicted, actual, mae: absolute / n, rmse: Math.sqrt(squared / n), actualTotal, predictedTotal, histogram, tracking };
}
