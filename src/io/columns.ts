/**
 * Finds which header column plays which role. Names are compared case-insensitively, ignoring
 * spaces, `_` and `-`, so `Customer ID`, `CustomerID` and `customer_id` are the same column.
 * An explicit `--<role>-col NAME` always wins.
 */
import { RfmError } from '../core/errors.js';

export type TransactionRole = 'customer' | 'invoice' | 'date' | 'quantity' | 'price' | 'amount';
export type RfmRole = 'recency' | 'frequency' | 'monetary';

export const ROLE_SYNONYMS: Record<TransactionRole, readonly string[]> = {
  customer: ['CustomerID', 'Customer ID', 'customer_id', 'cust_id', 'client_id', 'user_id'],
  invoice: ['InvoiceNo', 'Invoice', 'invoice_id', 'order_id', 'transaction_id'],
  date: ['InvoiceDate', 'date', 'order_date', 'transaction_date', 'timestamp'],
  quantity: ['Quantity', 'qty'],
  price: ['UnitPrice', 'Price', 'unit_price'],
  amount: ['amount', 'total', 'TotalPrice', 'revenue', 'sales', 'dollar_value'],
};

const FLAG: Record<TransactionRole, string> = {
  customer: '--customer-col',
  invoice: '--invoice-col',
  date: '--date-col',
  quantity: '--quantity-col',
  price: '--price-col',
  amount: '--amount-col',
};

/**
 * The header for a message: each name shortened, at most 20 of them, so that a binary file read as
 * text or a 100,000-character header does not become a message nobody can read.
 */
export function listColumns(header: readonly string[]): string {
  const names = header.slice(0, 20).map((h) => (h.length > 40 ? `${h.slice(0, 40)}…` : h));
  return names.join(', ') + (header.length > 20 ? `, … (${header.length} columns)` : '');
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

export type ColumnOverrides = Partial<Record<TransactionRole, string>>;

/** Column indexes of a transaction log; -1 where the log has no such column. */
export interface TransactionColumns {
  customer: number;
  invoice: number;
  date: number;
  quantity: number;
  price: number;
  amount: number;
}

function findRole(
  header: readonly string[],
  role: TransactionRole,
  override: string | undefined,
  file: string,
): number {
  const normalized = header.map(normalizeName);
  if (override !== undefined) {
    const exact = header.indexOf(override);
    const index = exact >= 0 ? exact : normalized.indexOf(normalizeName(override));
    if (index < 0) {
      throw new RfmError('usage', `${FLAG[role]} "${override}" is not a column of ${file}`, {
        hint: `columns are: ${listColumns(header)}`,
      });
    }
    return index;
  }
  const wanted = new Set(ROLE_SYNONYMS[role].map(normalizeName));
  const matches = normalized.flatMap((name, i) => (wanted.has(name) ? [i] : []));
  if (matches.length > 1) {
    const names = matches.map((i) => `"${header[i]}"`).join(' and ');
    throw new RfmError('data', `columns ${names} both look like the ${role} column`, {
      file,
      line: 1,
      column: matches[1] + 1,
      hint: `choose one with ${FLAG[role]} NAME`,
    });
  }
  return matches.length === 1 ? matches[0] : -1;
}

function checkDuplicateHeaders(header: readonly string[], file: string): void {
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    const key = normalizeName(name);
    if (key === '') return;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new RfmError('data', `header has "${name}" twice (columns ${first + 1} and ${i + 1})`, {
        file,
        line: 1,
        column: i + 1,
        hint: 'rename one of the columns',
      });
    }
    seen.set(key, i);
  });
}

export function detectTransactionColumns(
  header: readonly string[],
  overrides: ColumnOverrides,
  file: string,
): TransactionColumns {
  checkDuplicateHeaders(header, file);
  const columns = {} as TransactionColumns;
  for (const role of Object.keys(ROLE_SYNONYMS) as TransactionRole[]) {
    columns[role] = findRole(header, role, overrides[role], file);
  }
  const missing = (role: TransactionRole) =>
    new RfmError('data', `no ${role} column in ${file}`, {
      file,
      line: 1,
      hint: `expected one of ${ROLE_SYNONYMS[role].join(', ')}, or name it with ${FLAG[role]} NAME (columns are: ${listColumns(header)})`,
    });
  if (columns.customer < 0) throw missing('customer');
  if (columns.date < 0) throw missing('date');
  if (columns.amount < 0 && (columns.quantity < 0 || columns.price < 0)) {
    throw new RfmError('data', `no amount column, and no quantity and price columns, in ${file}`, {
      file,
      line: 1,
      hint: `name them with --amount-col, or --quantity-col and --price-col (columns are: ${listColumns(header)})`,
    });
  }
  return columns;
}

/** True when the header is an RFM table (recency, frequency and monetary columns) rather than a log. */
export function isRfmHeader(header: readonly string[]): boolean {
  const names = new Set(header.map(normalizeName));
  return names.has('recency') && names.has('frequency') && names.has('monetary');
}

export interface RfmColumns {
  customer: number;
  recency: number;
  frequency: number;
  monetary: number;
}

export function detectRfmColumns(header: readonly string[], overrides: ColumnOverrides, file: string): RfmColumns {
  checkDuplicateHeaders(header, file);
  const normalized = header.map(normalizeName);
  const need = (name: RfmRole) => {
    const index = normalized.indexOf(name);
    if (index < 0) {
      throw new RfmError('data', `no ${name} column in ${file}`, { file, line: 1, hint: 'an RFM table needs customer_id,recency,frequency,monetary' });
    }
    return index;
  };
  let customer = findRole(header, 'customer', overrides.customer, file);
  if (customer < 0) customer = normalized.indexOf('id');
  if (customer < 0) {
    throw new RfmError('data', `no customer id column in ${file}`, {
      file,
      line: 1,
      hint: 'name it customer_id, or pick it with --customer-col NAME',
    });
  }
  return { customer, recency: need('recency'), frequency: need('frequency'), monetary: need('monetary') };
}
