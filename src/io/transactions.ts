/**
 * Streams a transaction log through column detection, field parsing and the cleaning rules.
 * Kept rows are handed to a callback (the cleaned log writer, or the RFM accumulator); dropped rows
 * are only counted. Nothing here holds more than one batch of rows.
 */
import {
  dropRule,
  emptyDropCounts,
  isMissingCustomer,
  normalizeCustomerId,
  type CleaningOptions,
  type CleaningReport,
  type DropRule,
  type ParsedRow,
} from '../core/clean.js';
import { RfmError, dataError } from '../core/errors.js';
import { detectColumns, type ColumnMapping, type ColumnOverrides, type TransactionColumns } from './columns.js';
import { layoutRowPath, needsRowPath, type LayoutRowPath } from './export-layouts.js';
import { firstBadColumn, type FirstBad } from './drop-warnings.js';
import { parseTimestamp, type DateOrder } from './dates.js';
import { FieldMemo, type RecordSink } from './fast-csv.js';
import type { InputSource } from './source.js';
import type { Delimiter } from './table.js';

export interface ScanOptions {
  columns: ColumnOverrides;
  dateOrder: DateOrder;
  cleaning: CleaningOptions;
  /** Called now and then with the number of data rows read so far. */
  onProgress?: (rowsRead: number) => void;
}

/** Letters Number() accepts (0x1A, 0b1, 0o7) that a decimal number never contains. */
const NON_DECIMAL = /[xXbBoO]/;

/**
 * Parses a number field strictly: empty or blank, text, "1,234.50", Infinity, 1e400 and the
 * 0x/0b/0o forms Number() would accept are NaN.
 */
export function parseNumber(text: string): number {
  if (text.length === 0) return NaN;
  const value = Number(text);
  if (!Number.isFinite(value)) return NaN;
  // Number('  ') is 0, Number('0x10') is 16: neither is a number in a CSV field.
  if ((value === 0 && text.trim() === '') || NON_DECIMAL.test(text)) return NaN;
  return value;
}

export interface TransactionScanner {
  /** Called with the header; returns the detected columns. */
  header(fields: string[], delimiter: Delimiter | 'xlsx'): TransactionColumns;
  rows(rows: string[][], lines: number[]): void;
  /**
   * The fast path (fast-csv.ts): a sink that parses and cleans records read as bytes exactly as
   * rows() does, handing each kept row's values (not its fields) to `onKept`; undefined when an
   * option needs whole rows (--dedupe).
   */
  fastSink(onKept: (parsed: ParsedRow) => void): RecordSink | undefined;
  report(): CleaningReport;
  /** What column detection decided (after header()). */
  mapping(): ColumnMapping;
  /** The first row each rule dropped: its line, column and value (for the warnings). */
  firstBad(): FirstBad;
}

/**
 * A scanner that parses and cleans rows; `onKept(fields, parsed)` sees each kept row (the `parsed`
 * object is reused between calls: copy what you keep).
 */
export function transactionScanner(
  source: InputSource,
  options: ScanOptions,
  onKept: (fields: string[], parsed: ParsedRow) => void,
): TransactionScanner {
  const dropped = emptyDropCounts();
  let rowsRead = 0;
  let rowsKept = 0;
  let width = 0;
  let padShortRows = false;
  let columns: TransactionColumns | undefined;
  let mapping: ColumnMapping | undefined;
  let header: string[] = [];
  // Only for files with a status, `Cancelled at`, refund or fill-down column (export-layouts.ts).
  let rowPath: LayoutRowPath | undefined;
  const firstBad: FirstBad = {};
  /**
   * Counts the first drop of a rule, remembering its line, column and value for the warnings (the
   * later drops are only counted: no call, no closure).
   */
  const firstDrop = (rule: DropRule, line: number, text: (column: number) => string) => {
    dropped[rule]++;
    const column = firstBadColumn(rule, parsed, mapping!);
    firstBad[rule] = { line, column: column < 0 ? '' : header[column], value: column < 0 ? '' : text(column) };
  };
  const seen = options.cleaning.dedupe ? new Set<string>() : undefined;
  const parsed: ParsedRow = {
    customerId: '',
    invoice: '',
    time: NaN,
    quantity: NaN,
    price: NaN,
    amount: NaN,
    hasQuantity: false,
    hasPrice: false,
    hasAmount: false,
    status: '',
    orderCancelled: false,
    refunded: 0,
  };
  let nextProgress = 100_000;
  const fieldCountError = (line: number, count: number) =>
    dataError(`line ${line} has ${count} fields but the header has ${width}`, {
      file: source.name,
      line,
      column: Math.min(count, width) + 1,
      hint: 'every row needs one value per header column; check for a stray delimiter or a missing quote',
    });

  return {
    header(fields, delimiter) {
      mapping = detectColumns(fields, options.columns, source.name);
      columns = mapping.columns;
      header = fields;
      if (needsRowPath(mapping)) rowPath = layoutRowPath(mapping, options.cleaning.keepRefunds, parseNumber);
      width = fields.length;
      padShortRows = delimiter === 'xlsx';
      parsed.hasQuantity = columns.quantity >= 0;
      parsed.hasPrice = columns.price >= 0;
      parsed.hasAmount = columns.amount >= 0;
      return columns;
    },
    rows(rows, lines) {
      const c = columns!;
      for (let i = 0; i < rows.length; i++) {
        let row = rows[i];
        if (row.length !== width) {
          if (padShortRows && row.length < width) {
            row = row.concat(Array<string>(width - row.length).fill(''));
          } else {
            throw fieldCountError(lines[i], row.length);
          }
        }
        rowsRead++;
        if (rowPath !== undefined) row = rowPath.fillDown(row);
        parsed.customerId = normalizeCustomerId(row[c.customer]);
        parsed.invoice = c.invoice >= 0 ? row[c.invoice] : '';
        parsed.time = parseTimestamp(row[c.date], options.dateOrder);
        if (c.quantity >= 0) parsed.quantity = parseNumber(row[c.quantity]);
        if (c.price >= 0) parsed.price = parseNumber(row[c.price]);
        if (c.amount >= 0) parsed.amount = parseNumber(row[c.amount]);
        if (rowPath !== undefined && !rowPath.apply(row, parsed)) parsed.amount = NaN;
        let rule = dropRule(parsed, options.cleaning);
        if (rule === null && seen !== undefined) {
          const key = row.join('\u0000');
          if (seen.has(key)) rule = 'duplicate';
          else seen.add(key);
        }
        if (rule !== null) {
          if (dropped[rule] === 0) firstDrop(rule, lines[i], (column) => row[column]);
          else dropped[rule]++;
          continue;
        }
        rowsKept++;
        onKept(row, parsed);
      }
      if (options.onProgress !== undefined && rowsRead >= nextProgress) {
        options.onProgress(rowsRead);
        nextProgress = rowsRead + 100_000;
      }
    },
    fastSink(onKept) {
      // Rows that need the layout path (or whole rows for --dedupe) go through rows().
      if (seen !== undefined || rowPath !== undefined) return undefined;
      const c = columns!;
      const { cleaning, dateOrder, onProgress } = options;
      // Customer id, invoice and date repeat on every line of an invoice: each is turned into a
      // string and parsed only when its bytes change. Numbers are read from the bytes when plain.
      const customerMemo = new FieldMemo();
      const invoiceMemo = new FieldMemo();
      const dateMemo = new FieldMemo();
      let customerId = '';
      let invoice = '';
      // Numbers are kept in typed slots, never in variables this closure captures or in values
      // returned by calls, which would each be a fresh heap number: [date, quantity, price, amount].
      const numbers = new Float64Array(4).fill(NaN);
      return {
        record(view) {
          if (view.fieldCount !== width) throw fieldCountError(view.line, view.fieldCount);
          rowsRead++;
          if (!customerMemo.same(view, c.customer)) customerId = normalizeCustomerId(view.text(c.customer));
          if (isMissingCustomer(customerId)) {
            // The first rule, whatever the other fields hold (a quarter of Online Retail's rows):
            // nothing else of the row needs parsing.
            if (dropped.missing_customer === 0) firstDrop('missing_customer', view.line, (column) => view.text(column));
            else dropped.missing_customer++;
            if (onProgress !== undefined && rowsRead >= nextProgress) {
              onProgress(rowsRead);
              nextProgress = rowsRead + 100_000;
            }
            return;
          }
          parsed.customerId = customerId;
          if (c.invoice >= 0) {
            if (!invoiceMemo.same(view, c.invoice)) invoice = view.text(c.invoice);
            parsed.invoice = invoice;
          }
          if (!dateMemo.same(view, c.date)) numbers[0] = parseTimestamp(view.text(c.date), dateOrder);
          parsed.time = numbers[0];
          // Plain decimals straight from the bytes; anything else through parseNumber.
          if (c.quantity >= 0) {
            view.decimalInto(c.quantity, numbers, 1);
            parsed.quantity = numbers[1] === numbers[1] ? numbers[1] : parseNumber(view.text(c.quantity));
          }
          if (c.price >= 0) {
            view.decimalInto(c.price, numbers, 2);
            parsed.price = numbers[2] === numbers[2] ? numbers[2] : parseNumber(view.text(c.price));
          }
          if (c.amount >= 0) {
            view.decimalInto(c.amount, numbers, 3);
            parsed.amount = numbers[3] === numbers[3] ? numbers[3] : parseNumber(view.text(c.amount));
          }
          const rule = dropRule(parsed, cleaning);
          if (rule !== null) {
            if (dropped[rule] === 0) firstDrop(rule, view.line, (column) => view.text(column));
            else dropped[rule]++;
          } else {
            rowsKept++;
            onKept(parsed);
          }
          if (onProgress !== undefined && rowsRead >= nextProgress) {
            onProgress(rowsRead);
            nextProgress = rowsRead + 100_000;
          }
        },
      };
    },
    report() {
      return { source: source.name, rowsRead, rowsKept, dropped };
    },
    mapping() {
      return mapping!;
    },
    firstBad() {
      return firstBad;
    },
  };
}

/** The error for a log in which no row survived cleaning, naming what removed what. */
export function nothingKeptError(report: CleaningReport): RfmError {
  if (report.rowsRead === 0) {
    return dataError(`${report.source} has a header but no rows`, { file: report.source, hint: 'give a log with at least one transaction' });
  }
  const causes = Object.entries(report.dropped)
    .filter(([, n]) => n > 0)
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ');
  // When one rule removed every row, what to do is specific to it.
  const [top, count] = Object.entries(report.dropped).sort((a, b) => b[1] - a[1])[0];
  return dataError(`no rows of ${report.source} survive cleaning (${report.rowsRead} read; dropped: ${causes})`, {
    file: report.source,
    hint: (count === report.rowsRead ? NOTHING_KEPT_HINTS[top] : undefined) ?? 'check the column mapping and date format (--date-format), or relax a rule with --keep-…',
  });
}

const NOTHING_KEPT_HINTS: Record<string, string> = {
  invalid_number:
    'quantity, price and amount must be plain numbers like 1234.50 (no thousands separators, currency signs, NaN or Infinity); check the column mapping (--quantity-col, --price-col, --amount-col)',
  invalid_date:
    'dates must be YYYY-MM-DD[ HH:MM[:SS]], ISO 8601, M/D/YYYY H:MM or YYYYMMDD (real calendar days); use --date-format dmy for D/M/YYYY, or pick the column with --date-col',
  missing_customer: 'every row lacks a customer id: pick the column with --customer-col NAME',
  cancelled: 'every invoice is a C followed by digits (a cancellation): keep them with --keep-cancelled, or check --invoice-col',
  status: 'every row has a status saying the sale did not stand (cancelled, refunded, failed, pending, …): keep them with --keep-status (refunds: --keep-refunds)',
  nonpositive_quantity: 'every quantity is <= 0: check --quantity-col, or keep them with --keep-nonpositive-quantity',
  nonpositive_price: 'every price (or amount) is <= 0: check --price-col / --amount-col, or keep them with --keep-nonpositive-price',
};
