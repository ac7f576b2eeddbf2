/**
 * The BTYD row (one customer's frequency, recency, T and mean repeat spend) and its columnar,
 * grouped form for the likelihoods: customers with the same (x, t_x, T) contribute the same term,
 * so each distinct triple is evaluated once with its count as weight, and every term that depends
 * on x alone is evaluated once per distinct x.
 */
import { dataError } from '../errors.js';

export type Period = 'day' | 'week' | 'month';

/** Days per time unit: a week is 7 days and a month 30 days, counted from whole days. */
export const PERIOD_DAYS: Record<Period, number> = { day: 1, week: 7, month: 30 };

export interface BtydRow {
  customerId: string;
  /** Repeat purchase days in the calibration period (distinct purchase days − 1). */
  frequency: number;
  /** Time from the first to the last purchase day, in periods. */
  recency: number;
  /** Time from the first purchase day to the end of the calibration period, in periods. */
  T: number;
  /** Mean value per repeat purchase day (0 for one-time buyers); NaN when unknown (a table without it). */
  monetaryValue: number;
  /** Repeat purchase days in the holdout period (validation only). */
  holdoutFrequency?: number;
}

export interface GroupedRows {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  /** Index into `xs` of each group's x. */
  xIndex: Int32Array;
  /** The distinct x values. */
  xs: Float64Array;
  customers: number;
}

/** Checks that a row is a possible BTYD summary; throws a data error naming the customer. */
export function checkRow(row: BtydRow): void {
  const { frequency: x, recency, T } = row;
  const problem =
    !(Number.isInteger(x) && x >= 0)
      ? `frequency ${x} is not a whole number >= 0`
      : !(recency >= 0 && T >= 0 && Number.isFinite(T))
        ? `recency ${recency} and T ${T} must be numbers >= 0`
        : recency > T + 1e-9
          ? `recency ${recency} is after T ${T} (the last purchase after the calibration end)`
          : x === 0 && recency !== 0
            ? `recency ${recency} with frequency 0 (a one-time buyer has recency 0)`
            : undefined;
  if (problem !== undefined) {
    throw dataError(`customer ${row.customerId}: ${problem}`, { hint: 'a BTYD summary has frequency = repeat purchase days, 0 <= recency <= T' });
  }
}

/**
 * A map keyed by (x, t_x, T) as numbers, nested: a string key would cost a double-to-text
 * conversion per customer, the slowest part of a million-customer run.
 */
export class TripleMap<V> {
  private readonly root = new Map<number, Map<number, Map<number, V>>>();

  get(x: number, tx: number, T: number): V | undefined {
    return this.root.get(x)?.get(tx)?.get(T);
  }

  set(x: number, tx: number, T: number, value: V): void {
    let byTx = this.root.get(x);
    if (byTx === undefined) this.root.set(x, (byTx = new Map()));
    let byT = byTx.get(tx);
    if (byT === undefined) byTx.set(tx, (byT = new Map()));
    byT.set(T, value);
  }
}

export function groupRows(rows: readonly BtydRow[]): GroupedRows {
  const groups = new TripleMap<number>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const weight: number[] = [];
  for (const row of rows) {
    const g = groups.get(row.frequency, row.recency, row.T);
    if (g !== undefined) weight[g]++;
    else {
      groups.set(row.frequency, row.recency, row.T, x.length);
      x.push(row.frequency);
      tx.push(row.recency);
      T.push(row.T);
      weight.push(1);
    }
  }
  const xs = [...new Set(x)].sort((p, q) => p - q);
  const position = new Map(xs.map((v, i) => [v, i]));
  return {
    x: Float64Array.from(x),
    tx: Float64Array.from(tx),
    T: Float64Array.from(T),
    weight: Float64Array.from(weight),
    xIndex: Int32Array.from(x, (v) => position.get(v)!),
    xs: Float64Array.from(xs),
    customers: rows.length,
  };
}

/**
 * About SAMPLE_TERMS of the groups (every k-th), weights kept: its mean likelihood approximates
 * the whole one, for the multi-start search; null when there are few groups.
 */
export function sampleGroups(data: GroupedRows, pick: Int32Array | null): GroupedRows | null {
  if (pick === null) return null;
  const take = (column: Float64Array) => Float64Array.from(pick, (g) => column[g]);
  const weight = take(data.weight);
  let customers = 0;
  for (const w of weight) customers += w;
  return { x: take(data.x), tx: take(data.tx), T: take(data.T), weight, xIndex: Int32Array.from(pick, (g) => data.xIndex[g]), xs: data.xs, customers };
}

/** log(e^p + e^q) without overflow. */
export function logAddExp(p: number, q: number): number {
  if (p === -Infinity) return q;
  if (q === -Infinity) return p;
  return p > q ? p + Math.log1p(Math.exp(q - p)) : q + Math.log1p(Math.exp(p - q));
}
