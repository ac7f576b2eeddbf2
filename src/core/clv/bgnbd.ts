/**
 * The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): purchases
 * at Poisson rate λ ~ Gamma(r, α) while alive; after each purchase the customer drops out with
 * probability p ~ Beta(a, b). Likelihood, P(alive), E[Y(t) | x, t_x, T] and the unconditional
 * E[X(t)] and P(X(t) = x), all in the time unit of the BTYD summary.
 */
import { gammaln } from 'simple-statistics';
import { modelError } from '../errors.js';
import type { Steps } from '../steps.js';
import { groupRows, sampleGroups, type BtydInput, type GroupedRows, type Period } from './data.js';
import { estimate, sampleIndices, type FitOptions, type FitStats } from './fit-common.js';
import { digamma, logRising, signedHyp2f1 } from './special.js';

export interface BgNbdParams extends FitStats {
  model: 'bgnbd';
  period: Period;
  r: number;
  alpha: number;
  a: number;
  b: number;
  se: { r: number | null; alpha: number | null; a: number | null; b: number | null };
}

export interface BtydPoint {
  frequency: number;
  recency: number;
  T: number;
}

/** log(α + v) for each of the distinct values. */
function logShifted(alpha: number, values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = Math.log(alpha + values[j]);
  return out;
}

/** Mean negative log-likelihood of the grouped rows at θ = (r, α, a, b). */
export function bgnbdMeanNegLogLik(data: GroupedRows, theta: ArrayLike<number>): number {
  const [r, alpha, a, b] = [theta[0], theta[1], theta[2], theta[3]];
  const xs = data.xs;
  const head = new Float64Array(xs.length);
  const dropout = new Float64Array(xs.length);
  // r + x per distinct x: the same number the loop below would add up per group.
  const power = new Float64Array(xs.length);
  const common = r * Math.log(alpha) + gammaln(a + b) - gammaln(b);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    head[i] = common + logRising(r, x) + gammaln(b + x) - gammaln(a + b + x);
    dropout[i] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity;
    power[i] = r + x;
  }
  const logT = logShifted(alpha, data.Ts);
  const logTx = logShifted(alpha, data.txs);
  let total = 0;
  const n = data.x.length;
  const { xIndex, TIndex, txIndex, weight } = data;
  for (let g = 0; g < n; g++) {
    const k = xIndex[g];
    const alive = -power[k] * logT[TIndex[g]];
    let ll = alive;
    if (xs[k] > 0) {
      // log(e^alive + e^gone), inlined (the hot loop of the fit).
      const gone = dropout[k] - power[k] * logTx[txIndex[g]];
      ll = alive > gone ? alive + Math.log1p(Math.exp(gone - alive)) : gone + Math.log1p(Math.exp(alive - gone));
    }
    total += weight[g] * (head[k] + ll);
  }
  return -total / data.customers;
}

/** ∂(mean −LL)/∂(r, α, a, b) of the grouped rows (the BFGS polish; checked against differences in the tests). */
export function bgnbdMeanNegLogLikGradient(data: GroupedRows, theta: ArrayLike<number>): Float64Array {
  const [r, alpha, a, b] = [theta[0], theta[1], theta[2], theta[3]];
  const xs = data.xs;
  // Per distinct x: ∂head/∂r, ∂head/∂a, ∂head/∂b and the dropout term's log.
  const hr = new Float64Array(xs.length);
  const ha = new Float64Array(xs.length);
  const hb = new Float64Array(xs.length);
  const dropout = new Float64Array(xs.length);
  const psiAB = digamma(a + b);
  const psiR = digamma(r);
  const psiB = digamma(b);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const psiABX = digamma(a + b + x);
    hr[i] = Math.log(alpha) + digamma(r + x) - psiR;
    ha[i] = psiAB - psiABX;
    hb[i] = psiAB + digamma(b + x) - psiB - psiABX;
    dropout[i] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity;
  }
  const logTs = logShifted(alpha, data.Ts);
  const logTxs = logShifted(alpha, data.txs);
  let gr = 0;
  let galpha = 0;
  let ga = 0;
  let gb = 0;
  for (let g = 0; g < data.x.length; g++) {
    const x = data.x[g];
    const k = data.xIndex[g];
    const w = data.weight[g];
    const logT = logTs[data.TIndex[g]];
    // The weight of the "gone" term in log(e^alive + e^gone).
    let share = 0;
    let logTx = 0;
    if (x > 0) {
      logTx = logTxs[data.txIndex[g]];
      const diff = dropout[k] - (r + x) * logTx + (r + x) * logT;
      share = diff > 0 ? 1 / (1 + Math.exp(-diff)) : Math.exp(diff) / (1 + Math.exp(diff));
    }
    const kept = 1 - share;
    gr += w * (hr[k] - kept * logT - share * logTx);
    galpha += w * (r / alpha - kept * ((r + x) / (alpha + data.T[g])) - (x > 0 ? share * ((r + x) / (alpha + data.tx[g])) : 0));
    ga += w * (ha[k] + (x > 0 ? share / a : 0));
    gb += w * (hb[k] - (x > 0 ? share / (b + x - 1) : 0));
  }
  const n = -data.customers;
  return Float64Array.of(gr / n, galpha / n, ga / n, gb / n);
}

/** The total log-likelihood of `rows` at the given parameters. */
export function bgnbdLogLikelihood(params: Pick<BgNbdParams, 'r' | 'alpha' | 'a' | 'b'>, rows: BtydInput): number {
  const data = groupRows(rows);
  return -bgnbdMeanNegLogLik(data, [params.r, params.alpha, params.a, params.b]) * data.customers;
}

/** The fit of `rows`; `data` is their groupRows, when the caller has made it already (to share it with the predictions). */
export function* fitBgNbdSteps(rows: BtydInput, period: Period, options: FitOptions = {}, data: GroupedRows = groupRows(rows)): Steps<BgNbdParams> {
  if (!data.x.some((x) => x > 0)) {
    throw modelError('no customer made a repeat purchase in the calibration period: the BG/NBD model cannot be fitted', {
      hint: 'choose a later --calibration-end, or give a longer log',
    });
  }
  let meanT = 0;
  for (let g = 0; g < data.x.length; g++) meanT += (data.weight[g] * data.T[g]) / data.customers;
  const starts = [
    [0, 0, 0, 0],
    [Math.log(0.1), Math.log(0.1), Math.log(0.1), Math.log(0.1)],
    [0, Math.log(Math.max(meanT, 1e-3)), 0, Math.log(3)],
  ];
  const sample = sampleGroups(data, sampleIndices(data.x.length));
  const fit = yield* estimate(
    'BG/NBD',
    ['r', 'alpha', 'a', 'b'],
    (theta) => bgnbdMeanNegLogLik(data, theta),
    data.customers,
    starts,
    options,
    sample === null ? undefined : (theta) => bgnbdMeanNegLogLik(sample, theta),
    (theta) => bgnbdMeanNegLogLikGradient(data, theta),
  );
  const [r, alpha, a, b] = fit.params;
  return { model: 'bgnbd', period, r, alpha, a, b, se: { r: fit.se[0], alpha: fit.se[1], a: fit.se[2], b: fit.se[3] }, ...fit.stats };
}

type Params = Pick<BgNbdParams, 'r' | 'alpha' | 'a' | 'b'>;

/** P(alive at T | x, t_x, T): 1 for a customer without repeat purchases. */
export function bgnbdPAlive(p: Params, row: BtydPoint): number {
  const x = row.frequency;
  if (x === 0) return 1;
  const log = Math.log(p.a / (p.b + x - 1)) + (p.r + x) * (Math.log(p.alpha + row.T) - Math.log(p.alpha + row.recency));
  return 1 / (1 + Math.exp(log));
}

/**
 * The part of E[Y(t) | x, t_x, T] that does not depend on t_x (FHL 2005, eq. 10's numerator): the
 * predictions compute it once per distinct (x, T) and divide by bgnbdPurchasesDenominator.
 */
export function bgnbdPurchasesNumerator(p: Params, t: number, x: number, T: number): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + T + t);
  const f = signedHyp2f1(r + x, b + x, a + b + x - 1, z);
  const term = f.sign * Math.exp((r + x) * Math.log((alpha + T) / (alpha + T + t)) + f.log);
  return ((a + b + x - 1) / (a - 1)) * (1 - term);
}

/** The denominator of eq. 10: 1 + a/(b + x − 1) ((α + T)/(α + t_x))^(r + x), 1 without repeat purchases. */
export function bgnbdPurchasesDenominator(p: Params, row: BtydPoint): number {
  const { r, alpha, a, b } = p;
  const x = row.frequency;
  return x > 0 ? 1 + (a / (b + x - 1)) * Math.exp((r + x) * (Math.log(alpha + row.T) - Math.log(alpha + row.recency))) : 1;
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next t periods (FHL 2005, eq. 10). */
export function bgnbdExpectedPurchases(p: Params, t: number, row: BtydPoint): number {
  if (t === 0) return 0;
  return bgnbdPurchasesNumerator(p, t, row.frequency, row.T) / bgnbdPurchasesDenominator(p, row);
}

/** E[X(t)]: expected purchases of a new customer in the first t periods after the first (eq. 9). */
export function bgnbdExpectedPurchasesNew(p: Params, t: number): number {
  if (t === 0) return 0;
  const { r, alpha, a, b } = p;
  const f = signedHyp2f1(r, b, a + b - 1, t / (alpha + t));
  return ((a + b - 1) / (a - 1)) * (1 - f.sign * Math.exp(r * Math.log(alpha / (alpha + t)) + f.log));
}

/** P(X(t) = x) for a new customer (eq. 8). */
export function bgnbdProbability(p: Params, t: number, x: number): number {
  const { r, alpha, a, b } = p;
  const logBeta = (u: number, v: number) => gammaln(u) + gammaln(v) - gammaln(u + v);
  const logBab = logBeta(a, b);
  const logPoisson = (j: number) => logRising(r, j) - gammaln(j + 1) + r * Math.log(alpha / (alpha + t)) + (j === 0 ? 0 : j * Math.log(t / (alpha + t)));
  let value = Math.exp(logBeta(a, b + x) - logBab + logPoisson(x));
  if (x > 0) {
    let partial = 0;
    for (let j = 0; j < x; j++) partial += Math.exp(logPoisson(j));
    value += Math.exp(logBeta(a + 1, b + x - 1) - logBab) * (1 - partial);
  }
  return value;
}
