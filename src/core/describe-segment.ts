/**
 * What a segment's numbers say about it relative to the whole customer base: for recency,
 * frequency and monetary, the segment's mean (rounded as the description prints it), the share of
 * all customers below and above that value, and its quintile position. Names (naming.ts) are
 * chosen from these facts and the description is printed from them, so neither can contradict the
 * segment table.
 *
 * The description is built here, in core, although it is text for people: it is part of the model
 * (stored in the file, served by the API, shown by the report), made once at fit time from the
 * training customers, who are not in the model afterwards. It is plain English with a fixed number
 * layout (no locale, colour or width); renderers only escape and wrap it.
 */
import type { RfmRow } from './rfm.js';
import { rfmColumns, type RfmColumns } from './scale.js';
import type { Metric } from './scores.js';

/** The training customers' values of each metric, in any order. */
export interface BaseDistribution {
  recency: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
}

/**
 * The base of a fit: its columns as they are. They are not sorted: a fit asks for 3 × k counts,
 * each one pass over the values (a few ms per million), where sorting three columns of a million
 * customers took 260 ms.
 */
export function baseDistribution(data: readonly RfmRow[] | RfmColumns): BaseDistribution {
  const { recency, frequency, monetary } = rfmColumns(data);
  // One array type, so that countAround's loop stays monomorphic (3× faster at a million).
  const typed = (column: ArrayLike<number>) => (column instanceof Float64Array ? column : Float64Array.from(column));
  return { recency: typed(recency), frequency: typed(frequency), monetary: typed(monetary) };
}

/** How many customers of the base have a value below, equal to and above `value`. */
export function countAround(values: Float64Array, value: number): { below: number; equal: number; above: number } {
  let below = 0;
  let equal = 0;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < value) below++;
    else if (v === value) equal++;
  }
  return { below, equal, above: n - below - equal };
}

/**
 * Quintile 1..5 of a value among n customers by its mid-rank (below + half the ties), in exact
 * integer arithmetic: 1 = the lowest fifth of the base.
 */
export function quintileOf(counts: { below: number; equal: number }, n: number): number {
  return Math.min(5, Math.floor((5 * (2 * counts.below + counts.equal)) / (2 * n)) + 1);
}

/** Decimals the description prints a mean with: whole days, tenths of orders, whole money from 100. */
export function shownDecimals(metric: Metric, mean: number): number {
  if (metric === 'recency') return 0;
  if (metric === 'frequency') return 1;
  return Math.abs(mean) >= 100 ? 0 : 2;
}

/** Which share of all customers the description states: those below, above, or equal to the value. */
export type Comparison = 'below' | 'above' | 'equal';

export interface MetricFact {
  metric: Metric;
  /** The segment's mean, rounded to the decimals the text shows. */
  value: number;
  /** `value` as printed: en-US digit grouping, `decimals` decimals. */
  text: string;
  comparison: Comparison;
  /** The stated share in whole percent, rounded down so that "more than X %" is always true. */
  percent: number;
  /** Quintile 1..5 of `value` among all customers (ascending: 5 = the highest fifth). */
  quintile: number;
}

/** A segment's three facts and its R/F/M scores (R reversed: 5 = the most recent fifth). */
export interface SegmentProfile {
  recency: MetricFact;
  frequency: MetricFact;
  monetary: MetricFact;
  r: number;
  f: number;
  m: number;
}

/** Fixed-decimal text with en-US grouping ("7,634.53"), independent of the machine's locale. */
export function groupedFixed(value: number, decimals: number): string {
  const [whole, fraction] = Math.abs(value).toFixed(decimals).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && Number(whole + (fraction ?? '')) !== 0 ? '-' : '';
  return sign + grouped + (fraction === undefined ? '' : `.${fraction}`);
}

function metricFact(metric: Metric, mean: number, base: BaseDistribution): MetricFact {
  const decimals = shownDecimals(metric, mean);
  const text = groupedFixed(mean, decimals);
  const value = Number(text.replace(/,/g, ''));
  const values = base[metric];
  const n = values.length;
  const counts = countAround(values, value);
  const percent = (count: number) => Math.floor((100 * count) / n);
  // The larger side is the informative one; "the same as" only when nearly everyone ties with it.
  let comparison: Comparison = counts.below >= counts.above ? 'below' : 'above';
  if (percent(counts[comparison]) === 0) comparison = 'equal';
  return { metric, value, text, comparison, percent: percent(counts[comparison]), quintile: quintileOf(counts, n) };
}

/** The facts of one segment, from its means, against the base it was fitted on. */
export function profileSegment(means: Record<Metric, number>, base: BaseDistribution): SegmentProfile {
  const recency = metricFact('recency', means.recency, base);
  const frequency = metricFact('frequency', means.frequency, base);
  const monetary = metricFact('monetary', means.monetary, base);
  return { recency, frequency, monetary, r: 6 - recency.quintile, f: frequency.quintile, m: monetary.quintile };
}

const COMPARISON_WORDS: Record<Metric, Record<Comparison, string>> = {
  recency: { below: 'longer ago than', above: 'more recently than', equal: 'the same as' },
  frequency: { below: 'more than', above: 'fewer than', equal: 'the same as' },
  monetary: { below: 'more than', above: 'less than', equal: 'the same as' },
};

const relative = (fact: MetricFact) => `(${COMPARISON_WORDS[fact.metric][fact.comparison]} ${fact.percent} % of customers)`;

/**
 * The description: "Last bought 17 days ago on average (more recently than 76 % of customers),
 * 11.4 orders (more than 93 % of customers), spent 7,635 (more than 96 % of customers)".
 */
export function describeProfile(profile: SegmentProfile): string {
  const { recency, frequency, monetary } = profile;
  const days = recency.value === 1 ? 'day' : 'days';
  return (
    `Last bought ${recency.text} ${days} ago on average ${relative(recency)}, ` +
    `${frequency.text} orders ${relative(frequency)}, spent ${monetary.text} ${relative(monetary)}`
  );
}
