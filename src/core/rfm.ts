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

interface CustomerState {
  first: number;
  last: number;
  sum: number;
  compensation: number;
  lastKey: string | number;
  keys: Set<string | number>;
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
    const state = this.states.get(customerId);
    if (state === undefined) {
      this.states.set(customerId, {
        first: time,
        last: time,
        sum: value,
        compensation: 0,
        lastKey: key,
        keys: new Set([key]),
      });
      return true;
    }
    if (time < state.first) state.first = time;
    if (time > state.last) state.last = time;
    // Neumaier summation: the error of each addition is carried separately.
    const t = state.sum + value;
    if (Math.abs(state.sum) >= Math.abs(value)) state.compensation += state.sum - t + value;
    else state.compensation += value - t + state.sum;
    state.sum = t;
    // Lines of one invoice usually come together: skip the Set when the key repeats.
    if (key !== state.lastKey) {
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
        frequency: s.keys.size,
        monetary: s.sum + s.compensation,
        firstPurchase: s.first,
        lastPurchase: s.last,
      };
    });
    return { asOf, customers, afterAsOf: this.afterAsOf };
  }
}
