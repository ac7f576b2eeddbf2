/**
 * The cleaning rules, one small named function each, so that they can be documented, tested and
 * (later) emitted as SQL one by one. A row is dropped by the first rule, in RULE_ORDER, that
 * matches it; each drop is counted under that rule.
 */
export const RULE_ORDER = [
  'missing_customer',
  'cancelled',
  'status',
  'invalid_date',
  'invalid_number',
  'nonpositive_quantity',
  'nonpositive_price',
  'duplicate',
] as const;

export type DropRule = (typeof RULE_ORDER)[number];

export const RULE_DESCRIPTIONS: Record<DropRule, string> = {
  missing_customer: 'no customer id',
  cancelled: 'cancellation (invoice C + digits)',
  status: 'sale did not stand (status cancelled, refunded, failed, …)',
  invalid_date: 'unparseable date',
  invalid_number: 'unparseable quantity, price or amount',
  nonpositive_quantity: 'quantity <= 0',
  nonpositive_price: 'price (or amount) <= 0',
  duplicate: 'exact duplicate line (--dedupe)',
};

export interface CleaningOptions {
  keepCancelled: boolean;
  keepNonpositiveQuantity: boolean;
  keepNonpositivePrice: boolean;
  dedupe: boolean;
  /** Keep rows whose status says the sale did not stand, and orders with a `Cancelled at`. */
  keepStatus: boolean;
  /** Do not subtract a refunded amount (Stripe's `Amount Refunded`) from the amount. */
  keepRefunds: boolean;
  /** Keep rows whose price (or amount) is exactly 0, still dropping negatives: `rfm clv` counts them as purchases. */
  keepZeroPrice?: boolean;
}

export const DEFAULT_CLEANING: CleaningOptions = {
  keepCancelled: false,
  keepNonpositiveQuantity: false,
  keepNonpositivePrice: false,
  dedupe: false,
  keepStatus: false,
  keepRefunds: false,
};

/** Values pandas' read_csv reads as missing (its default na_values), so ids match pandas. */
export const MISSING_TEXT: ReadonlySet<string> = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
]);

/**
 * Customer ids are text. `17850.0` (a float artefact of pandas exports) becomes `17850`;
 * leading zeros (`00001`) are kept. A missing id becomes the empty string.
 */
export function normalizeCustomerId(raw: string): string {
  const id = raw.trim();
  if (MISSING_TEXT.has(id)) return '';
  const dot = id.indexOf('.');
  if (dot > 0 && /^\d+\.0+$/.test(id)) return id.slice(0, dot);
  return id;
}

/** Rule `missing_customer`: a row without a customer id cannot be attributed to anyone. */
export function isMissingCustomer(customerId: string): boolean {
  return customerId === '';
}

const CANCELLATION = /^C\d+$/;

/**
 * Rule `cancelled`: the Online Retail convention, an invoice number that is a C followed by digits
 * (`C536379`). `CA-2016-152156` (Superstore) or `CN1001` is an order like any other.
 */
export function isCancellation(invoice: string): boolean {
  const c = invoice.charCodeAt(0);
  // Most invoices start with a digit: no regex for them.
  if (c === 67) return CANCELLATION.test(invoice);
  if (c <= 32) return CANCELLATION.test(invoice.trim());
  return false;
}

/** Status values (normalised by normalizeStatus) that mean the sale did not stand. */
export const VOID_STATUSES: readonly string[] = [
  'cancelled', 'canceled', 'refunded', 'voided', 'void', 'failed', 'declined',
  'pending', 'pending payment', 'draft', 'checkout draft', 'trash',
];
const VOID_STATUS_SET = new Set(VOID_STATUSES);

/**
 * A status as compared: trimmed, lower-cased, WooCommerce's `wc-` prefix removed, `_` and `-` as
 * spaces, runs of spaces as one (`wc-pending-payment` and `Pending  Payment` are `pending payment`).
 */
export function normalizeStatus(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^wc-/, '')
    .replace(/[_-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Rule `status`: a status column value saying the sale did not stand (cancelled, refunded, failed, …). */
export function isVoidStatus(raw: string): boolean {
  return VOID_STATUS_SET.has(normalizeStatus(raw));
}

/** Rule `nonpositive_quantity`: returns and adjustments carry quantity <= 0. */
export function isNonpositiveQuantity(quantity: number): boolean {
  return quantity <= 0;
}

/** Rule `nonpositive_price`: free samples, postage corrections, bad-debt lines (price or amount <= 0). */
export function isNonpositivePrice(priceOrAmount: number): boolean {
  return priceOrAmount <= 0;
}

/** One parsed transaction row; numbers are NaN where the column is absent or unparseable. */
export interface ParsedRow {
  customerId: string;
  invoice: string;
  time: number;
  quantity: number;
  price: number;
  amount: number;
  hasQuantity: boolean;
  hasPrice: boolean;
  hasAmount: boolean;
  /** The row's status ('' without a status column); rule `status` reads it. */
  status?: string;
  /** The row's order has a `Cancelled at` (Shopify): rule `status` drops it. */
  orderCancelled?: boolean;
  /**
   * The refunded part already subtracted from `amount` (Stripe's `Amount Refunded`; 0 when none or
   * with --keep-refunds): a payment refunded in full is dropped under rule `status`.
   */
  refunded?: number;
}

/**
 * The rule that drops a parsed row, or null when the row is kept. When an amount column exists it
 * is the line value; otherwise quantity × price is.
 */
export function dropRule(row: ParsedRow, options: CleaningOptions): DropRule | null {
  if (isMissingCustomer(row.customerId)) return 'missing_customer';
  if (!options.keepCancelled && isCancellation(row.invoice)) return 'cancelled';
  if (!options.keepStatus && (row.orderCancelled === true || (row.status !== undefined && row.status !== '' && isVoidStatus(row.status)))) {
    return 'status';
  }
  if (Number.isNaN(row.time)) return 'invalid_date';
  if (row.hasAmount ? !Number.isFinite(row.amount) : !Number.isFinite(row.quantity) || !Number.isFinite(row.price)) {
    return 'invalid_number';
  }
  // Refunded in full (or more): the payment did not stand.
  if (row.refunded !== undefined && row.refunded > 0 && row.amount <= 0) return 'status';
  if (row.hasQuantity && !options.keepNonpositiveQuantity) {
    if (!Number.isFinite(row.quantity)) return 'invalid_number';
    if (isNonpositiveQuantity(row.quantity)) return 'nonpositive_quantity';
  }
  if (!options.keepNonpositivePrice) {
    const value = row.hasAmount ? row.amount : row.price;
    if (isNonpositivePrice(value) && !(value === 0 && options.keepZeroPrice === true)) return 'nonpositive_price';
  }
  return null;
}

/** The value a kept row adds to its customer's monetary total. */
export function lineValue(row: ParsedRow): number {
  return row.hasAmount ? row.amount : row.quantity * row.price;
}

export type DropCounts = Record<DropRule | 'after_as_of', number>;

export function emptyDropCounts(): DropCounts {
  return {
    missing_customer: 0,
    cancelled: 0,
    status: 0,
    invalid_date: 0,
    invalid_number: 0,
    nonpositive_quantity: 0,
    nonpositive_price: 0,
    duplicate: 0,
    after_as_of: 0,
  };
}

export interface CleaningReport {
  source: string;
  rowsRead: number;
  rowsKept: number;
  dropped: DropCounts;
}
