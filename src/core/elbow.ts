/**
 * The elbow method (DESIGN.md §2 "Choosing k"): k-means for each k in kMin..kMax, its inertia,
 * the silhouette for k >= 2, and the Kneedle knee of inertia against k as the suggested k.
 * Every k uses the same seed, as scikit-learn's `KMeans(random_state=42)` in a loop does.
 */
import { usageError } from './errors.js';
import { kmeans } from './kmeans.js';
import { kneedle } from './knee.js';
import { silhouette } from './silhouette.js';

export interface ElbowOptions {
  kMin?: number;
  kMax?: number;
  nInit?: number;
  maxIter?: number;
  tol?: number;
  seed?: number;
  /** Silhouette is exact up to this many points, sampled above (default 10,000). */
  silhouetteSample?: number;
}

export interface ElbowPoint {
  k: number;
  inertia: number;
  /** null for k = 1, where the silhouette is undefined. */
  silhouette: number | null;
}

export interface ElbowResult {
  points: ElbowPoint[];
  /** The knee of inertia against k (convex, decreasing), or null when the curve has none. */
  suggestedK: number | null;
}

/**
 * @param x n × d row-major scaled features.
 * @throws usage error when kMin > n or the range is empty; kMax above n is clipped to n.
 */
export function elbow(x: Float64Array, n: number, d: number, options: ElbowOptions = {}): ElbowResult {
  const { kMin = 1, kMax = 10, nInit = 10, maxIter = 300, tol = 1e-4, seed = 42, silhouetteSample = 10_000 } = options;
  if (!Number.isInteger(kMin) || !Number.isInteger(kMax) || kMin < 1 || kMax < kMin) {
    throw usageError(`the k range ${kMin}..${kMax} is not valid`, 'give whole numbers with 1 <= k-min <= k-max, e.g. 1..10');
  }
  if (kMin > n) {
    throw usageError(`k-min ${kMin} is more than the number of customers (${n})`, `choose a k-min of at most ${n}`);
  }
  const points: ElbowPoint[] = [];
  for (let k = kMin; k <= Math.min(kMax, n); k++) {
    const fit = kmeans(x, n, d, { k, nInit, maxIter, tol, seed });
    const sil = k >= 2 ? silhouette(x, n, d, fit.labels, k, { sampleSize: silhouetteSample, seed }) : null;
    points.push({ k, inertia: fit.inertia, silhouette: sil });
  }
  const suggestedK = kneedle(
    points.map((p) => p.k),
    points.map((p) => p.inertia),
    { curve: 'convex', direction: 'decreasing' },
  );
  return { points, suggestedK };
}
