/**
 * The elbow method (DESIGN.md §2 "Choosing k"): k-means for each k in kMin..kMax, its inertia,
 * the silhouette for k >= 2, and the Kneedle knee of inertia against k as the suggested k.
 * Every k uses the same seed, as scikit-learn's `KMeans(random_state=42)` in a loop does.
 */
import { usageError } from './errors.js';
import { kmeansSteps, preparePoints, type KMeansResult, type PreparedPoints } from './kmeans.js';
import { kneedle } from './knee.js';
import { silhouette } from './silhouette.js';
import { runSteps, type Steps } from './steps.js';

export interface ElbowOptions {
  kMin?: number;
  kMax?: number;
  nInit?: number;
  maxIter?: number;
  tol?: number;
  seed?: number;
  /** Silhouette is exact up to this many points, sampled above (default 10,000). */
  silhouetteSample?: number;
  /**
   * Compute silhouettes (default true). `fit -k auto` turns them off: the knee needs only the
   * inertias, and the silhouettes (O(n²) each) would be most of its modelling time.
   */
  silhouettes?: boolean;
  /** Keep each k's clustering in its point (default false): `fit -k auto` reuses the chosen one. */
  keepClusterings?: boolean;
}

export interface ElbowPoint {
  k: number;
  inertia: number;
  /** null for k = 1, where the silhouette is undefined, and when silhouettes were not asked for. */
  silhouette: number | null;
  /** The k-means result itself, with `keepClusterings`. */
  clustering?: KMeansResult;
}

export interface ElbowResult {
  points: ElbowPoint[];
  /** The knee of inertia against k (convex, decreasing), or null when the curve has none. */
  suggestedK: number | null;
}

/**
 * The k values to try: kMin..min(kMax, n).
 * @throws usage error when kMin > n or the range is empty.
 */
export function elbowKs(n: number, options: ElbowOptions = {}): number[] {
  const { kMin = 1, kMax = 10 } = options;
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 1 || kMax < kMin) {
    throw usageError(`the k range ${kMin}..${kMax} is not valid`, 'give whole numbers with 1 <= k-min <= k-max, e.g. 1..10');
  }
  if (kMin > n) {
    throw usageError(`k-min ${kMin} is more than the number of customers (${n})`, `choose a k-min of at most ${n}`);
  }
  return Array.from({ length: Math.min(kMax, n) - kMin + 1 }, (_, i) => kMin + i);
}

/**
 * One point of the curve: k-means for this k and, when asked, its silhouette. Independent of every
 * other k. `prepared`: x prepared once for all the k (preparePoints).
 */
export function elbowPoint(x: Float64Array, n: number, d: number, k: number, options: ElbowOptions = {}, prepared?: PreparedPoints): ElbowPoint {
  return runSteps(elbowPointSteps(x, n, d, k, options, prepared));
}

/** `elbowPoint` as steps (see steps.ts): those of its k-means. */
export function* elbowPointSteps(x: Float64Array, n: number, d: number, k: number, options: ElbowOptions = {}, prepared?: PreparedPoints): Steps<ElbowPoint> {
  const { nInit = 10, maxIter = 300, tol = 1e-4, seed = 42, silhouetteSample = 10_000, silhouettes = true, keepClusterings = false } = options;
  const fit = yield* kmeansSteps(x, n, d, { k, nInit, maxIter, tol, seed }, prepared);
  const sil = silhouettes && k >= 2 ? silhouette(x, n, d, fit.labels, k, { sampleSize: silhouetteSample, seed }) : null;
  return keepClusterings ? { k, inertia: fit.inertia, silhouette: sil, clustering: fit } : { k, inertia: fit.inertia, silhouette: sil };
}

/** The curve's knee from its points (in k order). */
export function elbowResult(points: ElbowPoint[]): ElbowResult {
  const suggestedK = kneedle(
    points.map((p) => p.k),
    points.map((p) => p.inertia),
    { curve: 'convex', direction: 'decreasing' },
  );
  return { points, suggestedK };
}

/**
 * @param x n × d row-major scaled features.
 * @throws usage error when kMin > n or the range is empty; kMax above n is clipped to n.
 */
export function elbow(x: Float64Array, n: number, d: number, options: ElbowOptions = {}): ElbowResult {
  return runSteps(elbowSteps(x, n, d, options));
}

/** `elbow` as steps (see steps.ts): those of each k's k-means, and one after each k. */
export function* elbowSteps(x: Float64Array, n: number, d: number, options: ElbowOptions = {}): Steps<ElbowResult> {
  const ks = elbowKs(n, options);
  const prepared = preparePoints(x, n, d);
  const points: ElbowPoint[] = [];
  for (const k of ks) {
    points.push(yield* elbowPointSteps(x, n, d, k, options, prepared));
    yield;
  }
  return elbowResult(points);
}
