/**
 * One entry point for every command that needs customers: reads either a transaction log (cleaned
 * and aggregated to RFM) or an RFM table (customer_id,recency,frequency,monetary), telling them apart
 * by the header unless --input-kind says which.
 */
import type { CleaningReport } from '../core/clean.js';
import { dataError, usageError } from '../core/errors.js';
import { RfmAccumulator, type RfmCustomer, type RfmRow } from '../core/rfm.js';
import { detectRfmColumns, isRfmHeader, type RfmColumns } from './columns.js';
import type { InputSource } from './source.js';
import { readTable, type Delimiter, type TableHandler } from './table.js';
import { nothingKeptError, parseNumber, transactionScanner, type ScanOptions, type TransactionScanner } from './transactions.js';

export type InputKind = 'auto' | 'transactions' | 'rfm';

export interface LoadOptions extends ScanOptions {
  /** As-of instant (ms); undefined = latest kept timestamp + 1 day. */
  asOf?: number;
  inputKind: InputKind;
  sheet?: string;
}

export interface LoadedCustomers {
  kind: 'transactions' | 'rfm';
  /** RFM rows sorted by customer id; from a log they also carry first and last purchase times. */
  customers: (RfmRow | RfmCustomer)[];
  /** As-of instant of the aggregation; null for an RFM table. */
  asOf: number | null;
  /** Cleaning counts; null for an RFM table. */
  report: CleaningReport | null;
}

/** Parses the rows of an RFM table, validating each number with its line and column. */
function rfmTableReader(source: InputSource): { handler: (columns: RfmColumns, width: number) => TableHandler['rows']; rows: RfmRow[] } {
  const rows: RfmRow[] = [];
  const handler = (c: RfmColumns, width: number): TableHandler['rows'] => (batch, lines) => {
    for (let i = 0; i < batch.length; i++) {
      const row = batch[i];
      if (row.length < width && row.length <= Math.max(c.customer, c.recency, c.frequency, c.monetary)) {
        throw dataError(`line ${lines[i]} has ${row.length} fields but the header has ${width}`, {
          file: source.name,
          line: lines[i],
          hint: 'every row needs customer_id,recency,frequency,monetary',
        });
      }
      const number = (index: number, name: string, min: number) => {
        const value = parseNumber(row[index].trim());
        if (!(value >= min)) {
          throw dataError(`${name} "${row[index]}" on line ${lines[i]} is not a number >= ${min}`, {
            file: source.name,
            line: lines[i],
            column: index + 1,
            hint: 'an RFM table holds plain numbers: recency in days, frequency as a count, monetary as an amount',
          });
        }
        return value;
      };
      const customerId = row[c.customer].trim();
      rows.push({
        customerId,
        recency: number(c.recency, 'recency', 0),
        frequency: number(c.frequency, 'frequency', 0),
        monetary: number(c.monetary, 'monetary', 0),
      });
    }
  };
  return { handler, rows };
}

export async function loadCustomers(source: InputSource, options: LoadOptions): Promise<LoadedCustomers> {
  let kind: 'transactions' | 'rfm' | undefined;
  let scanner: TransactionScanner | undefined;
  let accumulator: RfmAccumulator | undefined;
  const table = rfmTableReader(source);
  let onRows: TableHandler['rows'] = () => undefined;

  await readTable(
    source,
    {
      header(fields: string[], delimiter: Delimiter | 'xlsx') {
        const looksRfm = isRfmHeader(fields);
        kind = options.inputKind === 'auto' ? (looksRfm ? 'rfm' : 'transactions') : options.inputKind;
        if (kind === 'rfm') {
          if (options.asOf !== undefined) {
            throw usageError(`--as-of applies to transaction logs, but ${source.name} is an RFM table`, 'drop --as-of, or give the transaction log');
          }
          onRows = table.handler(detectRfmColumns(fields, options.columns, source.name), fields.length);
          return;
        }
        scanner = transactionScanner(source, options, (_fields, row) => {
          accumulator!.add(row.customerId, row.invoice, row.time, row.hasAmount ? row.amount : row.quantity * row.price);
        });
        const columns = scanner.header(fields, delimiter);
        accumulator = new RfmAccumulator(options.asOf, columns.invoice >= 0);
        onRows = (rows, lines) => scanner!.rows(rows, lines);
      },
      rows: (rows, lines) => onRows(rows, lines),
    },
    { sheet: options.sheet },
  );

  if (kind === 'rfm') {
    if (table.rows.length === 0) {
      throw dataError(`${source.name} has a header but no customers`, { file: source.name, hint: 'give an RFM table with at least one row' });
    }
    table.rows.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
    return { kind: 'rfm', customers: table.rows, asOf: null, report: null };
  }
  const report = scanner!.report();
  if (report.rowsKept === 0) throw nothingKeptError(report);
  const result = accumulator!.finish();
  report.dropped.after_as_of = result.afterAsOf;
  report.rowsKept -= result.afterAsOf;
  if (result.customers.length === 0) {
    throw dataError(`every kept row of ${source.name} is after the as-of date`, { file: source.name, hint: 'choose a later --as-of' });
  }
  return { kind: 'transactions', customers: result.customers, asOf: result.asOf, report };
}
