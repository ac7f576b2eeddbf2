/**
 * Per-segment statistics of a set of customers with their cluster labels: the numbers the model
 * stores, `rfm summary` prints, and `rfm summary --data` recomputes for new customers.
 */
import { mean, quickselect } from 'simple-statistics';
import type { RfmRow } from './rfm.js';
import type { RfmColumns } from './scale.js';
import { runSteps, type Steps } from './steps.js';

export interface Stats {
  mean: number;
  median: number;
  min: number;
  max: number;
}

export interface SegmentStats {
  size: number;
  share: number;
  revenue: number;
  revenueShare: number;
  recency: Stats | null;
  frequency: Stats | null;
  monetary: Stats | null;
}

/**
 * The statistics of `values` (a group's values in input order), reordering them in place: the
 * mean is taken first, in input order, so it is the same double as simple-statistics' over a copy.
 * The median comes from a selection (O(n), about 10× faster than sorting a million values): the
 * middle value, and for an even count the largest value before it too, interpolated as
 * simple-statistics' medianSorted interpolates the same two values of the sorted array (numpy's
 * linear method: lower + 0.5 × (upper − lower)), so the double is the same.
 */
function statsInPlace(values: Float64Array): Stats | null {
  const n = values.length;
  if (n === 0) return null;
  // simple-statistics reads and swaps any array-like by index; its types ask for number[].
  const array = values as unknown as number[];
  const m = mean(array);
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  const middle = n >> 1;
  quickselect(array, middle, 0, n - 1);
  let median = values[middle]!;
  if (n % 2 === 0) {
    let below = values[0]!;
    for (let i = 1; i < middle; i++) if (values[i]! > below) below = values[i]!;
    median = below + 0.5 * (median - below);
  }
  return { mean: m, median, min, max };
}

/** Compensated sum, so revenue totals do not drift with the order of customers. */
export function exactSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}

export function segmentStats(rows: readonly RfmRow[] | RfmColumns, labels: ArrayLike<number>, k: number): SegmentStats[] {
  return runSteps(segmentStatsSteps(rows, labels, k));
}

/**
 * `segmentStats` as steps (see steps.ts): one after each feature's grouping and one after each
 * segment's statistics of it. Memory: one double per customer besides the input, whatever k is:
 * the values of one feature are grouped by segment (a counting sort, input order kept within
 * each segment) into one buffer, which the next feature reuses.
 */
export function* segmentStatsSteps(rows: readonly RfmRow[] | RfmColumns, labels: ArrayLike<number>, k: number): Steps<SegmentStats[]> {
  const columns: RfmColumns = Array.isArray(rows)
    ? {
        recency: Float64Array.from(rows as readonly RfmRow[], (r) => r.recency),
        frequency: Float64Array.from(rows as readonly RfmRow[], (r) => r.frequency),
        monetary: Float64Array.from(rows as readonly RfmRow[], (r) => r.monetary),
      }
    : (rows as RfmColumns);
  const total = columns.recency.length;
  const start = new Int32Array(k + 1);
  for (let i = 0; i < total; i++) start[labels[i]! + 1]!++;
  for (let g = 0; g < k; g++) start[g + 1] += start[g]!;
  const grouped = new Float64Array(total);
  const group = (column: ArrayLike<number>) => {
    const next = start.slice(0, k);
    for (let i = 0; i < total; i++) grouped[next[labels[i]!]!++] = column[i]!;
  };
  const members = (g: number) => grouped.subarray(start[g]!, start[g + 1]!);

  // Each group's values are consumed (reordered in place) before the next feature is grouped.
  function* featureStats(column: ArrayLike<number>, withRevenue?: number[]): Steps<(Stats | null)[]> {
    group(column);
    yield;
    const out: (Stats | null)[] = [];
    for (let g = 0; g < k; g++) {
      withRevenue?.push(exactSum(members(g)));
      out.push(statsInPlace(members(g)));
      yield;
    }
    return out;
  }
  const totalRevenue = exactSum(columns.monetary);
  const revenue: number[] = [];
  const monetary = yield* featureStats(columns.monetary, revenue);
  const recency = yield* featureStats(columns.recency);
  const frequency = yield* featureStats(columns.frequency);
  return Array.from({ length: k }, (_, g): SegmentStats => {
    const size = start[g + 1]! - start[g]!;
    return {
      size,
      share: total === 0 ? 0 : size / total,
      revenue: revenue[g]!,
      revenueShare: totalRevenue === 0 ? 0 : revenue[g]! / totalRevenue,
      recency: recency[g]!,
      frequency: frequency[g]!,
      monetary: monetary[g]!,
    };
  });
}
