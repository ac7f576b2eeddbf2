/**
 * Aggregation of kept transactions to one Recency/Frequency/Monetary row per customer, with the
 * exact semantics of the original pandas pipeline:
 * - as-of = the given instant, or the latest kept timestamp + 1 day; rows after it are left out;
 * - recency = whole days from the last purchase to as-of, floored (pandas Timedelta.days);
 * - frequency = distinct invoices, or distinct UTC purchase days when there is no invoice column;
 * - monetary = the sum of line values, compensated (Neumaier) so it is exact to far below a cent.
 * Memory is bounded by the number of customers (and their distinct invoices), never by rows.
 */
export const DAY_MS = 86_400_000;

export interface RfmRow {
  customerId: string;
  recency: number;
  frequency: number;
  monetary: number;
}

export interface RfmCustomer extends RfmRow {
  /** Timestamps (ms, UTC) of the first and last kept purchase; kept for lifetime-value models. */
  firstPurchase: number;
  lastPurchase: number;
}

/** One customer's running totals: a small record of numbers, the same shape for every customer. */
class CustomerState {
  first: number;
  last: number;
  sum: number;
  compensation = 0;
  /** The frequency key (invoice, or purchase day) of the last line seen. */
  lastKey: string | number;
  /** Every distinct key, created at the second one: one-invoice customers never need a Set. */
  keys: Set<string | number> | undefined = undefined;

  constructor(time: number, value: number, key: string | number) {
    this.first = time;
    this.last = time;
    this.sum = value;
    this.lastKey = key;
  }

  get frequency(): number {
    return this.keys === undefined ? 1 : this.keys.size;
  }
}

export interface RfmTable {
  asOf: number;
  customers: RfmCustomer[];
  /** Rows left out because they were after the as-of instant. */
  afterAsOf: number;
}

export class RfmAccumulator {
  private readonly states = new Map<string, CustomerState>();
  private maxTime = -Infinity;
  private afterAsOf = 0;
  // The lines of an invoice come together: the last customer's state is kept at hand, found again
  // by comparing ids (the same string object on the fast path) rather than hashing into the Map.
  private lastId: string | undefined = undefined;
  private lastState: CustomerState | undefined = undefined;

  /**
   * @param asOf the as-of instant (ms), or undefined for latest + 1 day
   * @param byInvoice count distinct invoices (true) or distinct purchase days (false)
   */
  constructor(
    private readonly asOf: number | undefined,
    private readonly byInvoice: boolean,
  ) {}

  /** Adds one kept line. Returns false when the line is after the as-of instant and was left out. */
  add(customerId: string, invoice: string, time: number, value: number): boolean {
    if (this.asOf !== undefined && time > this.asOf) {
      this.afterAsOf++;
      return false;
    }
    if (time > this.maxTime) this.maxTime = time;
    const key: string | number = this.byInvoice ? invoice : Math.floor(time / DAY_MS);
    let state = customerId === this.lastId ? this.lastState : this.states.get(customerId);
    if (state === undefined) {
      state = new CustomerState(time, value, key);
      this.states.set(customerId, state);
      this.lastId = customerId;
      this.lastState = state;
      return true;
    }
    this.lastId = customerId;
    this.lastState = state;
    if (time < state.first) state.first = time;
    if (time > state.last) state.last = time;
    // Neumaier summation: the error of each addition is carried separately.
    const t = state.sum + value;
    if (Math.abs(state.sum) >= Math.abs(value)) state.compensation += state.sum - t + value;
    else state.compensation += value - t + state.sum;
    state.sum = t;
    // Lines of one invoice usually come together: skip the Set when the key repeats.
    if (key !== state.lastKey) {
      if (state.keys === undefined) state.keys = new Set([state.lastKey]);
      state.keys.add(key);
      state.lastKey = key;
    }
    return true;
  }

  get customerCount(): number {
    return this.states.size;
  }

  /** The RFM rows sorted by customer id (code-unit order, as pandas' groupby sorts). */
  finish(): RfmTable {
    const asOf = this.asOf ?? this.maxTime + DAY_MS;
    const ids = [...this.states.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const customers = ids.map((customerId): RfmCustomer => {
      const s = this.states.get(customerId)!;
      return {
        customerId,
        recency: Math.floor((asOf - s.last) / DAY_MS),
        frequency: s.frequency,
        monetary: s.sum + s.compensation,
        firstPurchase: s.first,
        lastPurchase: s.last,
      };
    });
    return { asOf, customers, afterAsOf: this.afterAsOf };
  }
}
