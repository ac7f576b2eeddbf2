/**
 * One entry point for every command that needs customers: reads either a transaction log (cleaned
 * and aggregated to RFM) or an RFM table (customer_id,recency,frequency,monetary), telling them apart
 * by the header unless --input-kind says which.
 */
import { normalizeCustomerId, type CleaningReport } from '../core/clean.js';
import { dataError, usageError } from '../core/errors.js';
import { RfmAccumulator, type RfmCustomer, type RfmRow } from '../core/rfm.js';
import { detectRfmColumns, isRfmHeader, type RfmColumns } from './columns.js';
import type { InputSource } from './source.js';
import type { RecordSink, RecordView } from './fast-csv.js';
import { dropWarnings, type DropWarning } from './drop-warnings.js';
import { readTable, type Delimiter, type TableHandler } from './table.js';
import type { ValueLayouts } from './value-layouts.js';
import { LATER_AS_OF_HINT, nothingKeptError, parseNumber, transactionScanner, type ScanOptions, type TransactionScanner } from './transactions.js';

export type InputKind = 'auto' | 'transactions' | 'rfm';

export interface LoadOptions extends ScanOptions {
  /** As-of instant (ms); undefined = latest kept timestamp + 1 day. */
  asOf?: number;
  /**
   * The as-of is a model's default rather than the user's --as-of: an RFM table ignores it, and a
   * log newer than it (a purchase after it) is counted from its own as-of instead (latest + 1 day).
   */
  asOfFromModel?: boolean;
  inputKind: InputKind;
  sheet?: string;
  /** --no-header --columns: the column names of a file without a header. */
  names?: readonly string[];
}

export interface LoadedCustomers {
  kind: 'transactions' | 'rfm';
  /** RFM rows sorted by customer id; from a log they also carry first and last purchase times. */
  customers: (RfmRow | RfmCustomer)[];
  /** As-of instant of the aggregation; null for an RFM table. */
  asOf: number | null;
  /** Cleaning counts; null for an RFM table. */
  report: CleaningReport | null;
  /** How dates and numbers were read (value-layouts.ts); null for an RFM table. */
  layouts: ValueLayouts | null;
  /** The model's as-of was set aside because the log has purchases after it (asOfFromModel). */
  newerThanModel?: { latestPurchase: number; modelAsOf: number };
  /** The `columns: …` line when a role was guessed (a second choice or a layout). */
  columnsNotice?: string;
  /** Drops to announce (drop-warnings.ts); empty for an RFM table. */
  warnings: DropWarning[];
}

/** Parses a batch of RFM-table rows, validating each number with its line and column. */
export function parseRfmRows(batch: string[][], lines: number[], c: RfmColumns, width: number, file: string): RfmRow[] {
  const out: RfmRow[] = new Array(batch.length);
  const last = Math.max(c.customer, c.recency, c.frequency, c.monetary);
  for (let i = 0; i < batch.length; i++) {
    const row = batch[i];
    if (row.length <= last) {
      throw dataError(`line ${lines[i]} has ${row.length} fields but the header has ${width}`, {
        file,
        line: lines[i],
        hint: 'every row needs customer_id,recency,frequency,monetary',
      });
    }
    const number = (index: number, name: string, min: number) => {
      const value = parseNumber(row[index].trim());
      if (!(value >= min)) {
        throw dataError(`${name} "${row[index]}" on line ${lines[i]} is not a number >= ${min}`, {
          file,
          line: lines[i],
          column: index + 1,
          hint: 'an RFM table holds plain numbers: recency in days, frequency as a count, monetary as an amount',
        });
      }
      return value;
    };
    out[i] = {
      customerId: normalizeCustomerId(row[c.customer]),
      recency: number(c.recency, 'recency', 0),
      frequency: number(c.frequency, 'frequency', 0),
      monetary: number(c.monetary, 'monetary', 0),
    };
  }
  return out;
}

/** Rows per batch handed on by the fast path for an RFM table. */
const RFM_BATCH = 4096;

/**
 * parseRfmRows for the fast path (fast-csv.ts), with the same values and errors: records read as
 * bytes, numbers read from the bytes when plain, rows handed to `deliver` RFM_BATCH at a time.
 */
function rfmRecordSink(c: RfmColumns, width: number, file: string, deliver: (rows: RfmRow[]) => void | Promise<void>): RecordSink {
  const last = Math.max(c.customer, c.recency, c.frequency, c.monetary);
  let batch: RfmRow[] = [];
  const number = (view: RecordView, index: number, name: string, min: number) => {
    let value = view.decimal(index);
    if (value !== value) value = parseNumber(view.text(index).trim());
    if (!(value >= min)) {
      throw dataError(`${name} "${view.text(index)}" on line ${view.line} is not a number >= ${min}`, {
        file,
        line: view.line,
        column: index + 1,
        hint: 'an RFM table holds plain numbers: recency in days, frequency as a count, monetary as an amount',
      });
    }
    return value;
  };
  return {
    record(view) {
      if (view.fieldCount <= last) {
        throw dataError(`line ${view.line} has ${view.fieldCount} fields but the header has ${width}`, {
          file,
          line: view.line,
          hint: 'every row needs customer_id,recency,frequency,monetary',
        });
      }
      batch.push({
        customerId: normalizeCustomerId(view.text(c.customer)),
        recency: number(view, c.recency, 'recency', 0),
        frequency: number(view, c.frequency, 'frequency', 0),
        monetary: number(view, c.monetary, 'monetary', 0),
      });
      // Small batches: their rows die young (cheap to collect) instead of outliving a scavenge.
      return batch.length >= RFM_BATCH;
    },
    flush() {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      return deliver(rows);
    },
  };
}

/**
 * Reads customers from `source`. With `onRfmBatch`, an RFM table is not collected but streamed to
 * it batch by batch, in input order (reading waits for the promise it returns), and the result's
 * customers are empty; a transaction log is aggregated either way.
 */
export async function loadCustomers(
  source: InputSource,
  options: LoadOptions,
  onRfmBatch?: (rows: RfmRow[]) => void | Promise<void>,
): Promise<LoadedCustomers> {
  let kind: 'transactions' | 'rfm' | undefined;
  let scanner: TransactionScanner | undefined;
  let accumulator: RfmAccumulator | undefined;
  const tableRows: RfmRow[] = [];
  let streamed = 0;
  let onRows: TableHandler['rows'] = () => undefined;
  let rfmSink: RecordSink | undefined;

  await readTable(
    source,
    {
      header(fields: string[], delimiter: Delimiter | 'xlsx') {
        const looksRfm = isRfmHeader(fields);
        kind = options.inputKind === 'auto' ? (looksRfm ? 'rfm' : 'transactions') : options.inputKind;
        if (kind === 'rfm') {
          if (options.asOf !== undefined && options.asOfFromModel !== true) {
            throw usageError(`--as-of applies to transaction logs, but ${source.name} is an RFM table`, 'drop --as-of, or give the transaction log');
          }
          const columns = detectRfmColumns(fields, options.columns, source.name);
          const deliver = (parsed: RfmRow[]) => {
            streamed += parsed.length;
            if (onRfmBatch !== undefined) return onRfmBatch(parsed);
            for (const row of parsed) tableRows.push(row);
          };
          onRows = (rows, lines) => deliver(parseRfmRows(rows, lines, columns, fields.length, source.name));
          rfmSink = rfmRecordSink(columns, fields.length, source.name, deliver);
          return;
        }
        scanner = transactionScanner(source, options, (_fields, row) => accumulator!.addRow(row));
        const columns = scanner.header(fields, delimiter);
        // A model's as-of is applied at the end, once it is known whether the log is newer than it.
        accumulator = new RfmAccumulator(options.asOfFromModel === true ? undefined : options.asOf, columns.invoice >= 0);
        onRows = (rows, lines) => scanner!.rows(rows, lines);
      },
      rows: (rows, lines) => onRows(rows, lines),
      // Delimited text goes through the byte-level reader when it can: the aggregation needs only
      // the parsed values of each row, never the row itself, and an RFM table only four fields.
      fast: () =>
        rfmSink ??
        scanner?.fastSink((row) => accumulator!.addRow(row)),
    },
    { sheet: options.sheet, names: options.names },
  );

  if (kind === 'rfm') {
    if (streamed === 0) {
      throw dataError(`${source.name} has a header but no customers`, { file: source.name, hint: 'give an RFM table with at least one row' });
    }
    if (onRfmBatch !== undefined) return { kind: 'rfm', customers: [], asOf: null, report: null, layouts: null, warnings: [] };
    tableRows.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
    return { kind: 'rfm', customers: tableRows, asOf: null, report: null, layouts: null, warnings: [] };
  }
  const report = scanner!.report();
  if (report.rowsKept === 0) throw nothingKeptError(report);
  const modelAsOf = options.asOfFromModel === true ? options.asOf : undefined;
  const newer = modelAsOf !== undefined && accumulator!.latest > modelAsOf;
  const result = accumulator!.finish(newer ? undefined : modelAsOf);
  report.dropped.after_as_of = result.afterAsOf;
  report.rowsKept -= result.afterAsOf;
  if (result.customers.length === 0) {
    throw dataError(`every kept row of ${source.name} is after the as-of date`, { file: source.name, hint: LATER_AS_OF_HINT });
  }
  // Each quantity and price is finite, but their product or sum can still overflow to Infinity.
  const overflow = result.customers.find((c) => !Number.isFinite(c.monetary));
  if (overflow !== undefined) {
    const id = overflow.customerId.length > 40 ? `${overflow.customerId.slice(0, 40)}…` : overflow.customerId;
    throw dataError(`the monetary total of customer ${id} in ${source.name} is too large to represent (beyond 1.8e308)`, {
      file: source.name,
      hint: 'check the quantity and price (or amount) columns: they hold values no sale has',
    });
  }
  const newerThanModel = newer ? { latestPurchase: accumulator!.latest, modelAsOf: modelAsOf! } : undefined;
  return {
    kind: 'transactions',
    customers: result.customers,
    asOf: result.asOf,
    report,
    layouts: scanner!.layouts(),
    newerThanModel,
    columnsNotice: scanner!.mapping().notice,
    warnings: dropWarnings(report, scanner!.firstBad()),
  };
}
