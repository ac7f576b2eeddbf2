/**
 * Kneedle (Satopää, Albrecht, Irwin, Raghavan 2011, "Finding a 'Kneedle' in a Haystack"), with
 * the choices of the Python `kneed` package's KneeLocator (interp1d, online = false):
 *
 * 1. normalise x and y to [0, 1] (min–max);
 * 2. turn every shape into a concave increasing one — convex decreasing: y → 1 - y; concave
 *    decreasing: y reversed; convex increasing: 1 - y, reversed — and take the difference curve
 *    y_d = y_n - x_n;
 * 3. its local maxima and minima (a point >= / <= both neighbours; an end point compares with its
 *    one neighbour), each maximum with the threshold y_d(max) - S · mean(Δx_n);
 * 4. walk right from the first maximum: at a maximum take its threshold, at a minimum reset it to
 *    0; the first time the next y_d drops below the threshold, the last maximum is the knee.
 *    Reversed shapes map the index back (x[n - 1 - i]), as kneed does.
 *
 * x must be strictly increasing (k = 1..10 in the elbow). Returns null when there is no knee:
 * fewer than 3 points, a flat curve, no local maximum, or no drop below a threshold.
 */

export type Curve = 'convex' | 'concave';
export type Direction = 'increasing' | 'decreasing';

export interface KneedleOptions {
  curve?: Curve;
  direction?: Direction;
  /** Sensitivity: how many "average x steps" the curve must fall below a maximum (default 1). */
  S?: number;
}

/**
 * kneed's `find_shape`: the sign of a least-squares line's slope gives the direction; whether the
 * middle 60 % of the points lies above (concave) or below (convex) that line gives the curve.
 */
export function detectShape(x: readonly number[], y: readonly number[]): { curve: Curve; direction: Direction } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  const lo = Math.floor(n * 0.2);
  const hi = Math.floor(n * 0.8);
  let gap = 0;
  for (let i = lo; i < hi; i++) gap += y[i]! - (slope * x[i]! + intercept);
  const above = hi > lo && gap / (hi - lo) > 0;
  return { direction: slope > 0 ? 'increasing' : 'decreasing', curve: above ? 'concave' : 'convex' };
}

const normalise = (v: readonly number[]): number[] => {
  const min = Math.min(...v);
  const max = Math.max(...v);
  return v.map((t) => (t - min) / (max - min));
};

/**
 * @returns the x of the knee (elbow), or null.
 * @example kneedle([0,1,2,3,4,5,6,7,8,9], [100,40,20,15,10,5,4,3,2,1]) // 2 (convex, decreasing)
 */
export function kneedle(x: readonly number[], y: readonly number[], options: KneedleOptions = {}): number | null {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`kneedle needs as many y as x values (${n} x, ${y.length} y)`);
  if (n < 3 || !x.every(Number.isFinite) || !y.every(Number.isFinite)) return null;
  const shape = options.curve && options.direction ? undefined : detectShape(x, y);
  const curve = options.curve ?? shape!.curve;
  const direction = options.direction ?? shape!.direction;
  const S = options.S ?? 1;

  const xn = normalise(x);
  let yn = normalise(y);
  if (!xn.every(Number.isFinite) || !yn.every(Number.isFinite)) return null; // flat x or y
  const flipped = (curve === 'convex') !== (direction === 'decreasing');
  if (curve === 'convex') yn = yn.map((v) => 1 - v); // max(y_n) is 1
  if (flipped) yn.reverse();
  const diff = yn.map((v, i) => v - xn[i]!);

  const at = (i: number) => diff[Math.min(n - 1, Math.max(0, i))]!;
  const isMax = (i: number) => diff[i]! >= at(i - 1) && diff[i]! >= at(i + 1);
  const isMin = (i: number) => diff[i]! <= at(i - 1) && diff[i]! <= at(i + 1);
  const step = Math.abs((xn[n - 1]! - xn[0]!) / (n - 1)); // mean of the x_n differences

  let first = -1;
  for (let i = 0; i < n && first < 0; i++) if (isMax(i)) first = i;
  if (first < 0) return null;

  let threshold = 0;
  let thresholdIndex = first;
  for (let i = first; i < n - 1; i++) {
    if (isMax(i)) {
      threshold = diff[i]! - S * step;
      thresholdIndex = i;
    }
    if (isMin(i)) threshold = 0;
    if (diff[i + 1]! < threshold) return flipped ? x[n - 1 - thresholdIndex]! : x[thresholdIndex]!;
  }
  return null;
}
