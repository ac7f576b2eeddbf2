/**
 * Per-segment statistics of a set of customers with their cluster labels: the numbers the model
 * stores, `rfm summary` prints, and `rfm summary --data` recomputes for new customers.
 */
import { mean, medianSorted } from 'simple-statistics';
import type { RfmRow } from './rfm.js';
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

function stats(values: number[]): Stats | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return { mean: mean(values), median: medianSorted(Array.from(sorted)), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Compensated sum, so revenue totals do not drift with the order of customers. */
export function exactSum(values: readonly number[]): number {
  let sum = 0;
  let c = 0;
  for (const v of values) {
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}

export function segmentStats(rows: readonly RfmRow[], labels: ArrayLike<number>, k: number): SegmentStats[] {
  return runSteps(segmentStatsSteps(rows, labels, k));
}

/** `segmentStats` as steps (see steps.ts): one after the grouping and one after each segment. */
export function* segmentStatsSteps(rows: readonly RfmRow[], labels: ArrayLike<number>, k: number): Steps<SegmentStats[]> {
  const groups = Array.from({ length: k }, () => ({ r: [] as number[], f: [] as number[], m: [] as number[] }));
  rows.forEach((row, i) => {
    const g = groups[labels[i]];
    g.r.push(row.recency);
    g.f.push(row.frequency);
    g.m.push(row.monetary);
  });
  const total = rows.length;
  const totalRevenue = exactSum(rows.map((r) => r.monetary));
  const result: SegmentStats[] = [];
  for (const g of groups) {
    yield;
    const revenue = exactSum(g.m);
    result.push({
      size: g.r.length,
      share: total === 0 ? 0 : g.r.length / total,
      revenue,
      revenueShare: totalRevenue === 0 ? 0 : revenue / totalRevenue,
      recency: stats(g.r),
      frequency: stats(g.f),
      monetary: stats(g.m),
    });
  }
  return result;
}
