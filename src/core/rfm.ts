/**
 * Aggregation of kept transactions to one Recency/Frequency/Monetary row per customer, with the
 * exact semantics of the original pandas pipeline:
 * - as-of = the given instant, or the latest kept timestamp + 1 day; rows after it are left out;
 * - recency = whole days from the last purchase to as-of, floored (pandas Timedelta.days);
 * - frequency = distinct invoices, or distinct UTC purchase days when there is no invoice column;
 * - monetary = the sum of line values rounded to 9 decimal places (as the nearest double), the one
 *   definition both engines share: the SQL twin (sql/rfm-query.ts) sums the lines as DECIMAL(38, 9);
 *   here the sum is compensated (Neumaier), nearly exact in doubles, then rounded once per customer.
 *   Amounts that are equal in decimal are then equal numbers ($29.73 is never 29.729999999999997),
 *   so they get equal scores and print alike. The two agree whenever lines have at most 9 decimals
 *   and a customer's lines do not pile up half a nano-unit of representation error (~10^7 lines).
 * Memory is bounded by the number of customers (and their distinct invoices), never by rows.
 */
import { lineValue, type ParsedRow } from './clean.js';

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

export interface RfmTable {
  asOf: number;
  customers: RfmCustomer[];
  /** Rows left out because they were after the as-of instant. */
  afterAsOf: number;
}

/**
 * A frequency key as stored: an invoice that is a plain whole number below 2^30 ("536365", not
 * "0536365" or "5e5") becomes that number, a small integer V8 keeps without allocating; any other
 * invoice stays text. Two invoices are the same key exactly when they are the same text.
 */
function invoiceKey(invoice: string): string | number {
  const n = invoice.length;
  if (n === 0 || n > 9) return invoice;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const c = invoice.charCodeAt(i) - 48;
    if (c < 0 || c > 9 || (c === 0 && i === 0 && n > 1)) return invoice;
    value = value * 10 + c;
  }
  return value;
}

/** Index of `key` in the ascending `keys`, or -(insertion point) - 1. */
function search(keys: number[], key: number): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid];
    if (k < key) lo = mid + 1;
    else if (k > key) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

const MONETARY_SCALE = 1e9;
/** Beyond this, doubles are coarser than 10^-9 apart: the sum is already as exact as a double gets. */
const MONETARY_EXACT_LIMIT = Number.MAX_SAFE_INTEGER / MONETARY_SCALE;

/** `value` rounded to 9 decimal places: the nearest double to the decimal n / 10^9 (never -0). */
export function roundMonetary(value: number): number {
  if (!(Math.abs(value) < MONETARY_EXACT_LIMIT)) return value;
  return Math.round(value * MONETARY_SCALE) / MONETARY_SCALE + 0;
}

export class RfmAccumulator {
  /*
   * Per-customer state in columns indexed by the customer's number (its order of appearance):
   * typed arrays for the running numbers (no object, no boxed double per customer), and for the
   * distinct frequency keys, only from a customer's second one, a sorted array of numeric keys
   * (invoices usually rise, so it is appended to) and a Set of the others.
   */
  private readonly index = new Map<string, number>();
  private ids: string[] = [];
  private first = new Float64Array(1024);
  private last = new Float64Array(1024);
  private sum = new Float64Array(1024);
  private compensation = new Float64Array(1024);
  private lastKey: (string | number)[] = [];
  private numericKeys: (number[] | undefined)[] = [];
  private otherKeys: (Set<string> | undefined)[] = [];
  private maxTime = -Infinity;
  private afterAsOf = 0;
  // The lines of an invoice come together: the last customer and invoice are kept at hand, found
  // again by comparing strings (the same string objects on the fast path) rather than hashing.
  private lastId: string | undefined = undefined;
  private lastIndex = -1;
  private lastInvoice: string | undefined = undefined;
  private lastInvoiceKey: string | number = '';

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
    return this.addRow({ customerId, invoice, time, quantity: NaN, price: NaN, amount: value, hasQuantity: false, hasPrice: false, hasAmount: true });
  }

  /**
   * add() for a parsed row, its value being lineValue(row). The readers call this one, with the same
   * row object each time: passing the row rather than its numbers spares two heap numbers a line
   * (a number argument to a call that is not inlined is boxed; ~25 MB of garbage on the bench log).
   */
  addRow(row: ParsedRow): boolean {
    const { customerId, invoice, time } = row;
    const value = lineValue(row);
    if (this.asOf !== undefined && time > this.asOf) {
      this.afterAsOf++;
      return false;
    }
    if (time > this.maxTime) this.maxTime = time;
    let key: string | number;
    if (!this.byInvoice) key = Math.floor(time / DAY_MS);
    else if (invoice === this.lastInvoice) key = this.lastInvoiceKey;
    else {
      key = invoiceKey(invoice);
      this.lastInvoice = invoice;
      this.lastInvoiceKey = key;
    }
    let c = customerId === this.lastId ? this.lastIndex : this.index.get(customerId);
    if (c === undefined) {
      c = this.ids.length;
      this.index.set(customerId, c);
      this.ids.push(customerId);
      if (c === this.first.length) this.grow();
      this.first[c] = time;
      this.last[c] = time;
      this.sum[c] = value;
      this.compensation[c] = 0;
      this.lastKey.push(key);
      this.numericKeys.push(undefined);
      this.otherKeys.push(undefined);
    } else {
      if (time < this.first[c]) this.first[c] = time;
      if (time > this.last[c]) this.last[c] = time;
      // Neumaier summation: the error of each addition is carried separately.
      const s = this.sum[c];
      const t = s + value;
      if (Math.abs(s) >= Math.abs(value)) this.compensation[c] += s - t + value;
      else this.compensation[c] += value - t + s;
      this.sum[c] = t;
      // Lines of one invoice usually come together: nothing to do when the key repeats.
      if (key !== this.lastKey[c]) this.addKey(c, key);
    }
    this.lastId = customerId;
    this.lastIndex = c;
    return true;
  }

  /** Records a key that differs from the customer's last one (it may still have been seen before). */
  private addKey(c: number, key: string | number): void {
    let numeric = this.numericKeys[c];
    let other = this.otherKeys[c];
    if (numeric === undefined && other === undefined) {
      // The second distinct key: until now every line had the last key.
      const previous = this.lastKey[c];
      numeric = this.numericKeys[c] = [];
      if (typeof previous === 'number') numeric.push(previous);
      else other = this.otherKeys[c] = new Set([previous]);
    }
    if (typeof key === 'number') {
      const keys = numeric ?? (this.numericKeys[c] = []);
      const n = keys.length;
      if (n === 0 || key > keys[n - 1]) keys.push(key);
      else {
        const at = search(keys, key);
        if (at < 0) keys.splice(-at - 1, 0, key);
      }
    } else {
      (other ?? (this.otherKeys[c] = new Set())).add(key);
    }
    this.lastKey[c] = key;
  }

  private grow(): void {
    const size = this.first.length * 2;
    for (const column of ['first', 'last', 'sum', 'compensation'] as const) {
      const grown = new Float64Array(size);
      grown.set(this[column]);
      this[column] = grown;
    }
  }

  get customerCount(): number {
    return this.ids.length;
  }

  /** The latest kept timestamp (-Infinity before the first row). */
  get latest(): number {
    return this.maxTime;
  }

  /**
   * The RFM rows sorted by customer id (code-unit order, as pandas' groupby sorts), recency counted
   * from `asOf` when given (no kept row may be after it), else from the constructor's as-of.
   */
  finish(asOfOverride?: number): RfmTable {
    const asOf = asOfOverride ?? this.asOf ?? this.maxTime + DAY_MS;
    const order = this.ids.map((_, i) => i).sort((a, b) => {
      const x = this.ids[a];
      const y = this.ids[b];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const customers = order.map((c): RfmCustomer => {
      const numeric = this.numericKeys[c];
      const other = this.otherKeys[c];
      return {
        customerId: this.ids[c],
        recency: Math.floor((asOf - this.last[c]) / DAY_MS),
        frequency: numeric === undefined && other === undefined ? 1 : (numeric?.length ?? 0) + (other?.size ?? 0),
        monetary: roundMonetary(this.sum[c] + this.compensation[c]),
        firstPurchase: this.first[c],
        lastPurchase: this.last[c],
      };
    });
    return { asOf, customers, afterAsOf: this.afterAsOf };
  }
}
