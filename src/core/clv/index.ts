/**
 * Customer lifetime value: the public API of src/core/clv (other modules import from here only).
 *
 * - BTYD summary: `BtydAccumulator` (one pass over kept rows) → `BtydSummary` with its customers as
 *   a `BtydTable` (columns); the bulk functions take a table or `BtydRow`s (`asTable`).
 * - Fits (plain-JSON results with se, logLikelihood, customers, period, warnings):
 *   `fitBgNbd`, `fitParetoNbd`, `fitGammaGamma`, and their `…Steps` generators (steps.ts) for
 *   interruptible runs.
 * - Predictions: `pAlive(model, row)`, `expectedPurchases(model, t, row)` (t in the model's period),
 *   `expectedSpend(gg, row)`, `clv(model, gg, row, { horizonMonths, monthlyDiscount })`,
 *   `predictCustomers(model, gg | null, rows, options)`.
 */
import { runSteps } from '../steps.js';
import { fitBgNbdSteps, type BgNbdParams } from './bgnbd.js';
import type { BtydInput, Period } from './data.js';
import type { FitOptions } from './fit-common.js';
import { fitGammaGammaSteps, type GammaGammaParams } from './gamma-gamma.js';
import { fitParetoNbdSteps, type ParetoNbdParams } from './pareto-nbd.js';

export type { BtydInput, BtydRow, BtydTable, DigitIds, Period } from './data.js';
export { PERIOD_DAYS, asTable, btydRow, checkRow, checkValues, distinctIndex, groupRows, tableRows, type GroupedRows } from './data.js';
export type { FitOptions, FitStats } from './fit-common.js';
export type { BgNbdParams, BtydPoint } from './bgnbd.js';
export type { ParetoNbdParams } from './pareto-nbd.js';
export type { GammaGammaParams, SpendPoint } from './gamma-gamma.js';
export { BtydAccumulator, type BtydSummary, type SummaryOptions } from './summary.js';
export { sortOrderSteps } from './sort.js';
export {
  MONTH_DAYS,
  clv,
  expectedPurchases,
  expectedPurchasesNew,
  expectedSpend,
  pAlive,
  predictCustomers,
  valuePredictor,
  valuePredictorSteps,
  valueTableFrom,
  valueTableSteps,
  type CustomerValue,
  type PurchaseModel,
  type ValueOptions,
  type ValueParts,
  type ValueTable,
} from './value.js';
export { fitBgNbdSteps, bgnbdLogLikelihood, bgnbdProbability } from './bgnbd.js';
export { fitParetoNbdSteps, paretoLogLikelihood, paretoProbability } from './pareto-nbd.js';
export { fitGammaGammaSteps, fitSpendSteps, gammaGammaLogLikelihood, hasOwnSpend, ownsSpend, spendColumns, spendRows, type SpendColumns } from './gamma-gamma.js';

export type ClvModelName = 'bgnbd' | 'pareto-nbd';

export function fitBgNbd(rows: BtydInput, period: Period, options: FitOptions = {}): BgNbdParams {
  return runSteps(fitBgNbdSteps(rows, period, options));
}

export function fitParetoNbd(rows: BtydInput, period: Period, options: FitOptions = {}): ParetoNbdParams {
  return runSteps(fitParetoNbdSteps(rows, period, options));
}

/** Fits on the repeat buyers with a positive monetary value (spendRows). */
export function fitGammaGamma(rows: BtydInput, options: FitOptions = {}): GammaGammaParams {
  return runSteps(fitGammaGammaSteps(rows, options));
}

/** The purchase model named, fitted: for callers that take --model. */
export function fitPurchaseModel(model: ClvModelName, rows: BtydInput, period: Period, options: FitOptions = {}) {
  return model === 'bgnbd' ? fitBgNbd(rows, period, options) : fitParetoNbd(rows, period, options);
}
export { validate, validateSteps, type HistogramBin, type TrackingPoint, type Validation } from './validation.js';
