/**
 * The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005b, "RFM and CLV: using
 * iso-value curves"): a customer's purchases are Gamma(p, ν) around their mean p/ν, ν ~ Gamma(q, γ).
 * Fitted on repeat buyers (frequency > 0) with a positive mean repeat spend.
 */
import { gammaln } from 'simple-statistics';
import { digamma } from './special.js';
import { modelError } from '../errors.js';
import type { Steps } from '../steps.js';
import { asTable, distinctIndex, type BtydInput, type BtydRow } from './data.js';
import { estimate, sampleIndices, type FitOptions, type FitStats } from './fit-common.js';

export interface GammaGammaParams extends FitStats {
  model: 'gamma-gamma';
  p: number;
  q: number;
  gamma: number;
  se: { p: number | null; q: number | null; gamma: number | null };
  /** Pearson correlation of frequency and mean spend among the repeat buyers (the model assumes none). */
  frequencySpendCorrelation: number;
}

export interface SpendPoint {
  frequency: number;
  monetaryValue: number;
}

/** A repeat buyer with a positive mean spend: whom the model is fitted on, and who has an own spend in it. */
export const hasOwnSpend = (row: SpendPoint): boolean => ownsSpend(row.frequency, row.monetaryValue);

/** hasOwnSpend of a customer's frequency and mean spend (the columns of a table). */
export const ownsSpend = (frequency: number, monetary: number): boolean => frequency > 0 && monetary > 0;

/** The repeat buyers the model is fitted on. */
export function spendRows(rows: readonly BtydRow[]): BtydRow[] {
  return rows.filter(hasOwnSpend);
}

/** The repeat buyers' columns: x, log x, m, log m, and the index of each x among the distinct ones. */
interface SpendData {
  x: Float64Array;
  logX: Float64Array;
  m: Float64Array;
  logM: Float64Array;
  xs: Float64Array;
  xIndex: Int32Array;
}

/**
 * The repeat buyers' frequency and mean spend as columns: what the fit reads, and what a worker
 * thread is sent to fit it there (cli/parallel.ts).
 */
export interface SpendColumns {
  frequency: Float64Array;
  monetary: Float64Array;
}

/** The columns of spendRows(rows). */
export function spendColumns(rows: BtydInput): SpendColumns {
  const table = asTable(rows);
  const { frequency: x, monetary: m } = table;
  let n = 0;
  for (let c = 0; c < table.size; c++) if (ownsSpend(x[c], m[c])) n++;
  const frequency = new Float64Array(n);
  const monetary = new Float64Array(n);
  let i = 0;
  for (let c = 0; c < table.size; c++) {
    if (ownsSpend(x[c], m[c])) {
      frequency[i] = x[c];
      monetary[i++] = m[c];
    }
  }
  return { frequency, monetary };
}

function spendData(buyers: SpendColumns, pick: Int32Array | null = null): SpendData {
  const n = pick === null ? buyers.frequency.length : pick.length;
  const x = new Float64Array(n);
  const m = new Float64Array(n);
  const logX = new Float64Array(n);
  const logM = new Float64Array(n);
  // Plain loops: typed-array map and from-with-a-function cost several times more on a million buyers.
  for (let i = 0; i < n; i++) {
    const j = pick === null ? i : pick[i];
    x[i] = buyers.frequency[j];
    m[i] = buyers.monetary[j];
    logX[i] = Math.log(x[i]);
    logM[i] = Math.log(m[i]);
  }
  const { values: xs, index: xIndex } = distinctIndex(x);
  return { x, logX, m, logM, xs, xIndex };
}

function meanNegLogLik(d: SpendData, theta: ArrayLike<number>): number {
  const [p, q, gamma] = [theta[0], theta[1], theta[2]];
  const lq = q * Math.log(gamma) - gammaln(q);
  // Γ terms depend on x alone: once per distinct x, as are p x, p x − 1 and p x + q (the same
  // numbers the loop would compute per buyer).
  const { xs, xIndex, logM, logX, m } = d;
  const byX = Float64Array.from(xs, (x) => gammaln(p * x + q) - gammaln(p * x) + lq);
  const px = Float64Array.from(xs, (x) => p * x);
  const pxLess1 = Float64Array.from(px, (v) => v - 1);
  const pxPlusQ = Float64Array.from(px, (v) => v + q);
  let total = 0;
  for (let i = 0; i < d.x.length; i++) {
    const k = xIndex[i];
    total += byX[k] + pxLess1[k] * logM[i] + px[k] * logX[i] - pxPlusQ[k] * Math.log(xs[k] * m[i] + gamma);
  }
  return -total / d.x.length;
}

/** ∂(mean −LL)/∂(p, q, γ). */
function meanNegLogLikGradient(d: SpendData, theta: ArrayLike<number>): Float64Array {
  const [p, q, gamma] = [theta[0], theta[1], theta[2]];
  const psiQ = digamma(q);
  const psiPXQ = Float64Array.from(d.xs, (x) => digamma(p * x + q));
  const psiPX = Float64Array.from(d.xs, (x) => digamma(p * x));
  const logGamma = Math.log(gamma);
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i];
    const k = d.xIndex[i];
    const s = x * d.m[i] + gamma;
    const logS = Math.log(s);
    gp += x * (psiPXQ[k] - psiPX[k] + d.logM[i] + d.logX[i] - logS);
    gq += psiPXQ[k] - psiQ + logGamma - logS;
    gg += q / gamma - (p * x + q) / s;
  }
  const n = -d.x.length;
  return Float64Array.of(gp / n, gq / n, gg / n);
}

export function gammaGammaLogLikelihood(params: Pick<GammaGammaParams, 'p' | 'q' | 'gamma'>, rows: BtydInput): number {
  const buyers = spendColumns(rows);
  if (buyers.frequency.length === 0) return 0;
  return -meanNegLogLik(spendData(buyers), [params.p, params.q, params.gamma]) * buyers.frequency.length;
}

function correlation(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

export function fitGammaGammaSteps(rows: BtydInput, options: FitOptions = {}): Steps<GammaGammaParams> {
  return fitSpendSteps(spendColumns(rows), options);
}

/** The Gamma-Gamma fit of the repeat buyers' columns (spendColumns). */
export function* fitSpendSteps(buyers: SpendColumns, options: FitOptions = {}): Steps<GammaGammaParams> {
  const count = buyers.frequency.length;
  if (count < 10) {
    throw modelError(`only ${count} repeat buyers with a positive spend: too few to fit the Gamma-Gamma spend model`, {
      hint: 'the spend model needs repeat buyers with a monetary value; give a longer log or a later --calibration-end',
    });
  }
  const data = spendData(buyers);
  const pick = sampleIndices(count);
  const sample = pick === null ? null : spendData(buyers, pick);
  const { x, m } = data;
  let meanM = 0;
  for (const v of m) meanM += v / m.length;
  const starts = [
    [0, 0, 0],
    [Math.log(2), Math.log(2), Math.log(meanM)],
    [Math.log(5), Math.log(3), Math.log(meanM * 2)],
  ];
  const fit = yield* estimate(
    'Gamma-Gamma',
    ['p', 'q', 'gamma'],
    (theta) => meanNegLogLik(data, theta),
    count,
    starts,
    options,
    sample === null ? undefined : (theta) => meanNegLogLik(sample, theta),
    (theta) => meanNegLogLikGradient(data, theta),
  );
  const [p, q, gamma] = fit.params;
  const hint = 'try --penalizer 0.001 (or larger); check that monetary_value is the mean spend per repeat purchase';
  if (!(q > 1)) {
    throw modelError(`the Gamma-Gamma fit has q = ${q.toPrecision(3)} <= 1: the expected spend is infinite`, { hint });
  }
  if (p > 1e4 || q > 1e4) {
    fit.stats.warnings.push(`the Gamma-Gamma fit is implausible (p = ${p.toPrecision(3)}, q = ${q.toPrecision(3)}): spend hardly varies between purchases; ${hint}`);
  }
  const frequencySpendCorrelation = correlation(x, m);
  if (Math.abs(frequencySpendCorrelation) > 0.3) {
    fit.stats.warnings.push(
      `frequency and mean spend are correlated (r = ${frequencySpendCorrelation.toFixed(2)}) among repeat buyers; the Gamma-Gamma model assumes they are independent, so expected spend may be biased`,
    );
  }
  return { model: 'gamma-gamma', p, q, gamma, se: { p: fit.se[0], q: fit.se[1], gamma: fit.se[2] }, frequencySpendCorrelation, ...fit.stats };
}

/**
 * E[M | x, m̄]: the conditional mean spend per purchase, a weighted mean of the population mean
 * p γ / (q − 1) and the customer's own mean m̄ (one-time buyers get the population mean).
 */
export function gammaGammaExpectedSpend(g: Pick<GammaGammaParams, 'p' | 'q' | 'gamma'>, row: SpendPoint): number {
  return expectedSpendOf(g, row.frequency, row.monetaryValue);
}

/** gammaGammaExpectedSpend of frequency x and mean spend m (no object per customer). */
export function expectedSpendOf(g: Pick<GammaGammaParams, 'p' | 'q' | 'gamma'>, frequency: number, monetary: number): number {
  const own = ownsSpend(frequency, monetary);
  const x = own ? frequency : 0;
  const m = own ? monetary : 0;
  return (g.p * (g.gamma + x * m)) / (g.p * x + g.q - 1);
}
