/**
 * Loud, not silent: the drops a user should hear about, as data (the command prints them, or with
 * --strict refuses). A warning names the column, the first dropped value with its line, and the
 * flag that may fix it:
 * - a single rule dropping more than 20 % of the rows read;
 * - any invalid-date or invalid-number drop in a column that otherwise parses (some row was kept).
 */
import { isVoidStatus, type CleaningReport, type DropRule, type ParsedRow } from '../core/clean.js';
import { formatInt } from '../render/numbers.js';
import type { ColumnMapping } from './columns.js';

/** The share of rows above which a single rule's drops are announced. */
export const LOUD_SHARE = 0.2;

export interface BadValue {
  line: number;
  /** The header name of the column that decided the drop ('' when none does, e.g. duplicates). */
  column: string;
  value: string;
}

export type FirstBad = Partial<Record<DropRule, BadValue>>;

/** The column index whose value made `rule` drop `row`; -1 when no single column did. */
export function firstBadColumn(rule: DropRule, row: ParsedRow, m: ColumnMapping): number {
  const c = m.columns;
  switch (rule) {
    case 'missing_customer':
      return c.customer;
    case 'cancelled':
      return c.invoice;
    case 'status':
      if (row.orderCancelled === true) return m.cancelledAt;
      if (row.status !== undefined && isVoidStatus(row.status)) return m.status;
      return m.refunded; // refunded in full
    case 'invalid_date':
      return c.date;
    case 'invalid_number':
      if (c.amount >= 0) return Number.isFinite(row.amount) || m.refunded < 0 ? c.amount : m.refunded;
      return Number.isFinite(row.quantity) ? c.price : c.quantity;
    case 'nonpositive_quantity':
      return c.quantity;
    case 'nonpositive_price':
      return c.amount >= 0 ? c.amount : c.price;
    case 'duplicate':
      return -1;
  }
}

const FIX: Record<DropRule, string> = {
  missing_customer: 'pick the customer column with --customer-col NAME',
  cancelled: 'keep cancellations with --keep-cancelled, or pick the invoice column with --invoice-col NAME',
  status: 'keep them with --keep-status (a refund subtracted: --keep-refunds)',
  invalid_date: 'give the order with --date-format dmy|mdy|ymd, or pick the column with --date-col NAME',
  invalid_number: 'give the decimal mark with --decimal ,|., or pick the column with --amount-col, --quantity-col or --price-col',
  nonpositive_quantity: 'keep them with --keep-nonpositive-quantity, or pick the column with --quantity-col NAME',
  nonpositive_price: 'keep them with --keep-nonpositive-price, or pick the column with --price-col / --amount-col',
  duplicate: 'keep them by leaving out --dedupe',
};

const WHAT: Partial<Record<DropRule, string>> = {
  invalid_date: 'unparseable dates',
  invalid_number: 'unparseable numbers',
};

export interface DropWarning {
  rule: DropRule;
  /** What was dropped: the column, the first value and its line. */
  message: string;
  /** The flag that may fix it. */
  fix: string;
  line: number;
}

const quoted = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The line printed after `warning: `. */
export const warningText = (w: DropWarning) => `${w.message}; ${w.fix}`;

/** The warnings for a finished read, in rule order. */
export function dropWarnings(report: CleaningReport, firstBad: FirstBad): DropWarning[] {
  const warnings: DropWarning[] = [];
  for (const [name, count] of Object.entries(report.dropped)) {
    if (name === 'after_as_of' || count === 0) continue;
    const rule = name as DropRule;
    const bad = firstBad[rule];
    if (bad === undefined) continue;
    const share = report.rowsRead > 0 ? count / report.rowsRead : 0;
    const loud = share > LOUD_SHARE;
    const unparseable = WHAT[rule] !== undefined && report.rowsKept > 0;
    if (!loud && !unparseable) continue;
    const percent = `${(Math.round(share * 1000) / 10).toFixed(1)} %`;
    const column = bad.column === '' ? '' : ` in column "${bad.column}"`;
    const first =
      bad.column === '' ? `first on line ${bad.line}` : bad.value.trim() === '' ? `first blank on line ${bad.line}` : `first ${quoted(bad.value)} on line ${bad.line}`;
    const what = unparseable
      ? `${formatInt(count)} ${count === 1 ? 'row' : 'rows'} (${percent}) dropped for ${WHAT[rule]}${column}, which otherwise parses`
      : `rule ${rule} dropped ${formatInt(count)} of ${formatInt(report.rowsRead)} rows (${percent})${column}`;
    warnings.push({ rule, line: bad.line, message: `${what}: ${first}`, fix: FIX[rule] });
  }
  return warnings;
}
