/**
 * Fitting segments: features → scaler → k-means → clusters in a canonical order → names →
 * per-segment statistics. Pure: the caller adds the file metadata (source, dates, tool version).
 */
import { dataError, usageError } from './errors.js';
import { kmeansSteps, type KMeansOptions, type KMeansResult } from './kmeans.js';
import { baseDistribution, describeProfile, profileSegment } from './describe-segment.js';
import { actionFor, nameSegments, type CentroidView } from './naming.js';
import type { ModelParams, ModelSegment } from './model.js';
import type { RfmRow } from './rfm.js';
import { applyScaler, customerCount, featureMatrix, fitScaler, rfmColumns, type RfmColumns, type Scaler, type Transform } from './scale.js';
import { segmentStatsSteps } from './segments.js';
import { withNames } from './relabel.js';
import { silhouette } from './silhouette.js';
import { runSteps, type Steps } from './steps.js';

export const DEFAULT_PARAMS: ModelParams = { k: 4, transform: 'log', nInit: 10, maxIter: 300, tol: 1e-4, seed: 42 };

/** Silhouette is exact up to this many customers, and on a seeded sample of this size above. */
export const SILHOUETTE_SAMPLE = 10_000;

export interface FitOptions {
  /** Names overriding the automatic ones, by cluster number. */
  customNames?: ReadonlyMap<number, string>;
  /**
   * Compute the silhouette here (default true). The command line turns it off to compute it on
   * two threads (same value, see silhouetteBlocks) from what onLabels receives.
   */
  silhouette?: boolean;
  /**
   * The k-means result for these rows and params if it is already known (the elbow of `fit -k auto`
   * ran exactly this k-means); computed here otherwise.
   */
  clustering?: KMeansResult;
  /**
   * The k-means to run (default kmeansSteps): the command line shares the restarts with a
   * helper thread (parallel.ts), with the same result.
   */
  kmeans?: (x: Float64Array, n: number, d: number, options: KMeansOptions) => Steps<KMeansResult>;
  /**
   * Called with the features and the final labels as soon as they are known, before the segments'
   * statistics: the command line starts the silhouette's helper thread there.
   */
  onLabels?: (features: Float64Array, labels: Int32Array) => void;
}

export interface FitResult {
  scaler: Scaler;
  centroids: number[][];
  labels: Int32Array;
  inertia: number;
  silhouette: number | null;
  segments: ModelSegment[];
}

/** A scaled centroid back in original units (undoing the z-score, then log1p). */
export function centroidInUnits(centroid: readonly number[], scaler: Scaler, transform: Transform): [number, number, number] {
  const raw = centroid.map((c, j) => c * scaler.scale[j] + scaler.mean[j]);
  const units = transform === 'log' ? raw.map(Math.expm1) : raw;
  return [units[0], units[1], units[2]];
}

/**
 * Customers to fit: rows (from a log), or the columns of an RFM table read as columns (no object
 * per customer: what a million customers need). Either in the order of their ids.
 */
export type FitData = readonly RfmRow[] | RfmColumns;

/** Scaled features of the customers, with the scaler learned from them (scaled in place: one n × 3 matrix). */
export function scaledFeatures(rows: FitData, transform: Transform): { x: Float64Array; scaler: Scaler } {
  const n = customerCount(rows);
  const x = featureMatrix(rows, transform);
  const scaler = fitScaler(x, n, 3);
  return { x: applyScaler(x, n, 3, scaler, x), scaler };
}

/**
 * Puts clusters in a canonical order — most recent centroid first (ties: more frequent first) —
 * so that cluster numbers do not depend on the order k-means happened to find them.
 */
function canonicalOrder(centroids: number[][]): number[] {
  return centroids
    .map((c, i) => i)
    .sort((a, b) => centroids[a][0] - centroids[b][0] || centroids[b][1] - centroids[a][1] || a - b);
}

/** How many distinct rows `x` (n × 3) has, counting no further than `atMost`. */
function distinctPoints(x: Float64Array, n: number, atMost: number): number {
  const seen = new Set<string>();
  for (let i = 0; i < n && seen.size < atMost; i++) seen.add(`${x[i * 3]},${x[i * 3 + 1]},${x[i * 3 + 2]}`);
  return seen.size;
}

export function fitSegments(rows: FitData, params: ModelParams, options: FitOptions = {}): FitResult {
  return runSteps(fitSteps(rows, params, options));
}

/** `fitSegments` as steps (see steps.ts): those of its k-means. */
export function* fitSteps(rows: FitData, params: ModelParams, options: FitOptions = {}): Steps<FitResult> {
  const { customNames, silhouette: withSilhouette = true } = options;
  const columns = rfmColumns(rows);
  const n = customerCount(rows);
  if (n < 2) throw dataError(`only ${n} customer: segmentation needs at least 2`, { hint: 'give a log with more customers' });
  if (!Number.isInteger(params.k) || params.k < 1 || params.k > n) {
    throw usageError(`-k ${params.k} is out of range: it must be between 1 and the number of customers (${n})`, 'choose a smaller k, or -k auto');
  }
  // A step after each phase that takes a while on a large input (each ~0.1 s at 350,000 customers).
  const x = featureMatrix(columns, params.transform);
  yield;
  const scaler = fitScaler(x, n, 3);
  applyScaler(x, n, 3, scaler, x);
  yield;
  const distinct = distinctPoints(x, n, params.k);
  if (distinct < params.k) {
    // k-means would split identical customers between clusters with the same centre: k segments
    // that are not k different kinds of customer.
    throw dataError(`only ${distinct} distinct customer${distinct === 1 ? '' : 's'} (by recency, frequency and monetary) for k = ${params.k}`, {
      hint: distinct >= 2 ? `choose -k ${distinct} or less` : 'every customer looks the same: give a log with more varied customers',
    });
  }
  const known = options.clustering;
  const result =
    known !== undefined && known.centroids.length === params.k && known.labels.length === n
      ? known
      : yield* (options.kmeans ?? kmeansSteps)(x, n, 3, { k: params.k, nInit: params.nInit, maxIter: params.maxIter, tol: params.tol, seed: params.seed });

  const order = canonicalOrder(result.centroids);
  const newIndex = new Int32Array(params.k);
  order.forEach((old, i) => (newIndex[old] = i));
  const centroids = order.map((old) => result.centroids[old]);
  const labels = result.labels.map((l) => newIndex[l]);
  options.onLabels?.(x, labels);
  yield;

  const k = params.k;
  const sil = withSilhouette && k >= 2 ? silhouette(x, n, 3, labels, k, { sampleSize: SILHOUETTE_SAMPLE, seed: params.seed }) : null;
  yield;
  const views: CentroidView[] = centroids.map((c) => {
    const [recency, frequency, monetary] = centroidInUnits(c, scaler, params.transform);
    return { recency, frequency, monetary, scaled: c };
  });
  const stats = (yield* segmentStatsSteps(columns, labels, k)).map((s, i) => {
    if (s.recency === null || s.frequency === null || s.monetary === null) {
      throw dataError(`cluster ${i} ended up empty: the data has fewer distinct customers than k = ${k}`, { hint: 'choose a smaller k' });
    }
    return { ...s, recency: s.recency, frequency: s.frequency, monetary: s.monetary };
  });
  // Names and descriptions from what each segment's means are among all customers.
  const base = baseDistribution(columns);
  const profiles = stats.map((s) => profileSegment({ recency: s.recency.mean, frequency: s.frequency.mean, monetary: s.monetary.mean }, base));
  const names = nameSegments(views, profiles);
  const automatic = stats.map(
    (s, i): ModelSegment => ({
      cluster: i,
      name: names[i],
      description: describeProfile(profiles[i]),
      action: actionFor(names[i]) ?? '',
      size: s.size,
      share: s.share,
      revenue: s.revenue,
      revenueShare: s.revenueShare,
      recency: s.recency,
      frequency: s.frequency,
      monetary: s.monetary,
      centroid: { recency: views[i].recency, frequency: views[i].frequency, monetary: views[i].monetary },
    }),
  );
  const segments = customNames ? withNames(automatic, customNames) : automatic;
  return { scaler, centroids, labels, inertia: result.inertia, silhouette: sil, segments };
}
