/**
 * One entry point for every command that needs customers: reads either a transaction log (cleaned
 * and aggregated to RFM) or an RFM table (customer_id,recency,frequency,monetary), telling them apart
 * by the header unless --input-kind says which.
 */
import { lineValue, normalizeCustomerId, type CleaningReport, type ParsedRow } from '../core/clean.js';
import { dataError, usageError } from '../core/errors.js';
import { RfmAccumulator, type RfmCustomer, type RfmRow, type RfmTable } from '../core/rfm.js';
import { detectRfmColumns, isRfmHeader, type RfmColumns } from './columns.js';
import type { InputSource } from './source.js';
import type { RecordSink, RecordView } from './fast-csv.js';
import { dropWarnings, type DropWarning } from './drop-warnings.js';
import { grow } from '../core/typed-arrays.js';
import { IdColumn } from './id-column.js';
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
  /**
   * An RFM table is read into `columns` (typed arrays, no object per customer) instead of
   * `customers`: what a fit of millions of customers needs. A log is aggregated as always.
   * `ids: false` keeps only the order of the ids (the values are sorted by them), not the ids.
   */
  columnar?: { ids: boolean };
  /**
   * Further as-of instants aggregated from the same read (`rfm diff`): each gets its own table in
   * `snapshots`, from the same kept rows (a log only; an RFM table refuses them).
   */
  snapshotAsOf?: readonly number[];
  /** Sees every kept row of a log too, before any as-of (`rfm fit --clv` builds its BTYD summary so). */
  onKept?: (row: ParsedRow) => void;
  /**
   * Sees the rows whose value is exactly 0, which the RFM drops (rule nonpositive_price, counted
   * as dropped as always) but lifetime value counts as purchases (`rfm fit --clv`, as `rfm clv`).
   */
  onZeroValue?: (row: ParsedRow) => void;
}

/**
 * Customers as parallel columns, sorted by id as `customers` is: entry i of each is customer i.
 * Memory is the id strings and three doubles per customer.
 */
export interface CustomerColumns {
  /** Empty when read with `columnar: { ids: false }`. */
  ids: string[];
  recency: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
}

export interface LoadedCustomers {
  kind: 'transactions' | 'rfm';
  /**
   * RFM rows sorted by customer id; from a log they also carry first and last purchase times.
   * Empty for an RFM table read with `columnar` (see `columns`).
   */
  customers: (RfmRow | RfmCustomer)[];
  /** The RFM table's customers, sorted by id, when read with `columnar`. */
  columns?: CustomerColumns;
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
  /** From a log: the tables at `snapshotAsOf`, in its order (empty without it); a table may have no customers. */
  snapshots?: RfmTable[];
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

const NUMBER_HINT = 'an RFM table holds plain numbers: recency in days, frequency as a count, monetary as an amount';

function fieldCountError(view: RecordView, width: number, file: string) {
  return dataError(`line ${view.line} has ${view.fieldCount} fields but the header has ${width}`, {
    file,
    line: view.line,
    hint: 'every row needs customer_id,recency,frequency,monetary',
  });
}

function numberError(view: RecordView, index: number, name: string, min: number, file: string) {
  return dataError(`${name} "${view.text(index)}" on line ${view.line} is not a number >= ${min}`, { file, line: view.line, column: index + 1, hint: NUMBER_HINT });
}

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
    if (!(value >= min)) throw numberError(view, index, name, min, file);
    return value;
  };
  return {
    record(view) {
      if (view.fieldCount <= last) throw fieldCountError(view, width, file);
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
 * Customers collected into growing columns (doubling typed arrays), then sorted by id: the
 * `columnar` read of an RFM table, three doubles and an id (most often a number) per customer.
 */
class ColumnBuilder {
  ids = new IdColumn();
  recency = new Float64Array(1024);
  frequency = new Float64Array(1024);
  monetary = new Float64Array(1024);
  size = 0;

  /** The index the next customer goes to, with room for it. */
  reserve(): number {
    if (this.size === this.recency.length) {
      this.recency = grow(this.recency);
      this.frequency = grow(this.frequency);
      this.monetary = grow(this.monetary);
    }
    return this.size;
  }

  push(row: RfmRow): void {
    const at = this.reserve();
    this.ids.push(row.customerId);
    this.recency[at] = row.recency;
    this.frequency[at] = row.frequency;
    this.monetary[at] = row.monetary;
    this.size++;
  }

  /** The columns sorted by id (see IdColumn.sortOrder); without the ids unless `withIds`. */
  finish(withIds: boolean): CustomerColumns {
    const { size } = this;
    const order = this.ids.sortOrder();
    const take = (column: Float64Array) => {
      if (order === null) return column.slice(0, size);
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = column[order[i]!]!;
      return out;
    };
    let ids: string[] = [];
    if (withIds) {
      const all = this.ids.all();
      ids = order === null ? all : Array.from(order, (i) => all[i]!);
    }
    this.ids = new IdColumn();
    return { ids, recency: take(this.recency), frequency: take(this.frequency), monetary: take(this.monetary) };
  }
}

/** rfmRecordSink for the `columnar` read: each number read from the bytes straight into its column. */
function rfmColumnSink(c: RfmColumns, width: number, file: string, columns: ColumnBuilder): RecordSink {
  const last = Math.max(c.customer, c.recency, c.frequency, c.monetary);
  const number = (view: RecordView, index: number, name: string, column: Float64Array, at: number) => {
    view.decimalInto(index, column, at);
    let value = column[at]!;
    if (value !== value) column[at] = value = parseNumber(view.text(index).trim());
    if (!(value >= 0)) throw numberError(view, index, name, 0, file);
  };
  return {
    record(view) {
      if (view.fieldCount <= last) throw fieldCountError(view, width, file);
      const at = columns.reserve();
      // An unquoted id of plain digits is its own normalized form (normalizeCustomerId trims,
      // maps missing values to '' and cuts a ".0"): read it from the bytes.
      const customer = c.customer;
      if (view.flags[customer] !== 0 || !columns.ids.pushDigits(view.buf, view.starts[customer]!, view.ends[customer]!)) {
        columns.ids.push(normalizeCustomerId(view.text(customer)));
      }
      number(view, c.recency, 'recency', columns.recency, at);
      number(view, c.frequency, 'frequency', columns.frequency, at);
      number(view, c.monetary, 'monetary', columns.monetary, at);
      columns.size++;
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
  let snapshots: RfmAccumulator[] = [];
  const tableRows: RfmRow[] = [];
  const columnar = options.columnar !== undefined && onRfmBatch === undefined ? new ColumnBuilder() : undefined;
  let streamed = 0;
  let zeroValueRows = 0;
  let onRows: TableHandler['rows'] = () => undefined;
  let addKept: (row: ParsedRow) => void = () => undefined;
  let rfmSink: RecordSink | undefined;

  await readTable(
    source,
    {
      header(fields: string[], delimiter: Delimiter | 'xlsx') {
        const looksRfm = isRfmHeader(fields);
        kind = options.inputKind === 'auto' ? (looksRfm ? 'rfm' : 'transactions') : options.inputKind;
        if (kind === 'rfm') {
          if (options.snapshotAsOf !== undefined) {
            throw usageError(`${source.name} is an RFM table, which holds one as-of date`, 'give the transaction log, or two files as rfm segment writes them: rfm diff a.csv b.csv');
          }
          if (options.asOf !== undefined && options.asOfFromModel !== true) {
            throw usageError(`--as-of applies to transaction logs, but ${source.name} is an RFM table`, 'drop --as-of, or give the transaction log');
          }
          const columns = detectRfmColumns(fields, options.columns, source.name);
          const deliver = (parsed: RfmRow[]) => {
            streamed += parsed.length;
            if (onRfmBatch !== undefined) return onRfmBatch(parsed);
            if (columnar !== undefined) for (const row of parsed) columnar.push(row);
            else for (const row of parsed) tableRows.push(row);
          };
          onRows = (rows, lines) => deliver(parseRfmRows(rows, lines, columns, fields.length, source.name));
          rfmSink = columnar !== undefined ? rfmColumnSink(columns, fields.length, source.name, columnar) : rfmRecordSink(columns, fields.length, source.name, deliver);
          return;
        }
        // $0 rows pass the cleaning rules (nonpositive_price is the last rule, so nothing else
        // would have dropped them) and are split off here: counted as dropped, seen by onZeroValue.
        const splitZero = options.onZeroValue !== undefined && options.cleaning.keepNonpositivePrice !== true;
        const scanOptions = splitZero ? { ...options, cleaning: { ...options.cleaning, keepZeroPrice: true } } : options;
        scanner = transactionScanner(source, scanOptions, (_fields, row) => addKept(row));
        const columns = scanner.header(fields, delimiter);
        // A model's as-of is applied at the end, once it is known whether the log is newer than it.
        accumulator = new RfmAccumulator(options.asOfFromModel === true ? undefined : options.asOf, columns.invoice >= 0);
        snapshots = (options.snapshotAsOf ?? []).map((asOf) => new RfmAccumulator(asOf, columns.invoice >= 0));
        const main = accumulator;
        const others: ((row: ParsedRow) => unknown)[] = snapshots.map((snapshot) => (row: ParsedRow) => snapshot.addRow(row));
        if (options.onKept !== undefined) others.push(options.onKept);
        // Without snapshots or onKept each kept row costs one call, as before.
        addKept =
          others.length === 0
            ? (row) => main.addRow(row)
            : (row) => {
                main.addRow(row);
                for (const other of others) other(row);
              };
        if (splitZero) {
          const onZeroValue = options.onZeroValue!;
          const keep = addKept;
          addKept = (row) => {
            if (lineValue(row) === 0) {
              zeroValueRows++;
              onZeroValue(row);
            } else keep(row);
          };
        }
        onRows = (rows, lines) => scanner!.rows(rows, lines);
      },
      rows: (rows, lines) => onRows(rows, lines),
      // Delimited text goes through the byte-level reader when it can: the aggregation needs only
      // the parsed values of each row, never the row itself, and an RFM table only four fields.
      fast: () =>
        rfmSink ??
        scanner?.fastSink(addKept),
    },
    { sheet: options.sheet, names: options.names },
  );

  if (kind === 'rfm') {
    if (columnar !== undefined) streamed = columnar.size;
    if (streamed === 0) {
      throw dataError(`${source.name} has a header but no customers`, { file: source.name, hint: 'give an RFM table with at least one row' });
    }
    if (onRfmBatch !== undefined) return { kind: 'rfm', customers: [], asOf: null, report: null, layouts: null, warnings: [] };
    if (columnar !== undefined) return { kind: 'rfm', customers: [], columns: columnar.finish(options.columnar!.ids), asOf: null, report: null, layouts: null, warnings: [] };
    tableRows.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
    return { kind: 'rfm', customers: tableRows, asOf: null, report: null, layouts: null, warnings: [] };
  }
  const report = scanner!.report();
  report.rowsKept -= zeroValueRows;
  report.dropped.nonpositive_price += zeroValueRows;
  if (report.rowsKept === 0) throw nothingKeptError(report);
  const modelAsOf = options.asOfFromModel === true ? options.asOf : undefined;
  const newer = modelAsOf !== undefined && accumulator!.latest > modelAsOf;
  const result = accumulator!.finish(newer ? undefined : modelAsOf);
  report.dropped.after_as_of = result.afterAsOf;
  report.rowsKept -= result.afterAsOf;
  if (result.customers.length === 0) {
    throw dataError(`every kept row of ${source.name} is after the as-of date`, { file: source.name, hint: LATER_AS_OF_HINT });
  }
  const snapshotTables = snapshots.map((snapshot) => snapshot.finish());
  // Each quantity and price is finite, but their product or sum can still overflow to Infinity.
  const overflow = [result, ...snapshotTables].flatMap((table) => table.customers.find((c) => !Number.isFinite(c.monetary)) ?? [])[0];
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
    snapshots: snapshotTables,
  };
}
