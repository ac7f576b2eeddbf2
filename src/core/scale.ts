/**
 * Feature matrix and z-scoring for clustering (DESIGN.md §2 "Features for clustering").
 *
 * Matrices are row-major `Float64Array`s of n rows × d columns: k-means touches every value many
 * times, and a flat typed array is several times faster than `number[][]` in V8.
 */
import { dataError } from './errors.js';

/** `log`: log1p of R, F, M before z-scoring (default; tames the heavy monetary tail). `none`: raw. */
export type Transform = 'log' | 'none';

/** Learned z-score parameters, as scikit-learn's StandardScaler `mean_` and `scale_`. */
export interface Scaler {
  mean: number[];
  scale: number[];
}

export interface RfmValues {
  recency: number;
  frequency: number;
  monetary: number;
}

/** The same data as three parallel columns (what a columnar aggregation produces). */
export interface RfmColumns {
  recency: ArrayLike<number>;
  frequency: ArrayLike<number>;
  monetary: ArrayLike<number>;
}

/** Number of clustering features: recency, frequency, monetary. */
export const FEATURES = 3;

const transformValue = (v: number, transform: Transform): number => (transform === 'log' ? Math.log1p(v) : v);

/** The columns of `data`: themselves when they are columns, copied out of rows otherwise. */
export function rfmColumns(data: readonly RfmValues[] | RfmColumns): RfmColumns {
  if (!Array.isArray(data)) return data as RfmColumns;
  const rows = data as readonly RfmValues[];
  return { recency: rows.map((r) => r.recency), frequency: rows.map((r) => r.frequency), monetary: rows.map((r) => r.monetary) };
}

/** The number of customers in `data` (rows or columns). */
export const customerCount = (data: readonly RfmValues[] | RfmColumns): number =>
  Array.isArray(data) ? data.length : (data as RfmColumns).recency.length;

/**
 * The n × 3 matrix [R, F, M] (log1p of each when `transform` is `log`), not yet z-scored.
 * Throws a data error if a value is not finite after the transform (e.g. log1p of a value below -1).
 */
export function featureMatrix(data: readonly RfmValues[] | RfmColumns, transform: Transform): Float64Array {
  const cols = rfmColumns(data);
  const n = cols.recency.length;
  if (cols.frequency.length !== n || cols.monetary.length !== n) {
    throw dataError('recency, frequency and monetary columns have different lengths');
  }
  const x = new Float64Array(n * FEATURES);
  const sources = [cols.recency, cols.frequency, cols.monetary];
  const names = ['recency', 'frequency', 'monetary'];
  for (let j = 0; j < FEATURES; j++) {
    const col = sources[j]!;
    for (let i = 0; i < n; i++) {
      const v = transformValue(col[i]!, transform);
      if (!Number.isFinite(v)) {
        throw dataError(`customer ${i + 1} has a ${names[j]} of ${col[i]}, which cannot be clustered`, {
          hint: 'recency and monetary must be finite and >= 0, frequency >= 1',
        });
      }
      x[i * FEATURES + j] = v;
    }
  }
  return x;
}

/**
 * Column means and population standard deviations, exactly as StandardScaler: the variance uses
 * the corrected two-pass formula, and a constant column (variance within rounding error of 0,
 * sklearn's `_is_constant_feature` bound) gets scale 1 so it maps to 0 instead of NaN.
 */
export function fitScaler(x: Float64Array, n: number, d: number): Scaler {
  if (n < 1) throw dataError('cannot scale an empty table', { hint: 'the input has no customers' });
  const mean: number[] = [];
  const scale: number[] = [];
  const eps = Number.EPSILON;
  for (let j = 0; j < d; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i * d + j]!;
    const m = sum / n;
    let sq = 0;
    let dev = 0;
    for (let i = 0; i < n; i++) {
      const t = x[i * d + j]! - m;
      sq += t * t;
      dev += t;
    }
    const variance = Math.max(0, (sq - (dev * dev) / n) / n);
    const constant = variance <= n * eps * variance + (n * m * eps) ** 2;
    mean.push(m);
    scale.push(constant ? 1 : Math.sqrt(variance));
  }
  return { mean, scale };
}

/** (x - mean) / scale, column by column, into a new array or `out` (which may be x itself). */
export function applyScaler(x: Float64Array, n: number, d: number, scaler: Scaler, out: Float64Array = new Float64Array(n * d)): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = (x[i * d + j]! - scaler.mean[j]!) / scaler.scale[j]!;
  }
  return out;
}

/** One customer's [R, F, M] in the scaled space a model was fitted in (used by `segment`). */
export function scalePoint(values: readonly number[], transform: Transform, scaler: Scaler): number[] {
  return values.map((v, j) => (transformValue(v, transform) - scaler.mean[j]!) / scaler.scale[j]!);
}
