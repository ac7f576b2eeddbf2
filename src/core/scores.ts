/**
 * Quintile scores in the style of R's `rfm` package: each metric gets 1..5 from its 20/40/60/80 %
 * quantiles, recency reversed (recent = 5). A score is a function of the value alone, so equal
 * values always get equal scores; when ties make thresholds coincide, some scores cannot occur and
 * the metric is reported as collapsed.
 */
import { quantileSorted } from 'simple-statistics';
import type { RfmRow } from './rfm.js';

export type Metric = 'recency' | 'frequency' | 'monetary';
export const METRICS: readonly Metric[] = ['recency', 'frequency', 'monetary'];

export interface ScoreThresholds {
  recency: number[];
  frequency: number[];
  monetary: number[];
}

export interface CustomerScores {
  r: number;
  f: number;
  m: number;
  /** R, F and M digits, e.g. "545". */
  rfmScore: string;
  segment: ScoreSegment;
}

export type ScoreSegment =
  | 'Champions'
  | 'Loyal'
  | 'Potential Loyalists'
  | 'New Customers'
  | 'Promising'
  | 'Need Attention'
  | 'About to Sleep'
  | "Can't Lose Them"
  | 'At Risk'
  | 'Hibernating';

export interface ScoreResult {
  thresholds: ScoreThresholds;
  scores: CustomerScores[];
  /** Metrics whose five bins collapse on ties, with the scores that can still occur. */
  collapsed: { metric: Metric; distinctScores: number }[];
}

const QUINTILES = [0.2, 0.4, 0.6, 0.8];

export function quintileThresholds(values: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  return QUINTILES.map((p) => quantileSorted(Array.from(sorted), p));
}

/** 1 + the number of thresholds the value exceeds: 1 (lowest fifth) .. 5 (highest fifth). */
export function ascendingScore(value: number, thresholds: readonly number[]): number {
  let score = 1;
  for (const t of thresholds) if (value > t) score++;
  return score;
}

/** The standard R/F grid. */
export function scoreSegment(r: number, f: number): ScoreSegment {
  if (r <= 2) return f <= 2 ? 'Hibernating' : f <= 4 ? 'At Risk' : "Can't Lose Them";
  if (r === 3) return f <= 2 ? 'About to Sleep' : f === 3 ? 'Need Attention' : 'Loyal';
  if (f >= 4) return r === 4 ? 'Loyal' : 'Champions';
  if (f === 1) return r === 4 ? 'Promising' : 'New Customers';
  return 'Potential Loyalists';
}

function distinctScores(thresholds: readonly number[]): number {
  return 1 + new Set(thresholds).size;
}

export function computeScores(rows: readonly RfmRow[]): ScoreResult {
  const thresholds: ScoreThresholds = {
    recency: quintileThresholds(rows.map((r) => r.recency)),
    frequency: quintileThresholds(rows.map((r) => r.frequency)),
    monetary: quintileThresholds(rows.map((r) => r.monetary)),
  };
  const scores = rows.map((row): CustomerScores => {
    const r = 6 - ascendingScore(row.recency, thresholds.recency);
    const f = ascendingScore(row.frequency, thresholds.frequency);
    const m = ascendingScore(row.monetary, thresholds.monetary);
    return { r, f, m, rfmScore: `${r}${f}${m}`, segment: scoreSegment(r, f) };
  });
  const collapsed = METRICS.flatMap((metric) => {
    const n = distinctScores(thresholds[metric]);
    return n < 5 ? [{ metric, distinctScores: n }] : [];
  });
  return { thresholds, scores, collapsed };
}
