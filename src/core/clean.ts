/**
 * The cleaning rules, one small named function each, so that they can be documented, tested and
 * (later) emitted as SQL one by one. A row is dropped by the first rule, in RULE_ORDER, that
 * matches it; each drop is counted under that rule.
 */
export const RULE_ORDER = [
  'missing_customer',
  'cancelled',
  'invalid_date',
  'invalid_number',
  'nonpositive_quantity',
  'nonpositive_price',
  'duplicate',
] as const;

export type DropRule = (typeof RULE_ORDER)[number];

export const RULE_DESCRIPTIONS: Record<DropRule, string> = {
  missing_customer: 'no customer id',
  cancelled: 'cancellation (invoice starts with C)',
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
}

export const DEFAULT_CLEANING: CleaningOptions = {
  keepCancelled: false,
  keepNonpositiveQuantity: false,
  keepNonpositivePrice: false,
  dedupe: false,
};

/** Values pandas' read_csv reads as missing (its default na_values), so ids match pandas. */
const MISSING_TEXT = new Set([
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

/** Rule `cancelled`: the Online Retail convention, an invoice number starting with C (or c). */
export function isCancellation(invoice: string): boolean {
  const c = invoice.charCodeAt(0);
  return c === 67 || c === 99;
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
}

/**
 * The rule that drops a parsed row, or null when the row is kept. When an amount column exists it
 * is the line value; otherwise quantity × price is.
 */
export function dropRule(row: ParsedRow, options: CleaningOptions): DropRule | null {
  if (isMissingCustomer(row.customerId)) return 'missing_customer';
  if (!options.keepCancelled && isCancellation(row.invoice)) return 'cancelled';
  if (Number.isNaN(row.time)) return 'invalid_date';
  if (row.hasAmount ? !Number.isFinite(row.amount) : !Number.isFinite(row.quantity) || !Number.isFinite(row.price)) {
    return 'invalid_number';
  }
  if (row.hasQuantity && !options.keepNonpositiveQuantity) {
    if (!Number.isFinite(row.quantity)) return 'invalid_number';
    if (isNonpositiveQuantity(row.quantity)) return 'nonpositive_quantity';
  }
  if (!options.keepNonpositivePrice) {
    const value = row.hasAmount ? row.amount : row.price;
    if (isNonpositivePrice(value)) return 'nonpositive_price';
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
