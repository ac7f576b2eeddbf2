/**
 * The SQL twins of the cleaning rules in ../clean.ts (DESIGN.md §8 "One definition, many engines"):
 * each function here writes, for one dialect, the condition its namesake there tests on a parsed
 * row. They run on a typed table, so the rules about parsing text (invalid_date, invalid_number)
 * become "the value is NULL", and --dedupe (exact duplicate lines of a file) has no twin.
 * test/sql/rules.test.ts runs each twin on DuckDB against its namesake on the same values.
 */
import { MISSING_TEXT, VOID_STATUSES } from '../clean.js';
import type { Dialect } from './dialects.js';

/** The whitespace JavaScript's trim() and \s remove that matters in ids (ASCII). */
const SPACE = '[ \\t\\n\\f\\r]';

/**
 * normalizeCustomerId: the id as text, trimmed; pandas' missing words (and NULL) become '';
 * `17850.0` (a float id) becomes `17850`; `00001` stays.
 */
export function customerIdSql(d: Dialect, column: string): string {
  const text = `TRIM(${d.text(column)})`;
  const missing = [...MISSING_TEXT].map((word) => d.string(word)).join(', ');
  return `CASE WHEN ${column} IS NULL OR ${text} IN (${missing}) THEN '' WHEN ${d.matches(text, '^[0-9]+[.]0+$')} THEN ${d.replaceAll(text, '[.]0+$', '')} ELSE ${text} END`;
}

/** isMissingCustomer, on the id customerIdSql made. */
export function isMissingCustomerSql(customerId: string): string {
  return `${customerId} = ''`;
}

/**
 * isCancellation: C + digits; an invoice that starts with whitespace is tested trimmed (as the
 * JavaScript rule trims only then). `CA-2016-152156` and `CN1001` are orders.
 */
export function isCancellationSql(d: Dialect, invoiceText: string): string {
  return d.matches(invoiceText, `^(C[0-9]+|${SPACE}+C[0-9]+${SPACE}*)$`);
}

/** normalizeStatus: trimmed, lower case, no `wc-` prefix, `_` and `-` as spaces, runs of spaces as one. */
export function normalizeStatusSql(d: Dialect, status: string): string {
  const lower = `LOWER(TRIM(${d.text(status)}))`;
  const spaced = d.replaceAll(d.replaceAll(lower, '^wc-', ''), '[_-]', ' ');
  return `TRIM(${d.replaceAll(spaced, `${SPACE}+`, ' ')})`;
}

/** isVoidStatus (a NULL status, like an empty one, says nothing). */
export function isVoidStatusSql(d: Dialect, status: string): string {
  const list = VOID_STATUSES.map((s) => d.string(s)).join(', ');
  return `(${status} IS NOT NULL AND ${normalizeStatusSql(d, status)} IN (${list}))`;
}

/** isNonpositiveQuantity. */
export function isNonpositiveQuantitySql(quantity: string): string {
  return `${quantity} <= 0`;
}

/** isNonpositivePrice (price, or amount when there is an amount column). */
export function isNonpositivePriceSql(priceOrAmount: string): string {
  return `${priceOrAmount} <= 0`;
}
