/**
 * Minimising a smooth objective of a few positive parameters, in log-parameter space (so every
 * parameter stays positive without bounds): Nelder–Mead from several starting points, then BFGS
 * with central-difference gradients from the best of them, and a convergence check on the gradient.
 * Standard errors come from a numeric Hessian. A generator (steps.ts) yielding once per iteration,
 * so that a fit over a million customers can be interrupted.
 */
import type { Steps } from '../steps.js';

export type Objective = (logParams: Float64Array) => number;

export interface MinimizeResult {
  logParams: Float64Array;
  value: number;
  /** Infinity norm of the gradient (log space) at the result. */
  gradientNorm: number;
  converged: boolean;
  evaluations: number;
}

export interface MinimizeOptions {
  starts: readonly number[][];
  /** Gradient infinity norm (log space) below which the result counts as converged. */
  gradientTolerance?: number;
  maxIterations?: number;
  /**
   * A cheaper approximation of the objective (the same likelihood on a sample of the customers)
   * for the Nelder–Mead search from every start; BFGS then polishes on the objective itself.
   */
  coarse?: Objective;
  /** The objective's gradient (log space), when known in closed form; else central differences. */
  gradient?: (logParams: Float64Array) => Float64Array;
}

/** Largest |log parameter|: beyond it a parameter is at 0 or infinity, a boundary solution. */
export const LOG_BOUND = 25;

function guarded(f: Objective, counter: { n: number }): Objective {
  return (x) => {
    counter.n++;
    for (let i = 0; i < x.length; i++) if (!(Math.abs(x[i]) <= LOG_BOUND)) return Infinity;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
}

function* nelderMead(f: Objective, start: ArrayLike<number>, maxIterations: number, stopAt: number, step = 0.5): Steps<{ x: Float64Array; value: number }> {
  const n = start.length;
  const simplex: Float64Array[] = [Float64Array.from(start)];
  for (let i = 0; i < n; i++) {
    const p = Float64Array.from(start);
    p[i] += step;
    simplex.push(p);
  }
  const values = simplex.map(f);
  const point = (from: Float64Array, towards: Float64Array, t: number) => {
    const p = new Float64Array(n);
    for (let j = 0; j < n; j++) p[j] = from[j] + t * (towards[j] - from[j]);
    return p;
  };
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    const sorted = order.map((i) => simplex[i]);
    const sortedValues = order.map((i) => values[i]);
    for (let i = 0; i <= n; i++) {
      simplex[i] = sorted[i];
      values[i] = sortedValues[i];
    }
    let spread = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(simplex[i][j] - simplex[0][j]));
    if (spread < stopAt) break;
    const centroid = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
    const worst = simplex[n];
    const reflected = point(centroid, worst, -1);
    const fr = f(reflected);
    if (fr < values[0]) {
      const expanded = point(centroid, worst, -2);
      const fe = f(expanded);
      if (fe < fr) [simplex[n], values[n]] = [expanded, fe];
      else [simplex[n], values[n]] = [reflected, fr];
    } else if (fr < values[n - 1]) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n] ? point(centroid, worst, -0.5) : point(centroid, worst, 0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, values[n])) [simplex[n], values[n]] = [contracted, fc];
      else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = point(simplex[0], simplex[i], 0.5);
          values[i] = f(simplex[i]);
        }
      }
    }
    yield;
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i] < values[best]) best = i;
  return { x: simplex[best], value: values[best] };
}

export function gradient(f: Objective, x: Float64Array): Float64Array {
  const g = new Float64Array(x.length);
  const p = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const h = 1e-5 * (1 + Math.abs(x[i]));
    p[i] = x[i] + h;
    const up = f(p);
    p[i] = x[i] - h;
    const down = f(p);
    p[i] = x[i];
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

const norm = (g: Float64Array) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function* bfgs(
  f: Objective,
  grad: (x: Float64Array) => Float64Array,
  start: Float64Array,
  startValue: number,
  maxIterations: number,
  tolerance: number,
  startInverseHessian: Float64Array | null,
  /** `grad` is in closed form, not differences of `f` (whose rounding it would share). */
  exactGradient: boolean,
): Steps<{ x: Float64Array; value: number; g: Float64Array }> {
  const n = start.length;
  let x = Float64Array.from(start);
  let value = startValue;
  let g = grad(x);
  // Inverse Hessian approximation, row-major: the given one, else the identity.
  let H = startInverseHessian === null ? new Float64Array(n * n) : Float64Array.from(startInverseHessian);
  if (startInverseHessian === null) for (let i = 0; i < n; i++) H[i * n + i] = 1;
  for (let iteration = 0; iteration < maxIterations && norm(g) > tolerance; iteration++) {
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i] -= H[i * n + j] * g[j];
    let slope = 0;
    for (let i = 0; i < n; i++) slope += d[i] * g[i];
    if (!(slope < 0)) {
      // Not a descent direction: restart from the gradient.
      H = new Float64Array(n * n);
      for (let i = 0; i < n; i++) H[i * n + i] = 1;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = -g.reduce((s, v) => s + v * v, 0);
    }
    let step = 1;
    let next = new Float64Array(n);
    let nextValue = Infinity;
    let nextG: Float64Array | undefined;
    // Near the optimum the decrease a step makes falls below the rounding of a mean over many
    // customers (about √n ulps of the terms: ~1e-14 of the value for a million): the values can
    // no longer tell a good step from a bad one, and halving the step 20 times over is no help.
    // There a closed-form gradient can: the full step, when its value is the same to rounding,
    // is taken if the gradient there is smaller.
    const noise = 1e-13 * Math.abs(value);
    let accepted = false;
    for (let tries = 0; tries < 40; tries++, step /= 2) {
      for (let i = 0; i < n; i++) next[i] = x[i] + step * d[i];
      nextValue = f(next);
      if (nextValue <= value + 1e-4 * step * slope && nextValue < value) {
        accepted = true;
        break;
      }
      if (tries === 0 && exactGradient && Math.abs(nextValue - value) <= noise) {
        const there = grad(next);
        if (norm(there) < norm(g)) {
          nextG = there;
          accepted = true;
          break;
        }
      }
    }
    if (!accepted) break;
    nextG ??= grad(next);
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = next[i] - x[i];
      y[i] = nextG[i] - g[i];
      sy += s[i] * y[i];
    }
    if (sy > 1e-300) {
      const Hy = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hy[i] += H[i * n + j] * y[j];
      let yHy = 0;
      for (let i = 0; i < n; i++) yHy += y[i] * Hy[i];
      const updated = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          updated[i * n + j] = H[i * n + j] + ((sy + yHy) * s[i] * s[j]) / (sy * sy) - (Hy[i] * s[j] + s[i] * Hy[j]) / sy;
        }
      }
      H = updated;
    }
    x = next;
    value = nextValue;
    g = nextG;
    yield;
  }
  return { x, value, g };
}

/** Minimises `objective` from each start (Nelder–Mead), then polishes the best with BFGS. */
export function* minimize(objective: Objective, options: MinimizeOptions): Steps<MinimizeResult> {
  const counter = { n: 0 };
  const f = guarded(objective, counter);
  const tolerance = options.gradientTolerance ?? 1e-8;
  const search = options.coarse === undefined ? f : guarded(options.coarse, counter);
  // Coarse is enough: the search only picks the best of the starts, and BFGS polishes it (from the
  // curvature at that point), so the simplex need not shrink further than 0.01 in log space. Each
  // start's search stops at 0.1, and only the best one goes on to 0.01 (from a simplex of 0.1):
  // the other starts' last steps were spent on points that are then dropped.
  const maxIterations = options.maxIterations ?? 1500;
  let best: { x: Float64Array; value: number } | undefined;
  for (const start of options.starts) {
    const result = yield* nelderMead(search, start, maxIterations, 1e-1);
    if (best === undefined || result.value < best.value) best = result;
  }
  if (best !== undefined && Number.isFinite(best.value)) {
    const refined = yield* nelderMead(search, best.x, maxIterations, 1e-2, 1e-1);
    if (refined.value <= best.value) best = refined;
  }
  if (best !== undefined && options.coarse !== undefined) best = { x: best.x, value: f(best.x) };
  if (best === undefined || !Number.isFinite(best.value)) {
    return { logParams: Float64Array.from(options.starts[0] ?? []), value: Infinity, gradientNorm: Infinity, converged: false, evaluations: counter.n };
  }
  const exact = options.gradient;
  const grad = exact === undefined ? (x: Float64Array) => gradient(f, x) : (x: Float64Array) => (counter.n++, exact(x));
  // On a sample, the curvature of the mean likelihood is nearly the whole one's: BFGS started from
  // its inverse takes near-Newton steps at once instead of learning the scales (a fit of a million
  // customers: ~26 full gradients become ~8). Where it is not positive definite, the identity.
  const startInverse = options.coarse === undefined ? null : positiveInverse(hessian(search, best.x), best.x.length);
  const polished = yield* bfgs(f, grad, best.x, best.value, 200, tolerance, startInverse, exact !== undefined);
  const gradientNorm = norm(polished.g);
  return { logParams: polished.x, value: polished.value, gradientNorm, converged: gradientNorm <= tolerance * 100, evaluations: counter.n };
}

/** The inverse of a symmetric matrix when it is positive definite (all pivots > 0), else null. */
function positiveInverse(matrix: Float64Array, n: number): Float64Array | null {
  if (!choleskyPositive(matrix, n)) return null;
  const inv = invert(matrix, n);
  return inv !== null && inv.every(Number.isFinite) ? inv : null;
}

/** True when the Cholesky factorisation of the symmetric matrix succeeds (it is positive definite). */
function choleskyPositive(matrix: Float64Array, n: number): boolean {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j];
      for (let k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(sum > 0)) return false;
        L[i * n + i] = Math.sqrt(sum);
      } else L[i * n + j] = sum / L[j * n + j];
    }
  }
  return true;
}

/**
 * The Hessian as central differences of a closed-form gradient, symmetrised: 2n gradients instead
 * of 2n² + 1 values (a fit of a million customers: 8 passes over the data instead of 33).
 */
export function hessianFromGradient(grad: (x: Float64Array) => Float64Array, x: Float64Array): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const p = Float64Array.from(x);
  for (let j = 0; j < n; j++) {
    const h = 1e-4 * (1 + Math.abs(x[j]));
    p[j] = x[j] + h;
    const up = grad(p);
    p[j] = x[j] - h;
    const down = grad(p);
    p[j] = x[j];
    for (let i = 0; i < n; i++) H[i * n + j] = (up[i] - down[i]) / (2 * h);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const mean = (H[i * n + j] + H[j * n + i]) / 2;
      H[i * n + j] = mean;
      H[j * n + i] = mean;
    }
  }
  return H;
}

/** Central-difference Hessian of `f` at x (n small: 2n² + 1 evaluations). */
export function hessian(f: Objective, x: Float64Array): Float64Array {
  const n = x.length;
  const H = new Float64Array(n * n);
  const p = Float64Array.from(x);
  const f0 = f(p);
  const h = Array.from(x, (v) => 1e-4 * (1 + Math.abs(v)));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let value: number;
      if (i === j) {
        p[i] = x[i] + h[i];
        const up = f(p);
        p[i] = x[i] - h[i];
        const down = f(p);
        p[i] = x[i];
        value = (up - 2 * f0 + down) / (h[i] * h[i]);
      } else {
        const at = (si: number, sj: number) => {
          p[i] = x[i] + si * h[i];
          p[j] = x[j] + sj * h[j];
          const v = f(p);
          p[i] = x[i];
          p[j] = x[j];
          return v;
        };
        value = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[i] * h[j]);
      }
      H[i * n + j] = value;
      H[j * n + i] = value;
    }
  }
  return H;
}

/** Inverse of a small symmetric matrix by Gauss–Jordan with partial pivoting; null when singular. */
export function invert(matrix: Float64Array, n: number): Float64Array | null {
  const a = Float64Array.from(matrix);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    const pv = a[pivot * n + col];
    if (!(Math.abs(pv) > 1e-300)) return null;
    for (let k = 0; k < n; k++) {
      [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k], a[col * n + k]];
      [inv[col * n + k], inv[pivot * n + k]] = [inv[pivot * n + k], inv[col * n + k]];
    }
    for (let k = 0; k < n; k++) {
      a[col * n + k] /= pv;
      inv[col * n + k] /= pv;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r * n + col];
      if (factor === 0) continue;
      for (let k = 0; k < n; k++) {
        a[r * n + k] -= factor * a[col * n + k];
        inv[r * n + k] -= factor * inv[col * n + k];
      }
    }
  }
  return inv;
}

/**
 * Standard errors of the natural parameters θ = exp(φ) from the Hessian of the total negative
 * log-likelihood in log space (delta method: se(θᵢ) = θᵢ · sqrt((H_φ⁻¹)ᵢᵢ)); null entries where
 * the Hessian is not positive definite there.
 */
export function standardErrors(
  totalNegLogLik: Objective,
  logParams: Float64Array,
  /** Its gradient in closed form, when known: the Hessian is then made from it. */
  totalGradient?: (logParams: Float64Array) => Float64Array,
): (number | null)[] {
  const n = logParams.length;
  const H = totalGradient === undefined ? hessian(totalNegLogLik, logParams) : hessianFromGradient(totalGradient, logParams);
  const inv = invert(H, n);
  return Array.from(logParams, (phi, i) => {
    const v = inv?.[i * n + i];
    return v !== undefined && v > 0 && Number.isFinite(v) ? Math.exp(phi) * Math.sqrt(v) : null;
  });
}
