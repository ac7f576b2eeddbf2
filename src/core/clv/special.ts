/**
 * Special functions for the BTYD likelihoods: log|Γ| for any real argument, and the logarithm of
 * the Gauss hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1 (the only range the models use).
 * No package on npm is both well kept and covers 2F1, so this one is ours, tested against scipy
 * (test/oracle/btyd_scipy.py); log Γ for positive arguments is simple-statistics' Lanczos sum.
 */
import { gammaln } from 'simple-statistics';

/** log|Γ(x)|; Infinity at the poles 0, -1, -2, … */
export function logAbsGamma(x: number): number {
  if (x > 0) return gammaln(x);
  if (x === Math.floor(x)) return Infinity;
  // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
  return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - gammaln(1 - x);
}

/** The sign of Γ(x) (0 at a pole): positive for x > 0, alternating between the negative poles. */
export function gammaSign(x: number): number {
  if (x > 0) return 1;
  if (x === Math.floor(x)) return 0;
  return Math.floor(x) % 2 === 0 ? 1 : -1;
}

/** ψ(x) = d/dx log Γ(x) for x > 0: recurrence up to 6, then the asymptotic series. */
export function digamma(x: number): number {
  let result = 0;
  while (x < 6) {
    result -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return result + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/** log Γ(a + x) - log Γ(a) for a > 0 (the rising factorial), exact for small whole x. */
export function logRising(a: number, x: number): number {
  if (x === 0) return 0;
  if (x > 0 && x <= 8 && x === Math.floor(x)) {
    let product = a;
    for (let j = 1; j < x; j++) product *= a + j;
    return Math.log(product);
  }
  return gammaln(a + x) - gammaln(a);
}

/** A value as sign × exp(log) so that huge and tiny values survive. */
export interface Signed {
  log: number;
  sign: number;
}

const MAX_TERMS = 200_000;
/**
 * Terms the transformed series (15.3.6's two, Euler's form) may take before the plain series is
 * used instead. They converge in tens of terms for the parameters a fit gives; with huge ones (a
 * BG/NBD fit whose a and b run to millions) their terms grow for millions of steps while the plain
 * series converges in a hundred: without this budget every such 2F1 took three 200,000-term sums
 * (15 s for 3,000 customers' predictions).
 */
const TRANSFORMED_TERMS = 10_000;
/** Where the direct series gives way to the 1 - z transformation (its series then run at 1 - z <= 0.4). */
const SERIES_LIMIT = 0.6;
/** How close to a whole number c - a - b may come before the transformation loses its digits to cancellation. */
const NEAR_INTEGER = 1e-5;

/** A series sum with how much it cancelled: log of its largest |term| minus log |sum| (0 when no term exceeds the sum). */
interface SeriesSum extends Signed {
  loss: number;
}

/**
 * The power series Σ (a)_n (b)_n / ((c)_n n!) z^n, summed with a running scale so that terms far
 * beyond 1e300 (large a and b) neither overflow nor lose the sum; stops when a term no longer moves it.
 */
function series(a: number, b: number, c: number, z: number, maxTerms = MAX_TERMS): SeriesSum {
  if (z === 0) return { log: 0, sign: 1, loss: 0 };
  // Terms still growing at the last one allowed: the sum cannot end within maxTerms.
  const last = maxTerms - 1;
  if (Math.abs(((a + last) * (b + last)) / ((c + last) * (last + 1))) * z >= 1) return { log: NaN, sign: 0, loss: Infinity };
  let term = 1;
  let sum = 1;
  let logScale = 0;
  let largest = 1;
  let logLargest = 0;
  for (let n = 0; n < maxTerms; n++) {
    term *= ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z;
    sum += term;
    if (Math.abs(term) > largest) {
      largest = Math.abs(term);
      logLargest = logScale + Math.log(largest);
    }
    if (Math.abs(sum) > 1e280 || Math.abs(term) > 1e280) {
      logScale += Math.log(1e280);
      sum /= 1e280;
      term /= 1e280;
      largest /= 1e280;
    }
    if (term === 0 || (Math.abs(term) <= 1e-17 * Math.abs(sum) && (a + n) * (b + n) * z <= (c + n) * (n + 1))) {
      if (!(sum !== 0) || !Number.isFinite(sum)) break;
      const log = logScale + Math.log(Math.abs(sum));
      return { log, sign: Math.sign(sum), loss: Math.max(0, logLargest - log) };
    }
  }
  return { log: NaN, sign: 0, loss: Infinity };
}

function signedGammaRatio(num: number[], den: number[]): Signed {
  let log = 0;
  let sign = 1;
  for (const x of num) {
    log += logAbsGamma(x);
    sign *= gammaSign(x);
  }
  for (const x of den) {
    const s = gammaSign(x);
    if (s === 0) return { log: -Infinity, sign: 0 }; // 1/Γ at a pole is 0
    log -= logAbsGamma(x);
    sign *= s;
  }
  return { log, sign };
}

/** log(x + y) for signed values. */
function addSigned(x: Signed, y: Signed): Signed {
  if (x.sign === 0) return y;
  if (y.sign === 0) return x;
  const [big, small] = x.log >= y.log ? [x, y] : [y, x];
  const ratio = Math.exp(small.log - big.log) * small.sign * big.sign;
  const total = 1 + ratio;
  return { log: big.log + Math.log(Math.abs(total)), sign: big.sign * Math.sign(total) };
}

/** Digits (as a log) a transformation may lose to cancellation before another way is used. */
const MAX_LOSS = Math.log(100);

let ratios = { a: NaN, b: NaN, c: NaN, first: { log: 0, sign: 0 } as Signed, second: { log: 0, sign: 0 } as Signed };

/** Abramowitz & Stegun 15.3.6 (z → 1 - z); undefined when its terms cancel beyond MAX_LOSS. */
function complement(a: number, b: number, c: number, z: number): Signed | undefined {
  const d = c - a - b;
  const w = 1 - z;
  // The Γ ratios depend on a, b, c only: a customer's horizons reuse them (one entry is enough).
  if (a !== ratios.a || b !== ratios.b || c !== ratios.c) {
    ratios = { a, b, c, first: signedGammaRatio([c, d], [c - a, c - b]), second: signedGammaRatio([c, -d], [a, b]) };
  }
  const { first, second } = ratios;
  let left: Signed = { log: -Infinity, sign: 0 };
  let right: Signed = { log: -Infinity, sign: 0 };
  let loss = 0;
  if (first.sign !== 0) {
    const s = series(a, b, 1 - d, w, TRANSFORMED_TERMS);
    left = { log: first.log + s.log, sign: first.sign * s.sign };
    loss = Math.max(loss, s.loss);
  }
  if (second.sign !== 0) {
    const s = series(c - a, c - b, d + 1, w, TRANSFORMED_TERMS);
    right = { log: second.log + s.log + d * Math.log(w), sign: second.sign * s.sign };
    loss = Math.max(loss, s.loss);
  }
  const total = addSigned(left, right);
  loss = Math.max(loss, Math.max(left.log, right.log) - total.log);
  return Number.isFinite(total.log) && loss < MAX_LOSS ? total : undefined;
}

/**
 * log 2F1(a, b; c; z) for 0 <= z < 1 and c not a non-positive whole number, where 2F1 > 0 (always
 * so when a, b, c > 0; the models call it only so). Small z: the series. Larger z: Abramowitz &
 * Stegun 15.3.6 (z → 1 - z), whose two series converge fast; when c - a - b is (nearly) whole or
 * the parameters are large that formula cancels, and the series at z (Euler's form, else the plain
 * one) is summed to the end instead. NaN when 2F1 <= 0 or the
 * series did not converge — callers turn that into an error, never into output.
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  const value = signedHyp2f1(a, b, c, z);
  return value.sign > 0 ? value.log : NaN;
}

/** 2F1(a, b; c; z) as sign and log|value| (sign 0 and log NaN when it cannot be computed). */
export function signedHyp2f1(a: number, b: number, c: number, z: number): Signed {
  const failed = { log: NaN, sign: 0 };
  if (!(z >= 0 && z < 1)) return failed;
  if (c <= 0 && c === Math.floor(c)) return failed;
  const d = c - a - b;
  let value: Signed | undefined;
  if (z > SERIES_LIMIT && Math.abs(d - Math.round(d)) >= NEAR_INTEGER) {
    value = complement(a, b, c, z);
    // Large parameters make the two halves cancel: then sum at z itself, Euler's form
    // (1 - z)^(c - a - b) 2F1(c - a, c - b; c; z) first when its terms do not cancel.
    if (value === undefined) {
      const euler = series(c - a, c - b, c, z, TRANSFORMED_TERMS);
      if (euler.loss < MAX_LOSS) value = { log: euler.log + d * Math.log1p(-z), sign: euler.sign };
    }
  }
  value ??= series(a, b, c, z);
  return Number.isFinite(value.log) || value.log === -Infinity ? value : failed;
}
