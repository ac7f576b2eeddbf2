/**
 * Finds which header column plays which role. Names are compared case-insensitively, ignoring
 * spaces, `_` and `-`, so `Customer ID`, `CustomerID` and `customer_id` are the same column.
 * An explicit `--<role>-col NAME` always wins.
 */
import { RfmError } from '../core/errors.js';
import { EXPORT_LAYOUTS, type ExportLayout, type LayoutColumns } from './export-layouts.js';

export type TransactionRole = 'customer' | 'invoice' | 'date' | 'quantity' | 'price' | 'amount';
export type RfmRole = 'recency' | 'frequency' | 'monetary';

/**
 * First choices: names that say the role. Two of them in one header is an ambiguity (an error that
 * names the flag). These are DESIGN.md §2's, plus the evident spellings of the same thing.
 */
export const ROLE_SYNONYMS: Record<TransactionRole, readonly string[]> = {
  customer: [
    'CustomerID', 'Customer ID', 'customer_id', 'cust_id', 'client_id', 'user_id',
    'customer_number', 'customer_no', 'buyer_id', 'member_id',
  ],
  invoice: [
    'InvoiceNo', 'Invoice', 'invoice_id', 'order_id', 'transaction_id',
    'invoice_number', 'order_number', 'order_no', 'receipt_id', 'receipt_no',
  ],
  date: [
    'InvoiceDate', 'date', 'order_date', 'transaction_date', 'timestamp',
    'purchase_date', 'sale_date', 'transaction_time', 'order_datetime',
  ],
  quantity: ['Quantity', 'qty', 'quantity_ordered', 'units'],
  price: ['UnitPrice', 'Price', 'unit_price', 'item_price', 'price_each'],
  amount: [
    'amount', 'TotalPrice', 'revenue', 'sales', 'dollar_value',
    'line_total', 'line_amount', 'net_sales', 'sales_amount', 'amount_paid', 'item_total',
  ],
};

/**
 * Second choices: used, in this order of preference, only when no first choice is present, and
 * announced on stderr (an e-mail stands for a customer id; an order total may include shipping).
 * A second-choice amount is used only when there is no quantity × price either.
 */
export const SECOND_CHOICE_SYNONYMS: Record<TransactionRole, readonly string[]> = {
  customer: ['customer', 'email', 'customer_email', 'billing_email', 'email_address', 'buyer_email', 'client', 'buyer'],
  invoice: ['order', 'transaction', 'receipt'],
  date: ['created_at', 'created', 'created_date', 'order_created', 'datetime', 'paid_at', 'time'],
  quantity: [],
  price: [],
  amount: ['total', 'order_total', 'grand_total', 'total_amount', 'net_amount', 'subtotal', 'value'],
};

/** Headers (normalised) of a status column, in order of preference. */
export const STATUS_COLUMNS: readonly string[] = ['financialstatus', 'orderstatus', 'paymentstatus', 'status'];

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

/** Where a role's column came from, for the `columns:` line and `rfm inspect`. */
export type ColumnSource = 'flag' | 'synonym' | 'second choice' | 'layout';

interface Found {
  index: number;
  source?: ColumnSource;
}

function findOverride(header: readonly string[], normalized: readonly string[], role: TransactionRole, override: string, file: string): number {
  const exact = header.indexOf(override);
  const index = exact >= 0 ? exact : normalized.indexOf(normalizeName(override));
  if (index < 0) {
    throw new RfmError('usage', `${FLAG[role]} "${override}" is not a column of ${file}`, {
      hint: `columns are: ${listColumns(header)}`,
    });
  }
  return index;
}

/** The first choice for a role (two of them is an error), else the preferred second choice. */
function findBySynonym(header: readonly string[], normalized: readonly string[], role: TransactionRole, file: string, secondChoice: boolean): Found {
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
  if (matches.length === 1) return { index: matches[0], source: 'synonym' };
  if (secondChoice) {
    for (const name of SECOND_CHOICE_SYNONYMS[role]) {
      const index = normalized.indexOf(normalizeName(name));
      if (index >= 0) return { index, source: 'second choice' };
    }
  }
  return { index: -1 };
}

/** The first export layout whose signature the header carries. */
export function findLayout(header: readonly string[]): ExportLayout | undefined {
  const names = new Set(header.map(normalizeName));
  return EXPORT_LAYOUTS.find((layout) => layout.signature.every((name) => names.has(normalizeName(name))));
}

/** Everything column detection decided: the role indexes, the layout's extra columns, and why. */
export interface ColumnMapping extends LayoutColumns {
  columns: TransactionColumns;
  /** The export layout recognised, or null (generic synonyms). */
  layout: string | null;
  /** Where each role found (index >= 0) came from. */
  sources: Partial<Record<TransactionRole, ColumnSource>>;
  /**
   * The `columns: …` line to print on stderr when a role was filled from a second choice or a
   * layout (the user should know what was guessed); undefined when every role was a plain synonym
   * or a flag.
   */
  notice?: string;
}

/**
 * Detects the columns of a transaction log: --<role>-col flags first, then a recognised export
 * layout, then first-choice synonyms, then second choices.
 */
export function detectColumns(header: readonly string[], overrides: ColumnOverrides, file: string): ColumnMapping {
  checkDuplicateHeaders(header, file);
  const normalized = header.map(normalizeName);
  const layout = findLayout(header);
  const columns = {} as TransactionColumns;
  const sources: ColumnMapping['sources'] = {};
  const indexOf = (name: string) => normalized.indexOf(normalizeName(name));
  const roles = Object.keys(ROLE_SYNONYMS) as TransactionRole[];
  for (const role of roles) {
    const override = overrides[role];
    let found: Found = { index: -1 };
    if (override !== undefined) {
      found = { index: findOverride(header, normalized, role, override, file), source: 'flag' };
    } else if (layout !== undefined && layout.roles[role] !== undefined) {
      const candidates = layout.roles[role];
      const index = candidates === null ? -1 : candidates.map(indexOf).find((i) => i >= 0) ?? -1;
      found = index >= 0 ? { index, source: 'layout' } : candidates === null ? found : findBySynonym(header, normalized, role, file, true);
    } else {
      // A second-choice amount (an order total) only when there is no quantity × price either.
      found = findBySynonym(header, normalized, role, file, role !== 'amount');
    }
    columns[role] = found.index;
    if (found.source !== undefined) sources[role] = found.source;
  }
  if (columns.amount < 0 && (columns.quantity < 0 || columns.price < 0) && overrides.amount === undefined && layout?.roles.amount !== null) {
    const second = findBySynonym(header, normalized, 'amount', file, true);
    columns.amount = second.index;
    if (second.source !== undefined) sources.amount = second.source;
  }
  const missing = (role: TransactionRole) =>
    new RfmError('data', `no ${role} column in ${file}`, {
      file,
      line: 1,
      hint: `expected one of ${[...ROLE_SYNONYMS[role], ...SECOND_CHOICE_SYNONYMS[role]].join(', ')}, or name it with ${FLAG[role]} NAME (columns are: ${listColumns(header)})`,
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

  const statusCandidates = layout?.status ?? [];
  let status = statusCandidates.map(indexOf).find((i) => i >= 0) ?? -1;
  if (status < 0) status = STATUS_COLUMNS.map((name) => normalized.indexOf(name)).find((i) => i >= 0) ?? -1;
  const cancelledAt = layout?.cancelledAt === undefined ? -1 : indexOf(layout.cancelledAt);
  // A refund is subtracted only from the layout's own amount column, not from one a flag chose.
  const refunded = layout?.refunded === undefined || sources.amount !== 'layout' ? -1 : indexOf(layout.refunded);
  const orderLevel = columns.invoice < 0 ? [] : (layout?.orderLevel ?? []).map(indexOf).filter((i) => i >= 0);

  const mapping: ColumnMapping = {
    columns,
    layout: layout?.name ?? null,
    sources,
    invoice: columns.invoice,
    amount: columns.amount,
    status,
    cancelledAt,
    refunded,
    orderLevel,
  };
  const guessed = Object.values(sources).some((s) => s === 'second choice' || s === 'layout');
  if (guessed) mapping.notice = columnsLine(header, mapping);
  return mapping;
}

/**
 * `columns: customer=Email, invoice=Name, date=Created at, amount=Lineitem quantity×Lineitem price,
 * status=Financial Status (Shopify orders export)`.
 */
export function columnsLine(header: readonly string[], m: ColumnMapping): string {
  const c = m.columns;
  const parts = [`customer=${header[c.customer]}`];
  if (c.invoice >= 0) parts.push(`invoice=${header[c.invoice]}`);
  parts.push(`date=${header[c.date]}`);
  let amount = c.amount >= 0 ? header[c.amount] : `${header[c.quantity]}×${header[c.price]}`;
  if (m.refunded >= 0) amount += `−${header[m.refunded]}`;
  parts.push(`amount=${amount}`);
  if (m.status >= 0) parts.push(`status=${header[m.status]}`);
  return `columns: ${parts.join(', ')}${m.layout === null ? '' : ` (${m.layout})`}`;
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

/** The role indexes alone (see detectColumns). */
export function detectTransactionColumns(header: readonly string[], overrides: ColumnOverrides, file: string): TransactionColumns {
  return detectColumns(header, overrides, file).columns;
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
  let customer =
    overrides.customer !== undefined
      ? findOverride(header, normalized, 'customer', overrides.customer, file)
      : findBySynonym(header, normalized, 'customer', file, false).index;
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

/** Names --columns accepts for a role besides its synonyms. */
const ROLE_NAMES: Record<string, TransactionRole> = {
  id: 'customer',
  customer: 'customer',
  invoice: 'invoice',
  date: 'date',
  quantity: 'quantity',
  price: 'price',
  amount: 'amount',
};

/** The role a --columns name stands for, or undefined (`_`, or an RFM table's column). */
function roleOfName(name: string): TransactionRole | undefined {
  const key = normalizeName(name);
  if (ROLE_NAMES[key] !== undefined) return ROLE_NAMES[key];
  for (const role of Object.keys(ROLE_SYNONYMS) as TransactionRole[]) {
    if ([...ROLE_SYNONYMS[role], ...SECOND_CHOICE_SYNONYMS[role]].some((s) => normalizeName(s) === key)) return role;
  }
  return undefined;
}

/**
 * `--no-header --columns id,_,date,quantity,amount`: the header to read the file with (the names as
 * given) and the role of each named column. `_` skips a column; recency, frequency and monetary
 * name an RFM table's columns.
 */
export function headerlessColumns(spec: string): { names: string[]; overrides: ColumnOverrides } {
  const names = spec.split(',').map((n) => n.trim());
  const overrides: ColumnOverrides = {};
  for (const name of names) {
    if (name === '_') continue;
    const role = roleOfName(name);
    if (role === undefined) {
      if (['recency', 'frequency', 'monetary'].includes(normalizeName(name))) continue;
      throw new RfmError('usage', `--columns: "${name}" is not a column role`, {
        hint: 'use id (or customer), invoice, date, quantity, price, amount or a synonym of one, and _ for a column to skip',
      });
    }
    if (overrides[role] !== undefined) {
      throw new RfmError('usage', `--columns names the ${role} column twice ("${overrides[role]}" and "${name}")`, {
        hint: 'give each role once, _ for a column to skip',
      });
    }
    overrides[role] = name;
  }
  return { names, overrides };
}
