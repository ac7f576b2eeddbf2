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

/** Days in a horizon month (the CLV sum's months). */
export const MONTH_DAYS = 30;

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

/**
 * Customers of a BTYD summary as columns, one index per customer (in id order when read): what
 * the fits, the predictions and the writers walk over. A million customers are a few typed arrays
 * instead of a million objects (a second less of reading and collecting garbage).
 */
export interface BtydTable {
  readonly size: number;
  /** Customer i's id (made when asked: a table read from a file may keep its ids as numbers). */
  id(i: number): string;
  readonly frequency: Float64Array;
  readonly recency: Float64Array;
  readonly T: Float64Array;
  /** Mean value per repeat purchase day; NaN when unknown (a table without monetary_value). */
  readonly monetary: Float64Array;
  /** Repeat purchase days in the holdout period; null without a holdout. */
  readonly holdout: Float64Array | null;
  /**
   * When every id is a string of decimal digits, the ids as numbers in table order (io/id-column.ts
   * says how): a helper thread is sent these instead of a string per customer.
   */
  readonly digitIds?: DigitIds;
}

/** Digit ids as codes (digits in base 11, 0 = no character) and lengths; id i is digitIdText(codes[i], lengths[i]). */
export interface DigitIds {
  codes: Float64Array;
  lengths: Uint8Array;
}

/** What the bulk functions take: a table, or rows (tests, small callers), made into one by asTable. */
export type BtydInput = BtydTable | readonly BtydRow[];

/** The table of `input` (rows become columns in their order; a table is itself). */
export function asTable(input: BtydInput): BtydTable {
  if (!Array.isArray(input)) return input as BtydTable;
  const rows = input as readonly BtydRow[];
  const column = (value: (row: BtydRow) => number) => Float64Array.from(rows, value);
  return {
    size: rows.length,
    id: (i) => rows[i].customerId,
    frequency: column((row) => row.frequency),
    recency: column((row) => row.recency),
    T: column((row) => row.T),
    monetary: column((row) => row.monetaryValue),
    holdout: rows.some((row) => row.holdoutFrequency !== undefined) ? column((row) => row.holdoutFrequency ?? 0) : null,
  };
}

/** Every customer of a table as a row (asTable's inverse). */
export function tableRows(table: BtydTable): BtydRow[] {
  return Array.from({ length: table.size }, (_, i) => btydRow(table, i));
}

/** Customer i of a table as a row. */
export function btydRow(table: BtydTable, i: number): BtydRow {
  const row: BtydRow = { customerId: table.id(i), frequency: table.frequency[i], recency: table.recency[i], T: table.T[i], monetaryValue: table.monetary[i] };
  if (table.holdout !== null) row.holdoutFrequency = table.holdout[i];
  return row;
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
  /**
   * The distinct t_x and T values (a log on whole days has a few hundred of each) and each group's
   * index into them: the likelihoods take log(α + t_x) and log(α + T) from tables made once per
   * evaluation, with the same values as computed per group.
   */
  txs: Float64Array;
  txIndex: Int32Array;
  Ts: Float64Array;
  TIndex: Int32Array;
  /** The distinct (x, t_x) and (x, T) pairs and each group's index into them (Pareto/NBD's 2F1 terms depend on one pair each). */
  xTx: Pairs;
  xT: Pairs;
  customers: number;
  /** The group of each row of the grouped table; empty for a sample (sampleGroups), which has no rows. */
  rowGroup: Int32Array;
}

/**
 * Every GroupedRows is made here, the whole grouping and the fits' sample alike, so that they
 * share one object shape: the likelihoods see both, and with two shapes their optimised code was
 * thrown away at each switch between the sample and the whole (V8 "wrong map" deoptimisations,
 * a third of the CDNOW fit's time).
 */
function grouped(
  x: Float64Array,
  tx: Float64Array,
  T: Float64Array,
  weight: Float64Array,
  xs: { values: Float64Array; index: Int32Array },
  txs: { values: Float64Array; index: Int32Array },
  Ts: { values: Float64Array; index: Int32Array },
  customers: number,
  rowGroup: Int32Array,
): GroupedRows {
  return {
    x,
    tx,
    T,
    weight,
    xIndex: xs.index,
    xs: xs.values,
    txs: txs.values,
    txIndex: txs.index,
    Ts: Ts.values,
    TIndex: Ts.index,
    xTx: pairsOf(x, tx),
    xT: pairsOf(x, T),
    customers,
    rowGroup,
  };
}

export interface Pairs {
  x: Float64Array;
  v: Float64Array;
  /** Per group, the index of its pair. */
  index: Int32Array;
}

/** The distinct (x[g], v[g]) pairs, in order of first appearance. */
function pairsOf(x: ArrayLike<number>, v: ArrayLike<number>): Pairs {
  const seen = new TripleIndex();
  const px: number[] = [];
  const pv: number[] = [];
  const index = new Int32Array(x.length);
  for (let g = 0; g < x.length; g++) {
    const k = seen.add(x[g], v[g], 0);
    if (k === px.length) {
      px.push(x[g]);
      pv.push(v[g]);
    }
    index[g] = k;
  }
  return { x: Float64Array.from(px), v: Float64Array.from(pv), index };
}

/** Checks that a row is a possible BTYD summary; throws a data error naming the customer. */
export function checkRow(row: BtydRow): void {
  checkValues(() => row.customerId, row.frequency, row.recency, row.T);
}

/** checkRow of one customer's values (the id made only for the error). */
export function checkValues(id: () => string, x: number, recency: number, T: number): void {
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
    throw dataError(`customer ${id()}: ${problem}`, { hint: 'a BTYD summary has frequency = repeat purchase days, 0 <= recency <= T' });
  }
}

/**
 * The distinct (x, t_x, T) triples, each numbered in order of first appearance: an open-addressing
 * hash table over the doubles' bits. A Map keyed by text would cost a double-to-text conversion per
 * customer, and nested Maps of numbers three hash lookups; this is one hash and a compare.
 * Keys compare with === (so 0 and -0 are one key, as in a Map; NaN never reaches here: checkRow).
 */
export class TripleIndex {
  private slots = new Int32Array(1 << 10).fill(-1);
  private mask = (1 << 10) - 1;
  private keys = new Float64Array(3 * 256);
  size = 0;
  private static readonly bits = new Float64Array(3);
  private static readonly words = new Int32Array(TripleIndex.bits.buffer);

  private static hash(x: number, tx: number, T: number): number {
    const b = TripleIndex.bits;
    const w = TripleIndex.words;
    // + 0 turns -0 into 0, so that keys equal under === hash alike.
    b[0] = x + 0;
    b[1] = tx + 0;
    b[2] = T + 0;
    let h = Math.imul(w[0] ^ Math.imul(w[1], 0x27d4eb2d), 0x9e3779b1);
    h = Math.imul(h ^ w[2] ^ Math.imul(w[3], 0x165667b1), 0x85ebca77);
    h = Math.imul(h ^ w[4] ^ Math.imul(w[5], 0xc2b2ae3d), 0x27d4eb2f);
    return h ^ (h >>> 15);
  }

  /** The number of the triple, or -1 when it is not there. */
  get(x: number, tx: number, T: number): number {
    const keys = this.keys;
    for (let slot = TripleIndex.hash(x, tx, T) & this.mask; ; slot = (slot + 1) & this.mask) {
      const g = this.slots[slot];
      if (g < 0) return -1;
      if (keys[3 * g] === x && keys[3 * g + 1] === tx && keys[3 * g + 2] === T) return g;
    }
  }

  /** The number of the triple, numbering it next when it is new. */
  add(x: number, tx: number, T: number): number {
    let slot = TripleIndex.hash(x, tx, T) & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const g = this.slots[slot];
      if (g < 0) break;
      const keys = this.keys;
      if (keys[3 * g] === x && keys[3 * g + 1] === tx && keys[3 * g + 2] === T) return g;
    }
    const g = this.size++;
    if (3 * this.size > this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys[3 * g] = x;
    this.keys[3 * g + 1] = tx;
    this.keys[3 * g + 2] = T;
    this.slots[slot] = g;
    if (2 * this.size > this.slots.length) this.rehash();
    return g;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let g = 0; g < this.size; g++) {
      let slot = TripleIndex.hash(this.keys[3 * g], this.keys[3 * g + 1], this.keys[3 * g + 2]) & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = g;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** A map keyed by (x, t_x, T) as numbers (a TripleIndex and the values in its order). */
export class TripleMap<V> {
  private readonly index = new TripleIndex();
  private readonly values: V[] = [];

  get(x: number, tx: number, T: number): V | undefined {
    const g = this.index.get(x, tx, T);
    return g < 0 ? undefined : this.values[g];
  }

  set(x: number, tx: number, T: number, value: V): void {
    this.values[this.index.add(x, tx, T)] = value;
  }
}

/**
 * The distinct values, ascending, and the index of each value among them (0 and -0 are one, as in
 * a Set). Numbered by a TripleIndex, then renumbered by rank: a Map from number to position costs
 * several times more per value on a hundred thousand groups.
 */
export function distinctIndex(values: ArrayLike<number>): { values: Float64Array; index: Int32Array } {
  const seen = new TripleIndex();
  const first: number[] = [];
  const index = new Int32Array(values.length);
  for (let g = 0; g < values.length; g++) {
    const k = seen.add(values[g], 0, 0);
    if (k === first.length) first.push(values[g]);
    index[g] = k;
  }
  const order = Array.from(first.keys()).sort((p, q) => first[p] - first[q]);
  const rank = new Int32Array(first.length);
  order.forEach((k, r) => (rank[k] = r));
  for (let g = 0; g < index.length; g++) index[g] = rank[index[g]];
  return { values: Float64Array.from(order, (k) => first[k]), index };
}

/** The groups of a list of rows, and the group of each row (groups are numbered in order of first appearance). */
export function groupRows(input: BtydInput): GroupedRows {
  const table = asTable(input);
  const groups = new TripleIndex();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const weight: number[] = [];
  const rowGroup = new Int32Array(table.size);
  const { frequency, recency, T: age } = table;
  for (let i = 0; i < table.size; i++) {
    const g = groups.add(frequency[i], recency[i], age[i]);
    rowGroup[i] = g;
    if (g < weight.length) weight[g]++;
    else {
      x.push(frequency[i]);
      tx.push(recency[i]);
      T.push(age[i]);
      weight.push(1);
    }
  }
  const [xColumn, txColumn, TColumn] = [Float64Array.from(x), Float64Array.from(tx), Float64Array.from(T)];
  return grouped(xColumn, txColumn, TColumn, Float64Array.from(weight), distinctIndex(xColumn), distinctIndex(txColumn), distinctIndex(TColumn), table.size, rowGroup);
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
  const index = (column: Int32Array) => Int32Array.from(pick, (g) => column[g]);
  return grouped(
    take(data.x),
    take(data.tx),
    take(data.T),
    weight,
    { values: data.xs, index: index(data.xIndex) },
    { values: data.txs, index: index(data.txIndex) },
    { values: data.Ts, index: index(data.TIndex) },
    customers,
    new Int32Array(0),
  );
}

/** log(e^p + e^q) without overflow. */
export function logAddExp(p: number, q: number): number {
  if (p === -Infinity) return q;
  if (q === -Infinity) return p;
  return p > q ? p + Math.log1p(Math.exp(q - p)) : q + Math.log1p(Math.exp(p - q));
}
