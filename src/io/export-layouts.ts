/**
 * The exports retailers actually have, as data: for each, the header names that recognise it (its
 * signature) and which column plays which role, from each platform's public column documentation.
 * columns.ts picks the first layout whose signature the header carries; names are compared
 * normalised (case, spaces, `_` and `-` ignored).
 *
 * The per-row work some layouts need (order-level fields filled down within an order, the status,
 * `Cancelled at`, a refund subtracted) is `layoutRowPath` below: only files with such columns pay
 * for it, the others keep the byte-level fast path of transactions.ts.
 */
import type { ParsedRow } from '../core/clean.js';
import type { TransactionRole } from './columns.js';

export interface ExportLayout {
  name: string;
  /** Header names that must all be present. */
  signature: readonly string[];
  /**
   * Candidate columns for each role, in order of preference (the first present wins); `null`: the
   * layout has no such column even if a generic synonym matches one (Shopify's `Total` is an order
   * total, not a line amount). A role not listed falls back to the generic synonyms.
   */
  roles: Partial<Record<TransactionRole, readonly string[] | null>>;
  /** Status columns, in order of preference. */
  status?: readonly string[];
  /** A column that, when non-empty, cancels the whole order. */
  cancelledAt?: string;
  /** A refunded amount to subtract from the amount (major units). */
  refunded?: string;
  /** Columns given only on an order's first line, filled down to its later lines (same invoice). */
  orderLevel?: readonly string[];
}

export const EXPORT_LAYOUTS: readonly ExportLayout[] = [
  {
    // One row per line item; the order's money, status and dates only on its first line.
    name: 'Shopify orders export',
    signature: ['Name', 'Email', 'Created at', 'Lineitem quantity', 'Lineitem price'],
    roles: {
      customer: ['Email'],
      invoice: ['Name'],
      date: ['Created at'],
      quantity: ['Lineitem quantity'],
      price: ['Lineitem price'],
      amount: null,
    },
    status: ['Financial Status'],
    cancelledAt: 'Cancelled at',
    orderLevel: [
      'Financial Status',
      'Paid at',
      'Fulfillment Status',
      'Currency',
      'Subtotal',
      'Shipping',
      'Taxes',
      'Total',
      'Discount Amount',
      'Cancelled at',
    ],
  },
  {
    // Stripe's payments (charges) export: amounts in major units, refunds in their own column.
    name: 'Stripe payments export',
    signature: ['id', 'Created date (UTC)', 'Amount', 'Status'],
    roles: {
      customer: ['Customer ID', 'Customer Email'],
      invoice: ['id'],
      date: ['Created date (UTC)'],
      amount: ['Amount'],
      quantity: null,
      price: null,
    },
    status: ['Status'],
    refunded: 'Amount Refunded',
  },
  {
    // WooCommerce's order export: one row per order. A user id, when exported, beats the e-mail.
    name: 'WooCommerce order export',
    signature: ['Order Status', 'Order Date', 'Order Total'],
    roles: {
      customer: ['Customer User ID', 'Customer ID', 'Customer Email', 'Billing Email'],
      invoice: ['Order ID', 'Order Number'],
      date: ['Order Date'],
      amount: ['Order Total'],
      quantity: null,
      price: null,
    },
    status: ['Order Status'],
  },
  {
    // The Tableau "Superstore" sample and the many files shaped like it: one row per order line.
    name: 'Superstore-style line file',
    signature: ['Order ID', 'Order Date', 'Customer ID', 'Sales'],
    roles: {
      customer: ['Customer ID'],
      invoice: ['Order ID'],
      date: ['Order Date'],
      amount: ['Sales'],
      price: null,
    },
  },
  // The three the tool was built around: named for `rfm inspect`, read by the generic synonyms.
  {
    name: 'UCI Online Retail',
    signature: ['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID'],
    roles: {},
  },
  {
    name: 'UCI Online Retail II',
    signature: ['Invoice', 'StockCode', 'Quantity', 'InvoiceDate', 'Price', 'Customer ID'],
    roles: {},
  },
  {
    name: 'CDNOW',
    signature: ['customer_id', 'date', 'number_of_cds', 'dollar_value'],
    roles: {},
  },
];

/** Column indexes the per-row layout path works with; -1 where absent. */
export interface LayoutColumns {
  invoice: number;
  amount: number;
  status: number;
  cancelledAt: number;
  refunded: number;
  /** Order-level columns to fill down within an invoice. */
  orderLevel: readonly number[];
}

/** True when rows need layoutRowPath (a status, `Cancelled at`, refund or fill-down column). */
export function needsRowPath(c: LayoutColumns): boolean {
  return c.status >= 0 || c.cancelledAt >= 0 || c.refunded >= 0 || c.orderLevel.length > 0;
}

export interface LayoutRowPath {
  /**
   * Fills down the order-level fields of `row` in place (from the first line of the same invoice)
   * and returns it. Call it on every row, in file order, before parsing.
   */
  fillDown(row: string[]): string[];
  /**
   * Sets the status fields of `parsed` from the (filled-down) row, and subtracts the refund from
   * its amount. Returns false when the refund column holds a value that is not a number.
   */
  apply(row: readonly string[], parsed: ParsedRow): boolean;
}

/**
 * The per-row work of a layout. `parseNumber` is the reader's number parser (so the refund is read
 * like the amount); `keepRefunds` leaves the amount as exported.
 */
export function layoutRowPath(c: LayoutColumns, keepRefunds: boolean, parseNumber: (text: string) => number): LayoutRowPath {
  const remembered: string[] = c.orderLevel.map(() => '');
  let orderOf = '\u0000none';
  const refunds = c.refunded >= 0 && !keepRefunds;
  return {
    fillDown(row) {
      if (c.orderLevel.length === 0 || c.invoice < 0) return row;
      const order = row[c.invoice];
      if (order !== orderOf) {
        // An order's first line: what later lines of the same order inherit.
        orderOf = order;
        for (let k = 0; k < c.orderLevel.length; k++) remembered[k] = row[c.orderLevel[k]];
        return row;
      }
      for (let k = 0; k < c.orderLevel.length; k++) {
        const i = c.orderLevel[k];
        if (row[i].trim() === '') row[i] = remembered[k];
      }
      return row;
    },
    apply(row, parsed) {
      parsed.status = c.status >= 0 ? row[c.status] : '';
      parsed.orderCancelled = c.cancelledAt >= 0 && row[c.cancelledAt].trim() !== '';
      parsed.refunded = 0;
      if (!refunds) return true;
      const text = row[c.refunded];
      if (text.trim() === '') return true;
      const refunded = parseNumber(text);
      if (!Number.isFinite(refunded)) return false;
      parsed.refunded = refunded;
      parsed.amount -= refunded;
      return true;
    },
  };
}
