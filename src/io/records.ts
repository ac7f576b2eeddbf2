/**
 * Machine formats for rows of records: CSV (RFC 4180 quoting), TSV (the same with a tab: a field
 * holding a tab, a quote or a line break is quoted, as Python's csv module and pandas write it),
 * JSON (one array) and NDJSON (one object a line). Numbers are written at full precision; rounding is for the human table only.
 * Writes go out in blocks so that a million rows are not one giant string.
 */
import type { Sink } from './output.js';

export type Cell = string | number | null;
export type MachineFormat = 'csv' | 'tsv' | 'json' | 'ndjson';
/** The delimited-text formats, one line a record. */
export type DelimitedFormat = 'csv' | 'tsv';

export interface Column<T> {
  header: string;
  value: (row: T) => Cell;
  /** How the human table renders it. */
  kind?: 'text' | 'int' | 'number' | 'money';
  /**
   * Optional: a whole number such that rows with the same key >= 0 have the same value (customers
   * of one group, say); the delimited formats then format the value once per key. A negative key:
   * this row's value is its own.
   */
  key?: (row: T) => number;
}

export function csvField(value: Cell): string {
  if (value === null) return '';
  // A number's text never holds a comma, a quote or a line break.
  if (typeof value === 'number') return numberText(value);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Shortest round-trip decimal form; non-finite numbers (never expected) become empty. */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value)) return String(value);
  // Amounts in whole cents (most money) skip the general shortest-digits search, with the same
  // text: when cents/100 gives back the double, the decimal cents/100 (at most 15 digits) is the
  // only decimal of 15 digits or fewer that does, so it is the shortest, and String() prints it.
  const cents = Math.round(value * 100);
  if (cents / 100 === value && Math.abs(cents) < 1e15) {
    const sign = cents < 0 ? '-' : '';
    const abs = Math.abs(cents);
    const units = Math.floor(abs / 100);
    const fraction = abs - units * 100;
    return fraction % 10 === 0 ? `${sign}${units}.${fraction / 10}` : `${sign}${units}.${fraction < 10 ? '0' : ''}${fraction}`;
  }
  return String(value);
}

export function tsvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return numberText(value);
  return /["\t\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The field writer and separator of a delimited format. */
export function delimited(format: DelimitedFormat): { field: (value: Cell) => string; separator: string } {
  return format === 'tsv' ? { field: tsvField, separator: '\t' } : { field: csvField, separator: ',' };
}

export function csvLine(values: readonly Cell[]): string {
  return values.map(csvField).join(',') + '\n';
}

export function delimitedLine(format: DelimitedFormat, values: readonly Cell[]): string {
  if (format === 'csv') return csvLine(values);
  return values.map(tsvField).join('\t') + '\n';
}

/** Rows per write: a million rows are not one giant string, and a signal is seen between writes. */
const BLOCK = 2000;

export interface WriteOptions {
  /** Write CSV's or TSV's header line (default true); false for the rows that follow others. */
  header?: boolean;
}

export async function writeRecords<T>(sink: Sink, format: MachineFormat, columns: readonly Column<T>[], rows: Iterable<T>, options: WriteOptions = {}): Promise<void> {
  if (format === 'csv' || format === 'tsv') return writeDelimited(sink, format, columns, rows, options.header !== false);
  const headers = columns.map((c) => c.header);
  let block: string[] = [];
  const flush = async () => {
    if (block.length > 0) await sink.write(block.join(''));
    block = [];
  };
  if (format === 'json') block.push('[');
  let first = true;
  for (const row of rows) {
    const values = columns.map((c) => c.value(row));
    const object: Record<string, Cell> = {};
    headers.forEach((h, i) => (object[h] = typeof values[i] === 'number' && !Number.isFinite(values[i]) ? null : values[i]));
    const json = JSON.stringify(object);
    block.push(format === 'ndjson' ? json + '\n' : (first ? '\n' : ',\n') + json);
    first = false;
    if (block.length >= BLOCK) await flush();
  }
  if (format === 'json') block.push(first ? ']\n' : '\n]\n');
  await flush();
}

/**
 * CSV or TSV, the same text as delimitedLine per row, built as one string per block (no array of
 * values or fields per row). Adjacent columns with the same key function form one run whose text
 * (fields and separators) is made once per key: with a million rows in a hundred thousand groups,
 * a row takes one lookup per run instead of formatting every number.
 */
async function writeDelimited<T>(sink: Sink, format: DelimitedFormat, columns: readonly Column<T>[], rows: Iterable<T>, header: boolean): Promise<void> {
  const { field, separator } = delimited(format);
  interface Run {
    key: ((row: T) => number) | undefined;
    values: ((row: T) => Cell)[];
    cache: (string | undefined)[];
  }
  const runs: Run[] = [];
  for (const column of columns) {
    const last = runs[runs.length - 1];
    if (last !== undefined && column.key !== undefined && column.key === last.key) last.values.push(column.value);
    else runs.push({ key: column.key, values: [column.value], cache: [] });
  }
  const text = (run: Run, row: T): string => {
    let out = field(run.values[0](row));
    for (let c = 1; c < run.values.length; c++) out += separator + field(run.values[c](row));
    return out;
  };
  let block = header ? delimitedLine(format, columns.map((c) => c.header)) : '';
  let count = 0;
  for (const row of rows) {
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r];
      const key = run.key === undefined ? -1 : run.key(row);
      let cell: string;
      if (key >= 0) {
        const cache = run.cache;
        // Grown densely: an array written at scattered indices turns into a slow dictionary.
        while (cache.length <= key) cache.push(undefined);
        const known = cache[key];
        cell = known === undefined ? (cache[key] = text(run, row)) : known;
      } else {
        cell = text(run, row);
      }
      block += r === 0 ? cell : separator + cell;
    }
    block += '\n';
    if (++count === BLOCK) {
      await sink.write(block);
      block = '';
      count = 0;
    }
  }
  if (block.length > 0) await sink.write(block);
}
