/** What every fit shares: the result's statistics, its warnings and the checks on the solution. */
import { modelError } from '../errors.js';
import type { Steps } from '../steps.js';
import { LOG_BOUND, minimize, standardErrors, type Objective } from './optimize.js';

export interface FitOptions {
  /** L2 penalty on the parameters (as lifetimes' penalizer_coef: coefficient × Σ θ² added to the mean negative log-likelihood). */
  penalizer?: number;
}

export interface FitStats {
  /** Total log-likelihood at the estimate (without the penalty). */
  logLikelihood: number;
  customers: number;
  penalizer: number;
  /** Largest |∂(mean −LL)/∂ log θ| at the estimate: the convergence check. */
  gradientNorm: number;
  evaluations: number;
  warnings: string[];
}

/** Above this many likelihood terms the starting points are searched on a sample (SAMPLE_TERMS of them). */
export const SAMPLE_ABOVE = 4_000;
export const SAMPLE_TERMS = 2_000;

/** Every k-th of n indices (deterministic), about `size` of them; null when n is small enough. */
export function sampleIndices(n: number, size = SAMPLE_TERMS): Int32Array | null {
  if (n <= SAMPLE_ABOVE) return null;
  const step = n / size;
  return Int32Array.from({ length: size }, (_, i) => Math.floor(i * step));
}

export interface Estimate {
  params: number[];
  se: (number | null)[];
  stats: FitStats;
}

/**
 * Fits `names` by minimising meanNegLogLik(θ) + penalizer Σ θ² over log θ. Throws a model error when
 * no start gives a finite likelihood or the solution is on the boundary; warns when the gradient
 * check fails or standard errors are missing.
 */
export function* estimate(
  model: string,
  names: readonly string[],
  meanNegLogLik: (theta: Float64Array) => number,
  customers: number,
  starts: readonly number[][],
  options: FitOptions,
  /** The same mean likelihood on a sample, for the multi-start search on large inputs. */
  sampleMeanNegLogLik?: (theta: Float64Array) => number,
  /** ∂(mean −LL)/∂θ in closed form, for the BFGS polish. */
  meanNegLogLikGradient?: (theta: Float64Array) => Float64Array,
): Steps<Estimate> {
  const penalizer = options.penalizer ?? 0;
  const toTheta = (phi: Float64Array) => Float64Array.from(phi, Math.exp);
  const penalized =
    (mean: (theta: Float64Array) => number): Objective =>
    (phi) => {
      const theta = toTheta(phi);
      let penalty = 0;
      for (const t of theta) penalty += t * t;
      return mean(theta) + penalizer * penalty;
    };
  const objective = penalized(meanNegLogLik);
  const coarse = sampleMeanNegLogLik === undefined ? undefined : penalized(sampleMeanNegLogLik);
  // In log space ∂/∂φᵢ = θᵢ ∂/∂θᵢ; the penalty adds 2 · penalizer · θᵢ².
  const gradient =
    meanNegLogLikGradient === undefined
      ? undefined
      : (phi: Float64Array) => {
          const theta = toTheta(phi);
          const g = meanNegLogLikGradient(theta);
          return g.map((v, i) => theta[i] * v + 2 * penalizer * theta[i] * theta[i]);
        };
  const result = yield* minimize(objective, { starts, coarse, gradient });
  const hint = penalizer > 0 ? 'try a larger --penalizer, another --period, or more customers' : 'try --penalizer 0.001 (or larger), another --period, or more customers';
  if (!Number.isFinite(result.value)) {
    throw modelError(`the ${model} likelihood is not finite at any starting point`, { hint: `check the BTYD summary; ${hint}` });
  }
  const theta = toTheta(result.logParams);
  const atBound = names.flatMap((name, i) => (Math.abs(result.logParams[i]) > LOG_BOUND - 2 ? [`${name} → ${result.logParams[i] > 0 ? '∞' : '0'}`] : []));
  if (atBound.length > 0) {
    throw modelError(
      `the ${model} fit ran to the boundary: ${atBound.join(', ')} (the data do not identify the model)`,
      { hint },
    );
  }
  const warnings: string[] = [];
  if (!result.converged) {
    warnings.push(`the ${model} fit may not have converged (gradient ${result.gradientNorm.toExponential(1)}): ${hint}`);
  }
  const se = standardErrors(
    (phi) => objective(phi) * customers,
    result.logParams,
    gradient === undefined ? undefined : (phi) => gradient(phi).map((v) => v * customers),
  );
  if (se.some((v) => v === null)) warnings.push(`the ${model} Hessian is not positive definite: standard errors are missing (${hint})`);
  const logLikelihood = -meanNegLogLik(theta) * customers;
  return {
    params: Array.from(theta),
    se,
    stats: { logLikelihood, customers, penalizer, gradientNorm: result.gradientNorm, evaluations: result.evaluations, warnings },
  };
}
