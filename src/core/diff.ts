/**
 * Segment migration between two snapshots of the same customers (`rfm diff`, `rfm report
 * --diff-from`): who was in which segment at the first date, where they are at the second, and the
 * revenue they brought in between. Pure: the snapshots come in already segmented.
 *
 * - A customer in the second snapshot only is *new* (row `null`): no purchase by the first date.
 * - A customer in the first snapshot only is *lost* (column `null`): not a customer at the second
 *   (two saved files). From one log every earlier customer is still there, their recency grown:
 *   they stay in the segment the model gives them, unless `lostAfter` days says when a customer
 *   counts as lost (recency at the second date > lostAfter).
 * - Revenue in the period = monetary at the second date − monetary at the first (0 for a lost
 *   customer absent from the second snapshot).
 */
import { roundMonetary, type RfmRow } from './rfm.js';

/** One segmented snapshot: customers sorted by id (code-unit order), each with a segment index. */
export interface Snapshot {
  customers: readonly RfmRow[];
  /** `labels[i]` is the index in `segments` of `customers[i]`'s segment. */
  labels: ArrayLike<number>;
}

export interface MigrationInput {
  /** Segment names, in the order of the matrix's rows and columns; the snapshots' labels index it. */
  segments: readonly string[];
  from: Snapshot;
  to: Snapshot;
  /** Days without a purchase (recency at `to`) beyond which a customer counts as lost. */
  lostAfter?: number;
}

/** A segment name; `null` is "new" as a row (from) and "lost" as a column (to). */
export type Place = string | null;

export interface MigrationCell {
  from: Place;
  to: Place;
  customers: number;
  revenue: number;
}

export interface MarginTotal {
  segment: Place;
  customers: number;
  revenue: number;
}

export interface MigrationMatrix {
  /** Row labels: the segments, then `null` (new). */
  rows: Place[];
  /** Column labels: the segments, then `null` (lost) when anyone can be lost (lostAfter, or one-sided ids). */
  columns: Place[];
  /** Every row × column pair, row by row (zeros included). */
  cells: MigrationCell[];
  rowTotals: MarginTotal[];
  columnTotals: MarginTotal[];
  totals: {
    /** Everyone in either snapshot. */
    customers: number;
    revenue: number;
    /** Customers of the first snapshot whose segment at the second is the same. */
    stayed: number;
    /** stayed / customers of the first snapshot; null when it has none. */
    stayedShare: number | null;
    /** Customers of the first snapshot in another segment at the second (lost ones included). */
    moved: number;
    new: number;
    lost: number;
  };
}

/** One customer's two places, as `forEachCustomer` hands them over. */
export interface Movement {
  customerId: string;
  /** Segment index at the first date, or -1 when new. */
  from: number;
  /** Segment index at the second date, or -1 when lost. */
  to: number;
  /** The customer's rows, undefined where absent. */
  before: RfmRow | undefined;
  after: RfmRow | undefined;
  revenue: number;
}

const byId = (a: RfmRow, b: RfmRow) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

/** The snapshot's rows in id order: as given when they already are (the usual case), else sorted. */
function ordered(snapshot: Snapshot): { customers: readonly RfmRow[]; labels: ArrayLike<number> } {
  const { customers, labels } = snapshot;
  if (customers.length !== labels.length) throw new RangeError(`${customers.length} customers but ${labels.length} labels`);
  let sorted = true;
  for (let i = 1; i < customers.length && sorted; i++) {
    const order = byId(customers[i - 1], customers[i]);
    if (order === 0) throw new RangeError(`customer ${customers[i].customerId} appears twice in a snapshot`);
    sorted = order < 0;
  }
  if (sorted) return snapshot;
  const index = customers.map((_, i) => i).sort((a, b) => byId(customers[a], customers[b]));
  for (let i = 1; i < index.length; i++) {
    if (byId(customers[index[i - 1]], customers[index[i]]) === 0) throw new RangeError(`customer ${customers[index[i]].customerId} appears twice in a snapshot`);
  }
  return { customers: index.map((i) => customers[i]), labels: index.map((i) => labels[i]) };
}

/**
 * Calls `visit` for every customer of either snapshot, in id order: a merge of the two sorted
 * lists, so a million customers cost no hash table. The Movement object is reused between calls.
 */
export function forEachCustomer(input: MigrationInput, visit: (movement: Movement) => void): void {
  const from = ordered(input.from);
  const to = ordered(input.to);
  const lostAfter = input.lostAfter;
  const k = input.segments.length;
  const check = (label: number) => {
    if (!(Number.isInteger(label) && label >= 0 && label < k)) throw new RangeError(`segment index ${label} is not one of the ${k} segments`);
    return label;
  };
  const movement: Movement = { customerId: '', from: -1, to: -1, before: undefined, after: undefined, revenue: 0 };
  let i = 0;
  let j = 0;
  while (i < from.customers.length || j < to.customers.length) {
    const before = i < from.customers.length ? from.customers[i] : undefined;
    const after = j < to.customers.length ? to.customers[j] : undefined;
    const order = before === undefined ? 1 : after === undefined ? -1 : byId(before, after);
    movement.before = order <= 0 ? before : undefined;
    movement.after = order >= 0 ? after : undefined;
    movement.customerId = (order <= 0 ? before! : after!).customerId;
    movement.from = order <= 0 ? check(from.labels[i]) : -1;
    const kept = movement.after !== undefined && (lostAfter === undefined || movement.after.recency <= lostAfter);
    movement.to = kept ? check(to.labels[j]) : -1;
    // Rounded as monetary is (9 decimals): 2039.58 − 1596 is 443.58, not 443.5799999999999.
    movement.revenue = movement.after === undefined ? 0 : roundMonetary(movement.after.monetary - (movement.before?.monetary ?? 0));
    if (order <= 0) i++;
    if (order >= 0) j++;
    visit(movement);
  }
}

/** Neumaier-compensated running sums, one per slot. */
class Sums {
  private readonly sum: Float64Array;
  private readonly compensation: Float64Array;

  constructor(size: number) {
    this.sum = new Float64Array(size);
    this.compensation = new Float64Array(size);
  }

  add(slot: number, value: number): void {
    const s = this.sum[slot];
    const t = s + value;
    this.compensation[slot] += Math.abs(s) >= Math.abs(value) ? s - t + value : value - t + s;
    this.sum[slot] = t;
  }

  get(slot: number): number {
    return this.sum[slot] + this.compensation[slot];
  }
}

/** The migration matrix of two snapshots, with its row and column totals. */
export function migrationMatrix(input: MigrationInput): MigrationMatrix {
  const k = input.segments.length;
  // Slot (r, c) = r * (k + 1) + c, with index k for new (row) and lost (column).
  const width = k + 1;
  const counts = new Float64Array(width * width);
  const revenue = new Sums(width * width);
  let oneSidedLost = false;
  forEachCustomer(input, (m) => {
    const r = m.from < 0 ? k : m.from;
    const c = m.to < 0 ? k : m.to;
    if (m.after === undefined) oneSidedLost = true;
    counts[r * width + c]++;
    revenue.add(r * width + c, m.revenue);
  });

  const names: Place[] = [...input.segments, null];
  const rowIndex = names.map((_, r) => r);
  const columnIndex = input.lostAfter !== undefined || oneSidedLost ? rowIndex : rowIndex.slice(0, k);
  const cells = rowIndex.flatMap((r) =>
    columnIndex.map((c): MigrationCell => ({ from: names[r], to: names[c], customers: counts[r * width + c], revenue: revenue.get(r * width + c) })),
  );
  const margin = (indices: number[], slots: (i: number) => number[]): MarginTotal[] =>
    indices.map((i) => {
      const sums = new Sums(1);
      let customers = 0;
      for (const slot of slots(i)) {
        customers += counts[slot];
        sums.add(0, revenue.get(slot));
      }
      return { segment: names[i], customers, revenue: sums.get(0) };
    });
  const all = rowIndex.flatMap((r) => rowIndex.map((c) => r * width + c));
  const rowTotals = margin(rowIndex, (r) => rowIndex.map((c) => r * width + c));
  const columnTotals = margin(columnIndex, (c) => rowIndex.map((r) => r * width + c));
  const [grand] = margin([0], () => all);

  let stayed = 0;
  for (let s = 0; s < k; s++) stayed += counts[s * width + s];
  const before = rowTotals.slice(0, k).reduce((sum, t) => sum + t.customers, 0);
  return {
    rows: names,
    columns: columnIndex.map((c) => names[c]),
    cells,
    rowTotals,
    columnTotals,
    totals: {
      customers: grand.customers,
      revenue: grand.revenue,
      stayed,
      stayedShare: before === 0 ? null : stayed / before,
      moved: before - stayed,
      new: rowTotals[k].customers,
      lost: rowIndex.reduce((sum, r) => sum + counts[r * width + k], 0),
    },
  };
}

/** A snapshot whose customers carry segment names (saved batches) rather than indices. */
export interface NamedSnapshot {
  customers: readonly RfmRow[];
  names: readonly string[];
  /** Cluster number of each customer, when known: it orders the segments. */
  clusters: readonly number[] | null;
}

/**
 * Two named snapshots as a MigrationInput: segments matched by name, ordered by the first
 * snapshot's cluster numbers (else first appearance), then those only in the second. Also the
 * cluster numbers the two name differently — a sign they come from different models.
 */
export function byName(from: NamedSnapshot, to: NamedSnapshot, lostAfter?: number): { input: MigrationInput; renamed: number[] } {
  const order = new Map<string, number>();
  const clusterName = new Map<number, string>();
  const renamed = new Set<number>();
  const collect = (snapshot: NamedSnapshot) => {
    const seen = new Map<string, number>();
    snapshot.names.forEach((name, i) => {
      const cluster = snapshot.clusters?.[i];
      const rank = cluster ?? i;
      if (!seen.has(name) || rank < seen.get(name)!) seen.set(name, rank);
      if (cluster !== undefined) {
        const known = clusterName.get(cluster);
        if (known === undefined) clusterName.set(cluster, name);
        else if (known !== name) renamed.add(cluster);
      }
    });
    const names = [...seen.keys()].sort((a, b) => seen.get(a)! - seen.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) if (!order.has(name)) order.set(name, order.size);
  };
  collect(from);
  collect(to);
  const segments = [...order.keys()];
  const index = new Map(segments.map((name, i) => [name, i]));
  const labels = (snapshot: NamedSnapshot) => Int32Array.from(snapshot.names, (name) => index.get(name)!);
  return {
    input: { segments, from: { customers: from.customers, labels: labels(from) }, to: { customers: to.customers, labels: labels(to) }, lostAfter },
    renamed: [...renamed].sort((a, b) => a - b),
  };
}
