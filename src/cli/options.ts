/** Option definitions shared by several commands, and their parsing into typed values. */
import { Option, type Command } from 'commander';
import { DEFAULT_CLEANING, type CleaningOptions } from '../core/clean.js';
import { usageError } from '../core/errors.js';
import { headerlessColumns, type ColumnOverrides } from '../io/columns.js';
import type { InputKind, LoadOptions } from '../io/customers.js';
import { parseTimestamp, type DateOrder } from '../io/dates.js';
import type { DecimalMark } from '../io/number-layout.js';
import { FORMATS, type CommonOptions } from './context.js';

export function addCommonOptions(command: Command, formats: readonly string[] = FORMATS): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'output format (default: from the -o extension, else table on a terminal, else machine-readable)').choices(formats))
    .option('-o, --output <file>', 'write to FILE (atomically: temp file, then rename) instead of stdout')
    .option('-q, --quiet', 'no progress, summaries or warnings on stderr')
    .option('--all', 'show every row of a long table on a terminal (default: the first 20 of more than 50)')
    .option('--no-color', 'no colour (also NO_COLOR=1; FORCE_COLOR=1 colours even a pipe)')
    .option('--verbose', 'more detail on stderr, stack traces for internal errors')
    .addOption(new Option('--errors <style>', 'error format on stderr').choices(['text', 'json']).default('text'));
}

/**
 * The stderr options of a command without a --format (relabel, report, serve): -q with what it
 * silences there, --no-color, --verbose, --errors.
 */
export function addStderrOptions(command: Command, quiet: string): Command {
  return command
    .option('-q, --quiet', quiet)
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('--verbose', 'stack traces for internal errors')
    .addOption(new Option('--errors <style>', 'error format on stderr').choices(['text', 'json']).default('text'));
}

export function addModelOption(command: Command): Command {
  return command.option('-m, --model <file>', 'model file (default: $RFM_MODEL or ./rfm-model.json)');
}

export function addInputOptions(command: Command): Command {
  return command
    .addOption(new Option('--input-kind <kind>', 'what the input is').choices(['auto', 'transactions', 'rfm']).default('auto'))
    .option('--customer-col <name>', 'customer id column')
    .option('--invoice-col <name>', 'invoice column (frequency = distinct invoices)')
    .option('--date-col <name>', 'date column')
    .option('--quantity-col <name>', 'quantity column')
    .option('--price-col <name>', 'unit price column')
    .option('--amount-col <name>', 'line amount column (used instead of quantity × price)')
    .addOption(
      new Option('--date-format <order>', 'order of slashed dates like 01/02/2011 (default: inferred from the column; ymd accepts year-first dates only)').choices([
        'mdy',
        'dmy',
        'ymd',
      ]),
    )
    .addOption(new Option('--decimal <mark>', 'decimal mark of number columns (default: inferred per column)').choices([',', '.']))
    .option('--sheet <name>', 'worksheet of an .xlsx input (default: the first)')
    .option('--as-of <date>', 'as-of date for recency (default: latest purchase + 1 day); later rows are left out')
    .option('--keep-cancelled', 'keep cancellations (invoice starting with C)')
    .option('--keep-nonpositive-quantity', 'keep rows with quantity <= 0')
    .option('--keep-nonpositive-price', 'keep rows with price (or amount) <= 0')
    .option('--keep-status', 'keep rows whose status says the sale did not stand (cancelled, refunded, failed, …) and orders with a Cancelled at')
    .option('--keep-refunds', "do not subtract a refunded amount (Stripe's Amount Refunded)")
    .option('--dedupe', 'drop exact duplicate lines (off by default, like the original pipeline)')
    .option('--strict', 'refuse (exit 4) instead of warning when a rule drops > 20 % of the rows or a value does not parse')
    .option('--no-header', 'the input has no header line: name its columns with --columns')
    .option('--columns <names>', 'with --no-header: one name per column, e.g. id,_,date,quantity,amount (_ skips a column)');
}

/**
 * --engine: `duckdb` reads, cleans and aggregates a log in an embedded DuckDB (io/duckdb-customers.ts):
 * CSV, .csv.gz and Parquet files, larger than memory too. Only the commands that read customers.
 */
export function addEngineOption(command: Command): Command {
  return command.addOption(
    new Option('--engine <engine>', 'default: the streaming reader; duckdb: an embedded DuckDB (files only; needed for Parquet, spills to disk past $RFM_DUCKDB_MEMORY, default 1GB)')
      .choices(['default', 'duckdb'])
      .default('default'),
  );
}

export interface RawInputOptions {
  inputKind: InputKind;
  /** --engine (commands with addEngineOption). */
  engine?: 'default' | 'duckdb';
  customerCol?: string;
  invoiceCol?: string;
  dateCol?: string;
  quantityCol?: string;
  priceCol?: string;
  amountCol?: string;
  dateFormat?: DateOrder;
  decimal?: DecimalMark;
  sheet?: string;
  asOf?: string;
  keepCancelled?: boolean;
  keepNonpositiveQuantity?: boolean;
  keepNonpositivePrice?: boolean;
  keepStatus?: boolean;
  keepRefunds?: boolean;
  dedupe?: boolean;
  strict?: boolean;
  /** false with --no-header. */
  header?: boolean;
  columns?: string;
}

/** A date flag (--as-of, --from, --diff-from …): YYYY-MM-DD is midnight UTC; undefined when not given. */
export function parseDateOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseTimestamp(text, 'ymd');
  if (Number.isNaN(ms)) throw usageError(`${flag} "${text}" is not a date`, 'use YYYY-MM-DD (midnight UTC) or an ISO timestamp');
  return ms;
}

export const parseAsOf = (text: string | undefined): number | undefined => parseDateOption(text, '--as-of');

export function columnOverrides(o: RawInputOptions): ColumnOverrides {
  const flags: ColumnOverrides = {
    customer: o.customerCol,
    invoice: o.invoiceCol,
    date: o.dateCol,
    quantity: o.quantityCol,
    price: o.priceCol,
    amount: o.amountCol,
  };
  const headerless = headerlessNames(o);
  if (headerless === undefined) return flags;
  // --<role>-col flags win over the roles --columns gave.
  const merged: ColumnOverrides = { ...headerless.overrides };
  for (const [role, name] of Object.entries(flags) as [keyof ColumnOverrides, string | undefined][]) if (name !== undefined) merged[role] = name;
  return merged;
}

/** --no-header --columns NAMES, checked together; undefined for a file with a header. */
export function headerlessNames(o: RawInputOptions): ReturnType<typeof headerlessColumns> | undefined {
  if (o.header !== false) {
    if (o.columns !== undefined) throw usageError('--columns names the columns of a file without a header', 'add --no-header (or drop --columns)');
    return undefined;
  }
  if (o.columns === undefined) {
    throw usageError('--no-header needs --columns to say what each column is', 'e.g. --no-header --columns id,_,date,quantity,amount (_ skips a column)');
  }
  return headerlessColumns(o.columns);
}

export function cleaningOptions(o: RawInputOptions): CleaningOptions {
  return {
    ...DEFAULT_CLEANING,
    keepCancelled: o.keepCancelled === true,
    keepNonpositiveQuantity: o.keepNonpositiveQuantity === true,
    keepNonpositivePrice: o.keepNonpositivePrice === true,
    keepStatus: o.keepStatus === true,
    keepRefunds: o.keepRefunds === true,
    dedupe: o.dedupe === true,
  };
}

export function loadOptions(o: RawInputOptions, onProgress?: (rows: number) => void): LoadOptions {
  return {
    columns: columnOverrides(o),
    dateOrder: o.dateFormat,
    decimal: o.decimal,
    cleaning: cleaningOptions(o),
    asOf: parseAsOf(o.asOf),
    inputKind: o.inputKind,
    sheet: o.sheet,
    names: headerlessNames(o)?.names,
    onProgress,
  };
}

export type { CommonOptions };

/**
 * An integer option's value, in decimal digits only: `Number()` would also take `1e1`, `0x4`,
 * `0b11`, `4.0`, ` 4` and `+4`, so a typo could quietly become another number.
 */
export function parseInteger(text: string, flag: string, min: number): number {
  if (!/^[0-9]+$/.test(text)) {
    throw usageError(`${flag} "${text}" is not a whole number in decimal digits`, `write it with the digits 0-9 only, e.g. ${flag} ${Math.max(min, 10)}`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw usageError(`${flag} "${text}" must be an integer >= ${min}`);
  return value;
}

/** The largest -k and --k-max allowed without --allow-large-k. */
export const LARGE_K = 50;

/** Refuses a -k or --k-max above LARGE_K unless --allow-large-k says it is meant. */
export function checkLargeK(flag: '-k' | '--k-max', k: number, allowed: boolean | undefined): void {
  if (k <= LARGE_K || allowed === true) return;
  if (flag === '--k-max') {
    throw usageError(
      `--k-max ${k} is above ${LARGE_K}: each k costs a full k-means run, so a large k-max can take hours`,
      `use --k-max ${LARGE_K} or less, or add --allow-large-k if you mean it`,
    );
  }
  throw usageError(
    `-k ${k} is above ${LARGE_K}: every k-means iteration costs k distances per customer, and more than ${LARGE_K} segments are rarely usable`,
    `choose -k ${LARGE_K} or less (rfm elbow suggests one), or add --allow-large-k if you mean it`,
  );
}
