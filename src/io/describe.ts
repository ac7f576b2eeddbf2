/**
 * `rfm inspect`: what reading a file would decide, from a bounded sample (the header and the first
 * SAMPLE_ROWS data rows) rather than the whole file: the delimiter, encoding, header, export
 * layout, which column plays which role and why, the value layouts, the rules that will apply, and
 * what they drop in the sample.
 */
import type { CleaningOptions, DropCounts } from '../core/clean.js';
import { RfmError } from '../core/errors.js';
import type { DecidedBy } from './number-layout.js';
import { detectRfmColumns, isRfmHeader, type ColumnMapping, type ColumnSource, type TransactionRole } from './columns.js';
import type { InputSource } from './source.js';
import { headerlessError, looksLikeData, readTable, type Delimiter } from './table.js';
import { transactionScanner, type ScanOptions } from './transactions.js';
import type { EncodingName, ValueLayouts } from './value-layouts.js';

/** Data rows read for the sample. */
export const SAMPLE_ROWS = 1000;

export interface RoleColumn {
  role: string;
  /** The header name(s); `A×B` for quantity × price, `A−B` for a refund subtracted. */
  column: string;
  source: ColumnSource | '--columns';
}

export interface RuleState {
  rule: string;
  applies: boolean;
  /** What the rule looks at, or which flag (or missing column) turns it off. */
  detail: string;
}

export interface InputDescription {
  file: string;
  format: 'delimited' | 'whitespace' | 'xlsx';
  /** `,` `;` `\t` or `whitespace`; null for xlsx. */
  delimiter: string | null;
  /** How the bytes are decoded (see describeValueLayouts). */
  encoding: string;
  header: 'present' | 'none (--no-header --columns)' | 'seems missing';
  kind: 'transactions' | 'rfm' | 'unknown';
  layout: string | null;
  columns: RoleColumn[];
  /** How dates are read (see describeValueLayouts). */
  dateLayout: string;
  /** How numbers are read (see describeValueLayouts). */
  decimalMark: string;
  rules: RuleState[];
  /** The rows read and what the rules dropped of them. */
  sample: { rows: number; kept: number; complete: boolean; dropped: Partial<DropCounts> };
  /** The `columns: …` line a command would print, if any. */
  notice: string | null;
  /** What to do when the header seems to be missing. */
  hint: string | null;
}

export interface DescribeOptions extends ScanOptions {
  inputKind: 'auto' | 'transactions' | 'rfm';
  sheet?: string;
  names?: readonly string[];
}

const ENCODINGS: Record<EncodingName, string> = {
  'utf-8': 'UTF-8',
  latin1: 'latin1 (ISO-8859-1: the file is not valid UTF-8)',
  'utf-16le': 'UTF-16 LE (byte order mark)',
  'utf-16be': 'UTF-16 BE (byte order mark)',
};

function decidedByText(d: DecidedBy | null, flag: string): string {
  if (d === null) return 'undecided in the sample';
  switch (d.by) {
    case 'flag':
      return flag;
    case 'delimiter':
      return 'the comma delimiter';
    case 'xlsx':
      return 'the workbook';
    case 'layout':
      return d.layout;
    case 'value':
      return `"${d.value}" on line ${d.line}`;
  }
}

/**
 * What the read path decided, in the sample, about how values are written (value-layouts.ts):
 * encoding, the date column's layout and day/month order, each number column's decimal mark,
 * thousands separator and currency. A column still undecided after the sample is said so.
 */
export function describeValueLayouts(
  source: InputSource,
  layouts: ValueLayouts | null,
  wholeFile: boolean,
): Pick<InputDescription, 'encoding' | 'dateLayout' | 'decimalMark'> {
  const decision = source.encoding;
  const encoding =
    source.kind === 'xlsx'
      ? 'xlsx (UTF-8 XML)'
      : decision !== undefined && !decision.decided && decision.utf16 === undefined
        ? wholeFile
          ? 'UTF-8 (all ASCII)'
          : 'ASCII in the sample (a later byte that is not UTF-8 would make it latin1, decided before any row is used)'
        : ENCODINGS[layouts?.encoding ?? decision?.name ?? 'utf-8'];
  if (layouts === null) return { encoding, dateLayout: '—', decimalMark: '—' };
  const d = layouts.date;
  let dateLayout = '—';
  if (d !== null) {
    // The order is a decision only for slashed day/month dates (D.M.YYYY is always day first, ISO year first).
    const slashed = d.layout !== null && /^[DM]\/[DM]\//.test(d.layout);
    const order = !slashed ? null : d.order === 'dmy' ? 'day first' : d.order === 'mdy' ? 'month first' : null;
    dateLayout =
      d.layout === null
        ? `"${d.column}": no valid date in the sample`
        : `"${d.column}": ${d.layout}` + (order === null ? '' : `, ${order} (decided by ${decidedByText(d.decidedBy, '--date-format')})`);
  }
  const numbers = layouts.numbers.map((n) => {
    const mark = n.decimal === null ? 'integers only so far' : n.decimal === ',' ? 'decimal comma' : 'decimal point';
    const parts = [`"${n.column}": ${mark}` + (n.decimal === null ? '' : ` (${decidedByText(n.decidedBy, '--decimal')})`)];
    if (n.thousands !== null) parts.push(`thousands "${n.thousands}"`);
    if (n.currency !== null) parts.push(`currency ${n.currency} stripped`);
    return parts.join(', ');
  });
  return { encoding, dateLayout, decimalMark: numbers.length === 0 ? '—' : numbers.join('; ') };
}

/** Thrown to stop reading once the sample is complete. */
class SampleComplete extends Error {}

function amountText(header: readonly string[], m: ColumnMapping): string {
  const c = m.columns;
  const base = c.amount >= 0 ? header[c.amount] : `${header[c.quantity]}×${header[c.price]}`;
  return m.refunded >= 0 ? `${base}−${header[m.refunded]}` : base;
}

function roleColumns(header: readonly string[], m: ColumnMapping, headerless: boolean): RoleColumn[] {
  const out: RoleColumn[] = [];
  const c = m.columns;
  const source = (role: TransactionRole): RoleColumn['source'] => (headerless && m.sources[role] === 'flag' ? '--columns' : m.sources[role] ?? 'synonym');
  for (const role of ['customer', 'invoice', 'date', 'quantity', 'price'] as const) {
    if (c[role] >= 0) out.push({ role, column: header[c[role]], source: source(role) });
  }
  out.push({ role: 'amount', column: amountText(header, m), source: c.amount >= 0 ? source('amount') : source('quantity') });
  const layoutOr = (index: number): RoleColumn['source'] => (m.layout !== null && index >= 0 ? 'layout' : 'synonym');
  if (m.status >= 0) out.push({ role: 'status', column: header[m.status], source: layoutOr(m.status) });
  if (m.cancelledAt >= 0) out.push({ role: 'cancelled at', column: header[m.cancelledAt], source: 'layout' });
  if (m.orderLevel.length > 0) out.push({ role: 'order-level (filled down)', column: m.orderLevel.map((i) => header[i]).join(', '), source: 'layout' });
  return out;
}

function ruleStates(header: readonly string[], m: ColumnMapping, cleaning: CleaningOptions): RuleState[] {
  const c = m.columns;
  const off = (flag: string) => `off (${flag})`;
  const name = (i: number) => `"${header[i]}"`;
  const rules: RuleState[] = [
    { rule: 'missing_customer', applies: true, detail: `blank or NA in ${name(c.customer)}` },
    {
      rule: 'cancelled',
      applies: c.invoice >= 0 && !cleaning.keepCancelled,
      detail: c.invoice < 0 ? 'no invoice column' : cleaning.keepCancelled ? off('--keep-cancelled') : `${name(c.invoice)} is C + digits (C536379)`,
    },
  ];
  const statusParts = [m.status >= 0 ? `${name(m.status)} says the sale did not stand` : '', m.cancelledAt >= 0 ? `${name(m.cancelledAt)} is set (whole order)` : '']
    .filter((p) => p !== '')
    .join('; ');
  rules.push({
    rule: 'status',
    applies: statusParts !== '' && !cleaning.keepStatus,
    detail: statusParts === '' ? 'no status column' : cleaning.keepStatus ? off('--keep-status') : statusParts,
  });
  if (m.refunded >= 0) {
    rules.push({
      rule: 'refunds',
      applies: !cleaning.keepRefunds,
      detail: cleaning.keepRefunds ? off('--keep-refunds') : `${name(m.refunded)} subtracted from ${name(c.amount)}; refunded in full → status`,
    });
  }
  if (m.orderLevel.length > 0) {
    rules.push({ rule: 'fill_down', applies: true, detail: `order-level fields filled down within ${name(c.invoice)}` });
  }
  rules.push(
    { rule: 'invalid_date', applies: true, detail: `${name(c.date)} does not parse` },
    { rule: 'invalid_number', applies: true, detail: 'quantity, price or amount does not parse' },
    {
      rule: 'nonpositive_quantity',
      applies: c.quantity >= 0 && !cleaning.keepNonpositiveQuantity,
      detail: c.quantity < 0 ? 'no quantity column' : cleaning.keepNonpositiveQuantity ? off('--keep-nonpositive-quantity') : `${name(c.quantity)} <= 0`,
    },
    {
      rule: 'nonpositive_price',
      applies: !cleaning.keepNonpositivePrice,
      detail: cleaning.keepNonpositivePrice ? off('--keep-nonpositive-price') : `${c.amount >= 0 ? 'amount' : name(c.price)} <= 0`,
    },
    { rule: 'duplicate', applies: cleaning.dedupe, detail: cleaning.dedupe ? 'exact duplicate line' : 'off (on with --dedupe)' },
  );
  return rules;
}

/** Reads the header and up to SAMPLE_ROWS rows of `source` and says what reading it would decide. */
export async function describeInput(source: InputSource, options: DescribeOptions): Promise<InputDescription> {
  const description: InputDescription = {
    file: source.name,
    format: source.kind === 'xlsx' ? 'xlsx' : 'delimited',
    delimiter: null,
    ...describeValueLayouts(source, null, false),
    header: options.names === undefined ? 'present' : 'none (--no-header --columns)',
    kind: 'unknown',
    layout: null,
    columns: [],
    rules: [],
    sample: { rows: 0, kept: 0, complete: true, dropped: {} },
    notice: null,
    hint: null,
  };
  const scanner = transactionScanner(source, options, () => undefined);
  let rows = 0;
  let transactions = false;
  try {
    await readTable(
      source,
      {
        header(fields: string[], delimiter: Delimiter | 'xlsx') {
          if (delimiter !== 'xlsx') {
            description.delimiter = delimiter;
            if (delimiter === 'whitespace') description.format = 'whitespace';
          }
          if (options.names === undefined && looksLikeData(fields)) {
            description.header = 'seems missing';
            const error = headerlessError(source.name, fields); // the message reading it would give
            description.hint = `${error.message}; ${error.hint}`;
            throw new SampleComplete();
          }
          const rfm = options.inputKind === 'rfm' || (options.inputKind === 'auto' && isRfmHeader(fields));
          if (rfm) {
            description.kind = 'rfm';
            const c = detectRfmColumns(fields, options.columns, source.name);
            description.columns = (['customer', 'recency', 'frequency', 'monetary'] as const).map((role) => ({
              role,
              column: fields[c[role]],
              source: 'synonym',
            }));
            return;
          }
          transactions = true;
          description.kind = 'transactions';
          scanner.header(fields, delimiter);
          const m = scanner.mapping();
          description.layout = m.layout;
          description.notice = m.notice ?? null;
          description.columns = roleColumns(fields, m, options.names !== undefined);
          description.rules = ruleStates(fields, m, options.cleaning);
        },
        rows(batch, lines) {
          const take = Math.min(batch.length, SAMPLE_ROWS - rows);
          if (transactions) scanner.rows(batch.slice(0, take), lines.slice(0, take));
          rows += take;
          if (rows >= SAMPLE_ROWS) {
            description.sample.complete = false;
            throw new SampleComplete();
          }
        },
      },
      { sheet: options.sheet, names: options.names, checkHeader: false },
    );
  } catch (error) {
    if (!(error instanceof SampleComplete)) throw error;
  }
  // A column the sample left undecided is reported as such, not as an error (the whole file may decide it).
  let report;
  try {
    report = scanner.report();
  } catch (error) {
    if (!(error instanceof RfmError)) throw error;
    report = { rowsRead: rows, rowsKept: 0, dropped: {} as DropCounts, source: source.name };
  }
  if (transactions) Object.assign(description, describeValueLayouts(source, scanner.layouts(), description.sample.complete));
  description.sample.rows = rows;
  description.sample.kept = transactions ? report.rowsKept : rows;
  if (transactions) {
    const { after_as_of: _unused, ...dropped } = report.dropped;
    description.sample.dropped = Object.fromEntries(Object.entries(dropped).filter(([, n]) => n > 0));
  }
  return description;
}
