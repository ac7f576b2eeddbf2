/**
 * The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987) in the form of Fader & Hardie's note
 * "A Note on Deriving the Pareto/NBD Model and Related Expressions" (2005): purchases at rate
 * λ ~ Gamma(r, α) while alive, lifetimes exponential with rate μ ~ Gamma(s, β). The likelihood's
 * A₀ is a difference of two 2F1 terms, computed in log space. P(X(t) = x) follows Fader, Hardie & Lee,
 * "Deriving an Expression for P(X(t) = x) Under the Pareto/NBD Model" (2006).
 */
import { gammaln } from 'simple-statistics';
import { modelError } from '../errors.js';
import type { Steps } from '../steps.js';
import type { BtydPoint } from './bgnbd.js';
import { groupRows, logAddExp, sampleGroups, type BtydInput, type GroupedRows, type Pairs, type Period } from './data.js';
import { estimate, sampleIndices, type FitOptions, type FitStats } from './fit-common.js';
import { logHyp2f1, logRising } from './special.js';

export interface ParetoNbdParams extends FitStats {
  model: 'pareto-nbd';
  period: Period;
  r: number;
  alpha: number;
  s: number;
  beta: number;
  se: { r: number | null; alpha: number | null; s: number | null; beta: number | null };
}

type Params = Pick<ParetoNbdParams, 'r' | 'alpha' | 's' | 'beta'>;

/** One of log A₀'s two terms: log 2F1(m, ·; m + 1; |α − β| / (max(α, β) + u)) − m log(max(α, β) + u), u = t_x or T. */
function a0Term(r: number, alpha: number, s: number, beta: number, x: number, u: number): number {
  const m = r + s + x;
  // The branch keeps the 2F1 argument in [0, 1).
  const [big, second] = alpha >= beta ? [alpha, s + 1] : [beta, r + x];
  const d = Math.abs(alpha - beta);
  return logHyp2f1(m, second, m + 1, d / (big + u)) - m * Math.log(big + u);
}

/** log A₀ from its two terms; -Infinity when t_x = T. */
function a0Of(early: number, late: number): number {
  if (!(early >= late)) return early === late ? -Infinity : NaN;
  return early + Math.log1p(-Math.exp(late - early));
}

/** log A₀ (FH 2005 note, eq. 19-20); -Infinity when t_x = T. */
function logA0(r: number, alpha: number, s: number, beta: number, x: number, tx: number, T: number): number {
  return a0Of(a0Term(r, alpha, s, beta, x, tx), a0Term(r, alpha, s, beta, x, T));
}

/** A₀'s term for each distinct (x, u) pair. */
function a0Terms(r: number, alpha: number, s: number, beta: number, pairs: Pairs): Float64Array {
  const out = new Float64Array(pairs.x.length);
  for (let k = 0; k < out.length; k++) out[k] = a0Term(r, alpha, s, beta, pairs.x[k], pairs.v[k]);
  return out;
}

/**
 * Mean negative log-likelihood. The 2F1 terms of A₀ are computed once per distinct (x, t_x) and
 * (x, T) pair, the logs once per distinct T: the same values as per group, summed in the same order.
 */
export function paretoMeanNegLogLik(data: GroupedRows, theta: ArrayLike<number>): number {
  const [r, alpha, s, beta] = [theta[0], theta[1], theta[2], theta[3]];
  const xs = data.xs;
  const head = new Float64Array(xs.length);
  const goneShare = new Float64Array(xs.length);
  const common = r * Math.log(alpha) + s * Math.log(beta);
  for (let i = 0; i < xs.length; i++) {
    head[i] = common + logRising(r, xs[i]);
    goneShare[i] = Math.log(s / (r + s + xs[i]));
  }
  const logAlphaT = Float64Array.from(data.Ts, (T) => Math.log(alpha + T));
  const logBetaT = Float64Array.from(data.Ts, (T) => Math.log(beta + T));
  const early = a0Terms(r, alpha, s, beta, data.xTx);
  const late = a0Terms(r, alpha, s, beta, data.xT);
  let total = 0;
  for (let g = 0; g < data.x.length; g++) {
    const x = data.x[g];
    const j = data.TIndex[g];
    const k = data.xIndex[g];
    const alive = -(r + x) * logAlphaT[j] - s * logBetaT[j];
    const gone = goneShare[k] + a0Of(early[data.xTx.index[g]], late[data.xT.index[g]]);
    total += data.weight[g] * (head[k] + logAddExp(alive, gone));
  }
  return -total / data.customers;
}

export function paretoLogLikelihood(params: Params, rows: BtydInput): number {
  const data = groupRows(rows);
  return -paretoMeanNegLogLik(data, [params.r, params.alpha, params.s, params.beta]) * data.customers;
}

/** The fit of `rows`; `data` is their groupRows, when the caller has made it already (to share it with the predictions). */
export function* fitParetoNbdSteps(rows: BtydInput, period: Period, options: FitOptions = {}, data: GroupedRows = groupRows(rows)): Steps<ParetoNbdParams> {
  if (!data.x.some((x) => x > 0)) {
    throw modelError('no customer made a repeat purchase in the calibration period: the Pareto/NBD model cannot be fitted', {
      hint: 'choose a later --calibration-end, or give a longer log',
    });
  }
  let meanT = 0;
  for (let g = 0; g < data.x.length; g++) meanT += (data.weight[g] * data.T[g]) / data.customers;
  const logT = Math.log(Math.max(meanT, 1e-3));
  const starts = [
    [0, 0, 0, 0],
    [Math.log(0.5), logT, Math.log(0.5), logT],
    [0, logT - 1, Math.log(2), logT + 1],
  ];
  const sample = sampleGroups(data, sampleIndices(data.x.length));
  const fit = yield* estimate(
    'Pareto/NBD',
    ['r', 'alpha', 's', 'beta'],
    (theta) => paretoMeanNegLogLik(data, theta),
    data.customers,
    starts,
    options,
    sample === null ? undefined : (theta) => paretoMeanNegLogLik(sample, theta),
  );
  const [r, alpha, s, beta] = fit.params;
  return { model: 'pareto-nbd', period, r, alpha, s, beta, se: { r: fit.se[0], alpha: fit.se[1], s: fit.se[2], beta: fit.se[3] }, ...fit.stats };
}

/** P(alive at T | x, t_x, T) (FH 2005 note, eq. 18). */
export function paretoPAlive(p: Params, row: BtydPoint): number {
  const { r, alpha, s, beta } = p;
  const x = row.frequency;
  const a0 = logA0(r, alpha, s, beta, x, row.recency, row.T);
  if (a0 === -Infinity) return 1;
  const log = Math.log(s / (r + s + x)) + (r + x) * Math.log(alpha + row.T) + s * Math.log(beta + row.T) + a0;
  return 1 / (1 + Math.exp(log));
}

/** E[Y(t) | x, t_x, T] / P(alive): the part that does not depend on t_x (FH 2005 note, eq. 22; the s = 1 limit is a logarithm). */
export function paretoPurchasesIfAlive(p: Params, t: number, x: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const ratio = (beta + T) / (beta + T + t);
  const lifetime = Math.abs(s - 1) < 1e-9 ? -Math.log(ratio) : -Math.expm1((s - 1) * Math.log(ratio)) / (s - 1);
  return (((r + x) * (beta + T)) / (alpha + T)) * lifetime;
}

/** E[Y(t) | x, t_x, T] (FH 2005 note, eq. 22). */
export function paretoExpectedPurchases(p: Params, t: number, row: BtydPoint): number {
  if (t === 0) return 0;
  return paretoPurchasesIfAlive(p, t, row.frequency, row.T) * paretoPAlive(p, row);
}

/** E[X(t)] for a new customer. */
export function paretoExpectedPurchasesNew(p: Params, t: number): number {
  const { r, alpha, s, beta } = p;
  const ratio = beta / (beta + t);
  const lifetime = Math.abs(s - 1) < 1e-9 ? -Math.log(ratio) : -Math.expm1((s - 1) * Math.log(ratio)) / (s - 1);
  return ((r * beta) / alpha) * lifetime;
}

const logBeta = (u: number, v: number): number => gammaln(u) + gammaln(v) - gammaln(u + v);

/**
 * P(X(t) = x) for a randomly chosen customer: x purchases in (0, t] (FHL 2006 note). Alive through t
 * (probability (β / (β + t))^s) X(t) is NBD(r, α) over t; otherwise the customer died at τ < t with
 * τ ~ Lomax(s, β) and X(t) is NBD over τ. The second part is the note's closed form: a constant times
 * B₁ − Σ_{j=0..x} (r + s)_j t^j / j! · B₂(j), each B a 2F1 term computed in log space. When B₁ and the
 * sum agree to more than two digits (t small against α and β, or x large: the customer rarely dies
 * with x purchases before t) the difference would be lost to rounding, so the τ integral is summed
 * numerically instead (deadByQuadrature), as it is for x > 30. NaN only if the parameters are not
 * positive numbers.
 */
export function paretoProbability(p: Params, t: number, x: number): number {
  if (t === 0) return x === 0 ? 1 : 0;
  const { r, alpha, s, beta } = p;
  const logAlive = logRising(r, x) - gammaln(x + 1) + r * Math.log(alpha / (alpha + t)) + (x === 0 ? 0 : x * Math.log(t / (alpha + t))) + s * Math.log(beta / (beta + t));
  return Math.exp(logAlive) + deadByClosedForm(p, t, x);
}

/** Beyond this x the closed form's x + 1 terms (2F1s with parameters growing with x) cost more than the quadrature. */
const CLOSED_FORM_MAX_X = 30;

/** The note's closed form of the part where the customer died before t; the quadrature when it cancels or x is large. */
function deadByClosedForm(p: Params, t: number, x: number): number {
  if (x > CLOSED_FORM_MAX_X) return deadByQuadrature(p, t, x);
  const { r, alpha, s, beta } = p;
  // The same branch as A₀'s: the 2F1 argument |α − β| / (max(α, β) + u) stays in [0, 1).
  const [big, second] = alpha >= beta ? [alpha, s + 1] : [beta, r + x];
  const d = Math.abs(alpha - beta);
  const c = r + s + x + 1;
  const logB = (j: number, u: number) => logHyp2f1(r + s + j, second, c, d / (big + u)) - (r + s + j) * Math.log(big + u);
  const logB1 = logB(0, 0);
  let logSum = -Infinity;
  for (let j = 0; j <= x; j++) logSum = logAddExp(logSum, logRising(r + s, j) - gammaln(j + 1) + (j === 0 ? 0 : j * Math.log(t)) + logB(j, t));
  const share = Math.exp(logSum - logB1);
  // NaN (a 2F1 that did not converge) goes to the quadrature too.
  if (!(share <= 0.99)) return deadByQuadrature(p, t, x);
  const logFactor = r * Math.log(alpha) + s * Math.log(beta) + logBeta(r + x, s + 1) - logBeta(r, s);
  return Math.exp(logFactor + logB1 + Math.log1p(-share));
}

/** Gauss–Legendre nodes and weights on [-1, 1] (Newton's method on P_n), computed once. */
const GAUSS_NODES = 16;
let gauss: { nodes: Float64Array; weights: Float64Array } | undefined;
function gaussLegendre(): { nodes: Float64Array; weights: Float64Array } {
  if (gauss !== undefined) return gauss;
  const n = GAUSS_NODES;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let previous = 1;
      let value = z;
      for (let k = 2; k <= n; k++) [previous, value] = [value, ((2 * k - 1) * z * value - (k - 1) * previous) / k];
      derivative = (n * (z * value - previous)) / (z * z - 1);
      const step = value / derivative;
      z -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = z;
    weights[i] = 2 / ((1 - z * z) * derivative * derivative);
  }
  return (gauss = { nodes, weights });
}

/**
 * The died-before-t part as the integral over τ in (0, t) of NBD(x; τ) × the Lomax density of τ, in
 * v = log τ, where the integrand f(v) ∝ τ^(x+1) (α + τ)^-(r+x) (β + τ)^-(s+1) has its singularities
 * (τ = −α, −β) π away from the real axis, and d log f / dv lies in [−(r + s), x + 1]. Hence panels
 * of width min(2, 8 / max(x + 1, r + s)) with 16 Gauss nodes each sum it to rounding. Below
 * τ₁ = min(α, β, t) / (2 (r + s + x + 1)) log f grows at least (x + 1) / 2 per unit of v, so
 * starting 80 / (x + 1) below τ₁ leaves out less than e^-38 of the integral.
 */
function deadByQuadrature(p: Params, t: number, x: number): number {
  const { r, alpha, s, beta } = p;
  const { nodes, weights } = gaussLegendre();
  const logConstant = logRising(r, x) - gammaln(x + 1) + r * Math.log(alpha) + Math.log(s) + s * Math.log(beta);
  const logIntegrand = (v: number) => {
    const tau = Math.exp(v);
    return (x + 1) * v - (r + x) * Math.log(alpha + tau) - (s + 1) * Math.log(beta + tau);
  };
  const top = Math.log(t);
  const bottom = Math.log(Math.min(alpha, beta, t) / (2 * (r + s + x + 1))) - 80 / (x + 1);
  const panels = Math.ceil((top - bottom) / Math.min(2, 8 / Math.max(x + 1, r + s)));
  const width = (top - bottom) / panels;
  // Summed relative to the largest term (log-sum-exp in two passes).
  const logTerms = new Float64Array(panels * nodes.length);
  let largest = -Infinity;
  for (let k = 0; k < panels; k++) {
    const mid = top - (k + 0.5) * width;
    for (let i = 0; i < nodes.length; i++) {
      const value = Math.log((weights[i] * width) / 2) + logIntegrand(mid + (nodes[i] * width) / 2);
      logTerms[k * nodes.length + i] = value;
      if (value > largest) largest = value;
    }
  }
  let total = 0;
  for (const value of logTerms) total += Math.exp(value - largest);
  return Math.exp(logConstant + largest + Math.log(total));
}
