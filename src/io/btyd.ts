/**
 * Input for `rfm clv`: a transaction log, cleaned as every command cleans it (except that an
 * amount of exactly 0 is kept: a purchase for the BTYD models) and summarised to one BTYD row per
 * customer in one pass; or a BTYD summary table (columns frequency, recency, T, optional
 * monetary_value and an id), told apart by the header.
 */
import { normalizeCustomerId, type CleaningReport } from '../core/clean.js';
import { BtydAccumulator, checkValues, PERIOD_DAYS, sortOrderSteps, type BtydSummary, type BtydTable, type SummaryOptions } from '../core/clv/index.js';
import { dataError, usageError, RfmError } from '../core/errors.js';
import { runSteps, type Steps } from '../core/steps.js';
import { normalizeName, type ColumnOverrides } from './columns.js';
import type { LoadOptions } from './customers.js';
import { dropWarnings, type DropWarning } from './drop-warnings.js';
import { RecordView, type RecordSink } from './fast-csv.js';
import { grow } from '../core/typed-arrays.js';
import { digitIdText, IdColumn } from './id-column.js';
import type { InputSource } from './source.js';
import { readTable, type Delimiter } from './table.js';
import { nothingKeptError, parseNumber, transactionScanner, type TransactionScanner } from './transactions.js';
import type { ValueLayouts } from './value-layouts.js';

export interface LoadedBtyd {
  kind: 'transactions' | 'btyd-summary';
  summary: BtydSummary;
  /** Cleaning counts (a log only). */
  report: CleaningReport | null;
  layouts: ValueLayouts | null;
  columnsNotice?: string;
  warnings: DropWarning[];
  /** A table without a monetary_value column: no spend model, no CLV. */
  hasMonetary: boolean;
  /** The columns a summary table was read from, for the stderr line. */
  tableColumns?: string;
}

/** True when a header is a BTYD summary (frequency, recency and T columns). */
export function isBtydHeader(header: readonly string[]): boolean {
  const names = new Set(header.map(normalizeName));
  return names.has('frequency') && names.has('recency') && names.has('t');
}

interface TableColumns {
  id: number;
  frequency: number;
  recency: number;
  T: number;
  monetary: number;
}

const ID_NAMES = ['id', 'customerid', 'customer', 'custid', 'clientid'];

function tableColumns(header: readonly string[], overrides: ColumnOverrides, file: string): TableColumns {
  const normalized = header.map(normalizeName);
  const find = (names: readonly string[]) => {
    for (const name of names) {
      const i = normalized.indexOf(name);
      if (i >= 0) return i;
    }
    return -1;
  };
  let id = overrides.customer !== undefined ? header.indexOf(overrides.customer) : find(ID_NAMES);
  if (overrides.customer !== undefined && id < 0) {
    throw dataError(`no column "${overrides.customer}" in ${file} (--customer-col)`, { file, line: 1, hint: `the columns are ${header.join(', ')}` });
  }
  return { id, frequency: find(['frequency']), recency: find(['recency']), T: find(['t']), monetary: find(['monetaryvalue', 'monetary']) };
}

/** What the table reader needs of a record: the byte reader's RecordView, or a row of fields. */
type Fields = Pick<RecordView, 'fieldCount' | 'line' | 'text'>;

/** A BTYD summary table's customers as they are read: growing columns, the ids kept as numbers while they are digits. */
class TableBuilder {
  ids = new IdColumn();
  frequency = new Float64Array(1024);
  recency = new Float64Array(1024);
  T = new Float64Array(1024);
  monetary = new Float64Array(1024);
  size = 0;

  /** The index the next customer goes to, with room for it. */
  reserve(): number {
    if (this.size === this.frequency.length) {
      this.frequency = grow(this.frequency);
      this.recency = grow(this.recency);
      this.T = grow(this.T);
      this.monetary = grow(this.monetary);
    }
    return this.size;
  }
}

function tableSink(c: TableColumns, file: string, period: SummaryOptions['period'], table: TableBuilder): { record(view: Fields): void } {
  const need = Math.max(c.id, c.frequency, c.recency, c.T, c.monetary);
  // Read from the bytes straight into the column when plain (no number object per value), else parsed from the text.
  const number = (view: Fields, index: number, name: string, column: Float64Array, at: number) => {
    if (view instanceof RecordView) view.decimalInto(index, column, at);
    else column[at] = NaN;
    if (column[at] !== column[at]) column[at] = parseNumber(view.text(index).trim());
    if (!(column[at] >= 0)) {
      throw dataError(`${name} "${view.text(index)}" on line ${view.line} is not a number >= 0`, {
        file,
        line: view.line,
        column: index + 1,
        hint: `a BTYD summary holds frequency (repeat purchase days), recency and T (in ${period}s, see --period) and monetary_value`,
      });
    }
  };
  return {
    record(view) {
      if (view.fieldCount <= need) {
        throw dataError(`line ${view.line} has ${view.fieldCount} fields, fewer than the header`, { file, line: view.line, hint: 'every row needs frequency, recency and T' });
      }
      const at = table.reserve();
      const ids = table.ids;
      // An unquoted id of plain digits is its own normalized form (normalizeCustomerId trims,
      // maps missing values to '' and cuts a ".0"): read it from the bytes.
      if (c.id < 0) ids.push(String(at + 1));
      else if (!(view instanceof RecordView && view.flags[c.id] === 0 && ids.pushDigits(view.buf, view.starts[c.id], view.ends[c.id]))) {
        ids.push(normalizeCustomerId(view.text(c.id)));
      }
      number(view, c.frequency, 'frequency', table.frequency, at);
      number(view, c.recency, 'recency', table.recency, at);
      number(view, c.T, 'T', table.T, at);
      if (c.monetary >= 0) number(view, c.monetary, 'monetary_value', table.monetary, at);
      else table.monetary[at] = NaN;
      table.size++;
      try {
        checkValues(() => ids.text(at), table.frequency[at], table.recency[at], table.T[at]);
      } catch (error) {
        throw error instanceof RfmError ? error.at({ file, line: view.line }) : error;
      }
    },
  };
}

/** A row of the general reader (papaparse, xlsx) as Fields. */
const fieldsOf = (fields: string[], line: number): Fields => ({ fieldCount: fields.length, line, text: (i) => fields[i] });

/**
 * A table's customers in customer id order (a stable sort): digit ids by a radix sort of their
 * codes (io/id-column.ts, a fraction of a second for a million), other ids by the merge sort of
 * core/clv/sort.ts, as steps.
 */
function* byCustomerId(built: TableBuilder): Steps<BtydTable> {
  const { ids, size } = built;
  const order: ArrayLike<number> | null = ids.numeric ? ids.sortOrder() : yield* sortOrderSteps(ids.all());
  const take = (column: Float64Array) => {
    if (order === null) return column.slice(0, size);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = column[order[i]];
    return out;
  };
  const frequency = take(built.frequency);
  yield;
  const recency = take(built.recency);
  const T = take(built.T);
  yield;
  const monetary = take(built.monetary);
  if (!ids.numeric) return { size, id: order === null ? (i) => ids.text(i) : (i) => ids.text(order[i]), frequency, recency, T, monetary, holdout: null };
  const codes = take(ids.codes);
  const lengths = order === null ? ids.lengths.slice(0, size) : Uint8Array.from({ length: size }, (_, i) => ids.lengths[order[i]]);
  return { size, id: (i) => digitIdText(codes[i], lengths[i]), frequency, recency, T, monetary, holdout: null, digitIds: { codes, lengths } };
}

/**
 * Reads a transaction log (into its BTYD summary) or a BTYD summary table. `run` runs the long
 * passes after the reading (the summary's last pass, a table's sort by id: core/steps.ts); the
 * command line gives runInterruptibly, so that they can be interrupted.
 */
export async function loadBtyd(
  source: InputSource,
  options: LoadOptions & SummaryOptions,
  run: <T>(steps: Steps<T>) => T | Promise<T> = runSteps,
): Promise<LoadedBtyd> {
  let kind: LoadedBtyd['kind'] | undefined;
  let scanner: TransactionScanner | undefined;
  let accumulator: BtydAccumulator | undefined;
  let sink: (RecordSink & { record(view: Fields): void }) | undefined;
  let columns: TableColumns | undefined;
  let headerFields: string[] = [];
  const table = new TableBuilder();
  // The calibration end: --calibration-end, else the day before --as-of, else the latest purchase day.
  const calibrationEnd = options.calibrationEnd ?? (options.asOf === undefined ? undefined : options.asOf - 86_400_000);
  await readTable(
    source,
    {
      header(fields: string[], delimiter: Delimiter | 'xlsx') {
        headerFields = fields;
        kind = isBtydHeader(fields) ? 'btyd-summary' : 'transactions';
        if (kind === 'btyd-summary') {
          for (const [flag, given] of [['--calibration-end', options.calibrationEnd], ['--holdout-end', options.holdoutEnd], ['--as-of', options.asOf]] as const) {
            if (given !== undefined) throw usageError(`${flag} applies to a transaction log, but ${source.name} is a BTYD summary table`, `drop ${flag}, or give the transaction log`);
          }
          columns = tableColumns(fields, options.columns, source.name);
          sink = tableSink(columns, source.name, options.period, table);
          return;
        }
        const cleaning = { ...options.cleaning, keepZeroPrice: true };
        accumulator = new BtydAccumulator({ period: options.period, calibrationEnd, holdoutEnd: options.holdoutEnd });
        scanner = transactionScanner(source, { ...options, cleaning }, (_fields, row) => accumulator!.addRow(row));
        scanner.header(fields, delimiter);
      },
      rows(rows, lines) {
        if (scanner !== undefined) return scanner.rows(rows, lines);
        for (let i = 0; i < rows.length; i++) sink!.record(fieldsOf(rows[i], lines[i]));
      },
      fast: () => sink ?? scanner?.fastSink((row) => accumulator!.addRow(row)),
    },
    { sheet: options.sheet, names: options.names },
  );
  if (kind === 'btyd-summary') {
    if (table.size === 0) throw dataError(`${source.name} has a header but no customers`, { file: source.name, hint: 'give a BTYD summary with at least one row' });
    const c = columns!;
    const named = (i: number) => (i >= 0 ? headerFields[i] : undefined);
    const used = [named(c.id) ?? '(no id column: customers numbered by row)', named(c.frequency), named(c.recency), named(c.T), named(c.monetary) ?? '(no monetary_value: no spend model, no CLV)'];
    const customers = await run(byCustomerId(table));
    const summary: BtydSummary = {
      period: options.period,
      periodDays: PERIOD_DAYS[options.period],
      calibrationEnd: NaN,
      holdoutEnd: null,
      holdoutLength: 0,
      customers,
      afterEnd: 0,
      firstAfterCalibration: 0,
      firstPurchasesByDay: new Map(),
      repeatsByDay: new Map(),
    };
    return { kind, summary, report: null, layouts: null, warnings: [], hasMonetary: c.monetary >= 0, tableColumns: used.join(', ') };
  }
  const report = scanner!.report();
  if (report.rowsKept === 0) throw nothingKeptError(report);
  const summary = await run(accumulator!.finishSteps());
  report.dropped.after_as_of = summary.afterEnd;
  report.rowsKept -= summary.afterEnd;
  if (summary.customers.size === 0) {
    throw dataError(`no customer of ${source.name} bought on or before the calibration end`, { file: source.name, hint: 'choose a later --calibration-end' });
  }
  return {
    kind: 'transactions',
    summary,
    report,
    layouts: scanner!.layouts(),
    columnsNotice: scanner!.mapping().notice,
    warnings: dropWarnings(report, scanner!.firstBad()),
    hasMonetary: true,
  };
}
