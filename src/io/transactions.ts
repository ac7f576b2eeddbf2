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
import { firstBadColumn, type FirstBad } from './drop-warnings.js';
import { formatInt } from '../render/numbers.js';
import { layoutRowPath, needsRowPath, type LayoutRowPath } from './export-layouts.js';
import type { DateOrder } from './dates.js';
import { FieldMemo, type RecordSink, type RecordView } from './fast-csv.js';
import type { DecimalMark } from './number-layout.js';
import type { InputSource } from './source.js';
import type { Delimiter } from './table.js';
import { MAX_WAITING_ROWS, ValueReaders, type ValueLayouts } from './value-layouts.js';

export interface ScanOptions {
  columns: ColumnOverrides;
  /** --date-format: the order of slashed dates; undefined = inferred from the column (value-layouts.ts). */
  dateOrder?: DateOrder;
  /** --decimal: the decimal mark of number columns; undefined = inferred per column. */
  decimal?: DecimalMark;
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
  /**
   * The counts, once every row was read; throws the error naming --date-format or --decimal when a
   * column never decided how its values are written.
   */
  report(): CleaningReport;
  /** How dates and numbers were read (after header()): for `rfm inspect` and the stderr note. */
  layouts(): ValueLayouts;
  /** What column detection decided (after header()). */
  mapping(): ColumnMapping;
  /** The first row each rule dropped: its line, column and value (for the warnings). */
  firstBad(): FirstBad;
}

/** A row held back while a column waits for its layout (value-layouts.ts): its texts, read again later. */
interface HeldRow {
  /** The fields (general path), for onKept; undefined on the fast path. */
  row: string[] | undefined;
  line: number;
  customerId: string;
  invoice: string;
  date: string;
  quantity: string;
  price: string;
  amount: string;
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
  let readers: ValueReaders | undefined;
  // Rows held back, in order, while a column waits for its layout; released when none waits.
  let held: HeldRow[] = [];
  let mapping: ColumnMapping | undefined;
  let header: string[] = [];
  // Only for files with a status, `Cancelled at`, refund or fill-down column (export-layouts.ts).
  let rowPath: LayoutRowPath | undefined;
  const firstBad: FirstBad = {};
  /**
   * Counts the first drop of a rule, remembering its line, column and value for the warnings
   * (callers count the later drops themselves: no call, no closure per row).
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

  /** Reads the value fields into `parsed` with the columns' readers (throws on a contradiction). */
  const readValues = (date: string, quantity: string, price: string, amount: string, line: number) => {
    const v = readers!;
    parsed.time = v.date.parse(date, line);
    if (v.quantity !== undefined) parsed.quantity = v.quantity.parse(quantity, line);
    if (v.price !== undefined) parsed.price = v.price.parse(price, line);
    if (v.amount !== undefined) parsed.amount = v.amount.parse(amount, line);
  };
  /** The cleaning rules on `parsed`, then onKept (general path: `row` for --dedupe and the caller). */
  const keepOrDrop = (row: string[], line: number) => {
    // The layout's status, `Cancelled at` and refund (an amount refunded in full is no sale).
    if (rowPath !== undefined && !rowPath.apply(row, parsed)) parsed.amount = NaN;
    let rule = dropRule(parsed, options.cleaning);
    if (rule === null && seen !== undefined) {
      const key = row.join('\u0000');
      if (seen.has(key)) rule = 'duplicate';
      else seen.add(key);
    }
    if (rule !== null) {
      if (dropped[rule] === 0) firstDrop(rule, line, (column) => row[column]);
      else dropped[rule]++;
      return;
    }
    rowsKept++;
    onKept(row, parsed);
  };
  const hold = (row: HeldRow) => {
    if (held.length >= MAX_WAITING_ROWS) throw readers!.ambiguityError(` in the ${formatInt(MAX_WAITING_ROWS)} rows from line ${held[0].line}`);
    held.push(row);
  };
  /**
   * Every column decided: the held rows are read again with the decided layouts and go on in
   * order (to `fastKept` on the fast path, which has no fields to give). `parsed` is restored after.
   */
  const release = (fastKept: ((parsed: ParsedRow) => void) | undefined) => {
    const current = { ...parsed };
    const rows = held;
    held = [];
    for (const h of rows) {
      parsed.customerId = h.customerId;
      parsed.invoice = h.invoice;
      readValues(h.date, h.quantity, h.price, h.amount, h.line);
      if (fastKept === undefined) {
        keepOrDrop(h.row!, h.line);
        continue;
      }
      const rule = dropRule(parsed, options.cleaning);
      if (rule !== null) {
        if (dropped[rule] === 0) firstDrop(rule, h.line, (column) => heldText(h, column));
        else dropped[rule]++;
      } else {
        rowsKept++;
        fastKept(parsed);
      }
    }
    Object.assign(parsed, current);
  };

  /** A held row's text of one of the columns it keeps (the warnings name the first bad value). */
  const heldText = (h: HeldRow, column: number): string => {
    const c = columns!;
    if (column === c.customer) return h.customerId;
    if (column === c.invoice) return h.invoice;
    if (column === c.date) return h.date;
    if (column === c.quantity) return h.quantity;
    if (column === c.price) return h.price;
    return column === c.amount ? h.amount : '';
  };

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
      readers = new ValueReaders(fields, columns, {
        file: source.name,
        delimiter,
        dateOrder: options.dateOrder,
        decimal: options.decimal,
      });
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
        if (rowPath !== undefined) row = rowPath.fillDown(row);
        rowsRead++;
        const line = lines[i];
        parsed.customerId = normalizeCustomerId(row[c.customer]);
        parsed.invoice = c.invoice >= 0 ? row[c.invoice] : '';
        readValues(row[c.date], c.quantity >= 0 ? row[c.quantity] : '', c.price >= 0 ? row[c.price] : '', c.amount >= 0 ? row[c.amount] : '', line);
        if (held.length !== 0 || readers!.counter.waiting !== 0) {
          if (readers!.counter.waiting !== 0) {
            const field = (i: number) => (i >= 0 ? row[i] : '');
            hold({ row, line, customerId: parsed.customerId, invoice: parsed.invoice, date: row[c.date], quantity: field(c.quantity), price: field(c.price), amount: field(c.amount) });
            continue;
          }
          release(undefined);
        }
        keepOrDrop(row, line);
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
      const { cleaning, onProgress } = options;
      const v = readers!;
      const waits = v.counter;
      const [q, p, a] = [v.quantity, v.price, v.amount];
      // Whether a column's plain decimals may be read from the bytes (number-layout.ts): it changes
      // only when the column's reader reads a value, so it is looked up again only then.
      let plainQ = q?.plainDecimals === true;
      let plainP = p?.plainDecimals === true;
      let plainA = a?.plainDecimals === true;
      /** A column waits for its layout: the row is held (true), or the rows held are released. */
      const holdOrRelease = (view: RecordView): boolean => {
        if (waits.waiting === 0) {
          release(onKept);
          return false;
        }
        const text = (i: number) => (i >= 0 ? view.text(i) : '');
        hold({ row: undefined, line: view.line, customerId, invoice: parsed.invoice, date: dateText, quantity: text(c.quantity), price: text(c.price), amount: text(c.amount) });
        return true;
      };
      // Customer id, invoice and date repeat on every line of an invoice: each is turned into a
      // string and parsed only when its bytes change. Numbers are read from the bytes when plain.
      const customerMemo = new FieldMemo();
      const invoiceMemo = new FieldMemo();
      const dateMemo = new FieldMemo();
      let customerId = '';
      let invoice = '';
      let dateText = '';
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
          if (!dateMemo.same(view, c.date)) {
            dateText = view.text(c.date);
            numbers[0] = v.date.parse(dateText, view.line);
          }
          parsed.time = numbers[0];
          // Plain decimals straight from the bytes while the column reads them as they are (a
          // decimal point); anything else through the column's reader.
          if (c.quantity >= 0) {
            if (plainQ) view.decimalInto(c.quantity, numbers, 1);
            if (plainQ && numbers[1] === numbers[1]) parsed.quantity = numbers[1];
            else {
              parsed.quantity = q!.parse(view.text(c.quantity), view.line);
              plainQ = q!.plainDecimals;
            }
          }
          if (c.price >= 0) {
            if (plainP) view.decimalInto(c.price, numbers, 2);
            if (plainP && numbers[2] === numbers[2]) parsed.price = numbers[2];
            else {
              parsed.price = p!.parse(view.text(c.price), view.line);
              plainP = p!.plainDecimals;
            }
          }
          if (c.amount >= 0) {
            if (plainA) view.decimalInto(c.amount, numbers, 3);
            if (plainA && numbers[3] === numbers[3]) parsed.amount = numbers[3];
            else {
              parsed.amount = a!.parse(view.text(c.amount), view.line);
              plainA = a!.plainDecimals;
            }
          }
          // Rows wait (in order, with their texts) while a column waits for its layout.
          if ((waits.waiting !== 0 || held.length !== 0) && holdOrRelease(view)) return;
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
      if (held.length !== 0) throw readers!.ambiguityError();
      return { source: source.name, rowsRead, rowsKept, dropped };
    },
    layouts() {
      return readers!.describe(source.encoding?.name ?? 'utf-8');
    },
    mapping() {
      return mapping!;
    },
    firstBad() {
      return firstBad;
    },
  };
}

/**
 * What to do when every row the rules kept is after the as-of instant (the as-of cut comes after
 * the rules): the one wording for rfm rfm, fit, segment (customers.ts) and rfm clean.
 */
export const LATER_AS_OF_HINT = 'choose a later --as-of';

/** The error for a log in which no row survived cleaning, naming what removed what. */
export function nothingKeptError(report: CleaningReport): RfmError {
  if (report.rowsRead === 0) {
    return dataError(`${report.source} has a header but no rows`, { file: report.source, hint: 'give a log with at least one transaction' });
  }
  const causes = Object.entries(report.dropped)
    .filter(([, n]) => n > 0)
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ');
  // Rows were kept by the rules but all cut by the as-of: only the as-of can bring them back.
  // Otherwise, when one rule removed every row, what to do is specific to it.
  const [top, count] = Object.entries(report.dropped).sort((a, b) => b[1] - a[1])[0];
  const hint =
    report.dropped.after_as_of > 0
      ? LATER_AS_OF_HINT
      : ((count === report.rowsRead ? NOTHING_KEPT_HINTS[top] : undefined) ?? 'check the column mapping and date format (--date-format), or relax a rule with --keep-…');
  return dataError(`no rows of ${report.source} survive cleaning (${report.rowsRead} read; dropped: ${causes})`, { file: report.source, hint });
}

const NOTHING_KEPT_HINTS: Record<string, string> = {
  invalid_number:
    "quantity, price and amount must be plain numbers like 1234.50 (or 1,234.50; 1.234,50 when the delimiter is not a comma; one currency per column); check the column mapping (--quantity-col, --price-col, --amount-col) or give --decimal",
  invalid_date:
    'dates must be real calendar days as YYYY-MM-DD[ HH:MM[:SS]] (with an optional zone), YYYYMMDD, M/D/YYYY or D/M/YYYY, D.M.YYYY, DD-MM-YYYY or with a month name (Jan 5, 2024); --date-format dmy or mdy forces the order of slashed dates, or pick the column with --date-col',
  missing_customer: 'every row lacks a customer id: pick the column with --customer-col NAME',
  cancelled: 'every invoice is a C followed by digits (a cancellation): keep them with --keep-cancelled, or check --invoice-col',
  status: 'every row has a status saying the sale did not stand (cancelled, refunded, failed, pending, …): keep them with --keep-status (refunds: --keep-refunds)',
  nonpositive_quantity: 'every quantity is <= 0: check --quantity-col, or keep them with --keep-nonpositive-quantity',
  nonpositive_price: 'every price (or amount) is <= 0: check --price-col / --amount-col, or keep them with --keep-nonpositive-price',
};
