/**
 * The model file's lifetime-value section (`rfm fit --clv`) and predictions from it: BG/NBD,
 * Pareto/NBD and Gamma-Gamma fitted on the training log's BTYD summary (src/core/clv), and each
 * segment's mean P(alive), expected purchases, expected spend and CLV, so that `rfm summary` can
 * show them from the model alone. Predictions use BG/NBD (the purchase model `lifetimes` defaults to).
 */
import {
  clv,
  expectedPurchases,
  expectedSpend,
  fitBgNbdSteps,
  fitGammaGammaSteps,
  fitParetoNbdSteps,
  asTable,
  btydRow,
  groupRows,
  MONTH_DAYS,
  PERIOD_DAYS,
  pAlive,
  type BtydInput,
  type BtydSummary,
  type FitOptions,
  type Period,
} from './clv/index.js';
import { exactSum } from './segments.js';
import type { ModelClv, SegmentClv } from './model.js';
import type { Steps } from './steps.js';

export interface ClvFitOptions extends FitOptions {
  horizonMonths: number;
  monthlyDiscount: number;
}

/** One customer's BTYD values, as a request or a file gives them. */
export interface BtydValues {
  frequency: number;
  recency: number;
  T: number;
  monetaryValue: number;
}

export interface ClvPrediction {
  pAlive: number;
  expectedPurchases: number;
  expectedSpend: number;
  clv: number;
}

/** The stored purchase model in the shape the clv formulas take. */
function purchaseModel(section: ModelClv) {
  return section.purchaseModel === 'bgnbd'
    ? { model: 'bgnbd' as const, period: section.period, ...section.bgnbd }
    : { model: 'pareto-nbd' as const, period: section.period, ...section.paretoNbd };
}

/**
 * P(alive), purchases expected over `horizonMonths` (default the model's), Gamma-Gamma expected
 * spend and discounted CLV of one customer, from the model's clv section; values in its period.
 */
export function predictClv(section: ModelClv, values: BtydValues, horizon: Partial<Pick<ClvFitOptions, 'horizonMonths' | 'monthlyDiscount'>> = {}): ClvPrediction {
  const model = purchaseModel(section);
  const horizonMonths = horizon.horizonMonths ?? section.horizonMonths;
  const monthlyDiscount = horizon.monthlyDiscount ?? section.monthlyDiscount;
  const periods = (horizonMonths * MONTH_DAYS) / PERIOD_DAYS[section.period];
  return {
    pAlive: pAlive(model, values),
    expectedPurchases: expectedPurchases(model, periods, values),
    expectedSpend: expectedSpend(section.gammaGamma, values),
    clv: clv(model, section.gammaGamma, values, { horizonMonths, monthlyDiscount }),
  };
}

/** The means per segment of every customer's predictions. */
export function segmentClv(section: ModelClv, rows: BtydInput, labels: ArrayLike<number>, k: number): SegmentClv[] {
  const columns = Array.from({ length: k }, () => ({ pAlive: [] as number[], expectedPurchases: [] as number[], expectedSpend: [] as number[], clv: [] as number[] }));
  const table = asTable(rows);
  for (let i = 0; i < table.size; i++) {
    const label = labels[i];
    if (label < 0) continue;
    const p = predictClv(section, btydRow(table, i));
    const c = columns[label];
    c.pAlive.push(p.pAlive);
    c.expectedPurchases.push(p.expectedPurchases);
    c.expectedSpend.push(p.expectedSpend);
    c.clv.push(p.clv);
  }
  const mean = (values: number[]) => (values.length === 0 ? 0 : exactSum(values) / values.length);
  return columns.map((c, cluster) => ({
    cluster,
    customers: c.clv.length,
    pAlive: mean(c.pAlive),
    expectedPurchases: mean(c.expectedPurchases),
    expectedSpend: mean(c.expectedSpend),
    clv: mean(c.clv),
    clvTotal: exactSum(c.clv),
  }));
}

/**
 * Fits the three models on `summary` and returns the clv section and the fits' warnings:
 * `labels[i]` is the cluster of the summary's customer i (-1 for a customer the segmentation does not have).
 */
export function* fitClvSteps(summary: BtydSummary, labels: ArrayLike<number>, k: number, options: ClvFitOptions): Steps<{ section: ModelClv; warnings: string[] }> {
  const period: Period = summary.period;
  const fit = { penalizer: options.penalizer };
  // Both purchase models are fitted on one grouping of the rows.
  const customers = summary.customers;
  const grouping = groupRows(customers);
  const bg = yield* fitBgNbdSteps(customers, period, fit, grouping);
  const pareto = yield* fitParetoNbdSteps(customers, period, fit, grouping);
  const gg = yield* fitGammaGammaSteps(customers, fit);
  const section: ModelClv = {
    period,
    calibrationEnd: new Date(summary.calibrationEnd).toISOString().slice(0, 10),
    horizonMonths: options.horizonMonths,
    monthlyDiscount: options.monthlyDiscount,
    purchaseModel: 'bgnbd',
    bgnbd: { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b, logLikelihood: bg.logLikelihood, customers: bg.customers, se: bg.se },
    paretoNbd: { r: pareto.r, alpha: pareto.alpha, s: pareto.s, beta: pareto.beta, logLikelihood: pareto.logLikelihood, customers: pareto.customers, se: pareto.se },
    gammaGamma: { p: gg.p, q: gg.q, gamma: gg.gamma, logLikelihood: gg.logLikelihood, customers: gg.customers, se: gg.se },
    segments: [],
  };
  section.segments = segmentClv(section, customers, labels, k);
  // Non-convergence and missing standard errors: said on stderr, the section is still usable.
  return { section, warnings: [...bg.warnings, ...pareto.warnings, ...gg.warnings] };
}

export const BTYD_FIELDS = ['frequency', 'recency', 'T', 'monetaryValue'] as const;
export type BtydField = (typeof BTYD_FIELDS)[number];

/**
 * The problems with one customer's BTYD values, as [field, requirement] pairs (empty when usable):
 * frequency a whole number >= 0, 0 <= recency <= T, a one-time buyer's recency 0, monetaryValue >= 0.
 */
export function btydProblems(values: Partial<Record<BtydField, unknown>>): [BtydField, string][] {
  for (const field of BTYD_FIELDS) {
    const v = values[field];
    if (v === undefined || v === null) return [[field, 'is required']];
    if (typeof v !== 'number' || !Number.isFinite(v)) return [[field, 'must be a finite number']];
  }
  const { frequency, recency, T, monetaryValue } = values as BtydValues;
  if (!(Number.isInteger(frequency) && frequency >= 0)) return [['frequency', 'must be a whole number >= 0 (repeat purchase days)']];
  if (recency < 0) return [['recency', 'must be >= 0']];
  if (recency > T) return [['recency', 'must be <= T (the last purchase is before the calibration end)']];
  if (frequency === 0 && recency !== 0) return [['recency', 'must be 0 when frequency is 0 (a one-time buyer)']];
  if (monetaryValue < 0) return [['monetaryValue', 'must be >= 0']];
  return [];
}
