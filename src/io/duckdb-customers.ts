/**
 * `--engine duckdb`: the read, the cleaning rules and the RFM aggregation of a transaction log
 * run in an embedded DuckDB (duckdb.ts), from CSV, .csv.gz or Parquet, with the default engine's
 * results. What decides how the file is read stays the default engine's own code: the header and
 * its delimiter (table.ts), the columns (columns.ts), the forced or known date order and decimal
 * marks (value-layouts.ts), and every value SQL does not read itself (duckdb-values.ts `other`).
 * Where the two engines could read a file differently, this refuses with the reason and the way
 * out (drop --engine duckdb) instead.
 *
 * One pass over the file (numbered rows: row_number() in file order for CSV, Parquet's own row
 * numbers), into groups of rows with the same customer, invoice and date values as read, the
 * same number classes and the same number rule, each with its row count, first row number and
 * exact line-value sum: about one group per invoice, whatever the rows. No table of rows is kept.
 * Every later query reads the groups, joined with their distinct dates (classified once each):
 * the counts of each class (to decide the date order and the decimal marks from the whole
 * column, as value-layouts.ts does), the first row a decision or a warning names (the lowest
 * first row of its groups, whose values are read again by number: a scan that stops there), and
 * the rules and the aggregation. A number column the counts give another decimal mark than the
 * pass assumed is read again (a second pass). Beyond DuckDB's memory limit, it spills to its
 * temp directory.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Utf8Tracker } from './encoding.js';
import { RULE_ORDER, emptyDropCounts, type CleaningReport, type DropRule, type ParsedRow } from '../core/clean.js';
import { dataError, inputError, usageError } from '../core/errors.js';
import { DAY_MS, roundMonetary, type RfmCustomer, type RfmRow } from '../core/rfm.js';
import { detectColumns, detectRfmColumns, isRfmHeader, type ColumnMapping } from './columns.js';
import type { LoadedCustomers, LoadOptions } from './customers.js';
import { dropWarnings, firstBadColumn, type FirstBad } from './drop-warnings.js';
import {
  DuckSession,
  csvColumn,
  readCsvSql,
  readError,
  readParquetSql,
  sqlIdentifier,
  sqlString,
  withDuckdb,
  isParquetFile,
  type DuckSettings,
} from './duckdb.js';
import {
  VALUE_MACROS,
  customerIdSql,
  dateClassSql,
  dateFieldsSql,
  dateMsFromMdySql,
  datePartsSql,
  jsTrimSql,
  numberClassSql,
  numberValueSql,
  orderEvidenceSql,
  plainNumberClassSql,
  rawNumberClassSql,
  rawNumberValueSql,
} from './duckdb-values.js';
import { needsRowPath } from './export-layouts.js';
import { NUMBER_ROLES, checkOthers, decide, lineOf, otherValues, refusal, type ClassCount, type ColumnType, type Decisions, type NumberRole, type Relation } from './duckdb-decide.js';
import { dialect } from '../core/sql/dialects.js';
import { isCancellationSql, isMissingCustomerSql, isNonpositivePriceSql, isNonpositiveQuantitySql } from '../core/sql/rules.js';
import { readTable, type Delimiter } from './table.js';
import { nothingKeptError } from './transactions.js';

/** 2^80 and 2^126, as text DuckDB reads into exact doubles. */
const SCALE = (2n ** 80n).toString();
const LIMIT = (2n ** 126n).toString();


/** What the default engine's reader decides from the first line of a text file. */
interface TextHeader {
  fields: string[];
  delimiter: Delimiter | 'xlsx';
}

const STOP = Symbol('header read');

/** Bytes read for the header line (and the magic numbers). */
const HEAD_BYTES = 1 << 20;

async function readTextHeader(path: string): Promise<{ header: TextHeader; gzip: boolean }> {
  const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw inputError(error.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${error.message}`, { file: path, hint: 'check the path' });
  });
  const magic = Buffer.alloc(4);
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  // The first bytes (decompressed), read apart from DuckDB's own read of the file.
  const raw = createReadStream(path, { highWaterMark: 1 << 16 });
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= HEAD_BYTES) break;
    }
  } catch (error) {
    throw inputError(`cannot read ${path}: ${(error as Error).message}`, { file: path, hint: gzip ? 'check that the download is complete' : 'check the file' });
  } finally {
    raw.destroy();
    stream.destroy();
  }
  const head = Buffer.concat(chunks);
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) throw refusal(path, 'it is an .xlsx workbook, which DuckDB does not read here');
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || head.subarray(0, 4096).includes(0)) {
    throw refusal(path, 'it is UTF-16 text (or holds NUL bytes)');
  }
  // The default engine's reader decides the header and its delimiter from these bytes.
  let header: TextHeader | undefined;
  try {
    await readTable({ name: path, kind: 'text', bytes: Readable.from([head]) }, {
      header(fields, delimiter) {
        header = { fields, delimiter };
        throw STOP;
      },
      rows: () => undefined,
    });
  } catch (error) {
    if (error !== STOP) throw error;
  }
  return { header: header!, gzip };
}

/**
 * The encoding the default engine reads the file in (encoding.ts): UTF-8, or latin1 from the first
 * byte when it is not valid UTF-8 anywhere. Decided here, by one pass over the (decompressed)
 * bytes, because DuckDB's reader fails on the first invalid byte instead; UTF-16 is refused.
 */
async function textEncoding(path: string, gzip: boolean): Promise<'utf-8' | 'latin1'> {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const bytes = gzip ? raw.pipe(createGunzip()) : raw;
  const tracker = new Utf8Tracker();
  try {
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      if (isAscii(chunk) && tracker.end()) continue;
      if (!tracker.accept(chunk)) return 'latin1';
    }
    return tracker.end() ? 'utf-8' : 'latin1';
  } finally {
    raw.destroy();
  }
}

function parquetType(duckType: string): ColumnType {
  const t = duckType.toUpperCase();
  if (t === 'VARCHAR' || t.startsWith('VARCHAR')) return 'text';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)/.test(t)) return 'number';
  return 'text';
}

async function parquetRelation(db: DuckSession, path: string): Promise<Relation> {
  const from = readParquetSql(path);
  let described: Record<string, unknown>[];
  try {
    described = await db.rows(`DESCRIBE SELECT * FROM ${from}`);
  } catch (error) {
    throw readError(error, path);
  }
  const header = described.map((r) => String(r.column_name));
  const types = described.map((r) => parquetType(String(r.column_type)));
  // The reader's own row numbers: exact whatever the threads do.
  const numbered = (columns: string) => `(SELECT file_row_number + 1 AS rn, ${columns} FROM read_parquet(${sqlString(path)}, file_row_number = true))`;
  return { from, header, column: (i) => sqlIdentifier(header[i]), type: (i) => types[i], delimiter: 'parquet', encoding: 'utf-8', numbered, inFileOrder: false };
}

/** A role's text for the value expressions: a text column trimmed as JavaScript trims, a typed one as text. */
const textOf = (r: Relation, i: number) => (r.type(i) === 'text' ? jsTrimSql(r.column(i)) : `CAST(${r.column(i)} AS VARCHAR)`);

/** The customer id of a customer column's value (normalizeCustomerId). */
const customerOf = (r: Relation, i: number, e: string) => customerIdSql(jsTrimSql(r.type(i) === 'text' ? e : `CAST(${e} AS VARCHAR)`));

/** The invoice text of an invoice column's value (untrimmed, as the default engine compares it). */
const invoiceOf = (r: Relation, i: number, e: string) => (i < 0 ? "''" : r.type(i) === 'text' ? `coalesce(${e}, '')` : `coalesce(CAST(${e} AS VARCHAR), '')`);

/**
 * Each row's texts, classes and date parts, for the few rows a decision or a warning names (read
 * again from the file by their row numbers): the default engine's reading of one row, in SQL.
 */
function classedSql(r: Relation, m: ColumnMapping): string {
  const c = m.columns;
  const select = ['rn', `${customerIdSql('customer_text')} AS customer_id`, `${invoiceOf(r, c.invoice, r.column(c.invoice))} AS invoice`];
  const dateType = r.type(c.date);
  select.push(`${dateType === 'text' ? jsTrimSql(r.column(c.date)) : `CAST(${r.column(c.date)} AS VARCHAR)`} AS date_text`);
  if (dateType === 'date') select.push(`CAST(epoch_ms(CAST(${r.column(c.date)} AS TIMESTAMP)) AS DOUBLE) AS date_typed`);
  else if (dateType === 'timestamp') select.push(`CAST(epoch_ms(${r.column(c.date)}) AS DOUBLE) AS date_typed`);
  for (const role of NUMBER_ROLES) {
    const i = c[role];
    if (i < 0) continue;
    if (r.type(i) === 'number') select.push(`CAST(${r.column(i)} AS VARCHAR) AS ${role}_text, ${typedNumberSql(r.column(i))} AS ${role}_typed`);
    else select.push(`${textOf(r, i)} AS ${role}_text`);
  }
  const classes = [dateType === 'text' ? `${dateClassSql('date_text')} AS date_class` : `(CASE WHEN date_typed IS NULL THEN 'empty' ELSE 'typed' END) AS date_class`];
  for (const role of NUMBER_ROLES) {
    const i = c[role];
    if (i < 0) continue;
    classes.push(r.type(i) === 'number' ? `(CASE WHEN ${role}_typed IS NULL THEN 'empty' ELSE 'typed' END) AS ${role}_class` : `${numberClassSql(`${role}_text`)} AS ${role}_class`);
  }
  const parts = dateType === 'text' ? `, ${dateFieldsSql('date_text')}` : '';
  const customerText = r.type(c.customer) === 'text' ? jsTrimSql(r.column(c.customer)) : jsTrimSql(`CAST(${r.column(c.customer)} AS VARCHAR)`);
  return (
    `source AS (SELECT ${customerText} AS customer_text, * FROM ${r.from}),\n` +
    `raw AS (SELECT ${select.join(', ')} FROM source),\n` +
    `parts AS (SELECT *${parts} FROM raw),\n` +
    `classed AS (SELECT *, ${classes.join(', ')} FROM parts)` +
    (dateType === 'text' ? `,\nkept AS (SELECT * EXCLUDE (iso_parts, ymd8, dm_parts), ${datePartsSql('date_class', 'mdy')} FROM classed)` : ',\nkept AS (SELECT * FROM classed)')
  );
}

/** A typed number as the tool's double: NULL unless finite. */
const typedNumberSql = (e: string) => `(CASE WHEN isfinite(CAST(${e} AS DOUBLE)) THEN CAST(${e} AS DOUBLE) END)`;

/**
 * The rule among the number rules (in RULE_ORDER) that drops a row whose customer, invoice and
 * date pass; NULL when none does. The conditions are the SQL twins of the rules (core/sql/rules.ts).
 */
function numberRuleSql(m: ColumnMapping, options: LoadOptions): string {
  const c = m.columns;
  const o = options.cleaning;
  const hasAmount = c.amount >= 0;
  const whens = [hasAmount ? `WHEN amount IS NULL THEN 'invalid_number'` : `WHEN quantity IS NULL OR price IS NULL THEN 'invalid_number'`];
  if (c.quantity >= 0 && !o.keepNonpositiveQuantity) {
    whens.push(`WHEN quantity IS NULL THEN 'invalid_number'`, `WHEN ${isNonpositiveQuantitySql('quantity')} THEN 'nonpositive_quantity'`);
  }
  // (keepZeroPrice: a line of value 0 is a purchase for lifetime value, as clean.ts dropRule keeps it.)
  if (!o.keepNonpositivePrice) whens.push(`WHEN ${o.keepZeroPrice === true ? `${hasAmount ? 'amount' : 'price'} < 0` : isNonpositivePriceSql(hasAmount ? 'amount' : 'price')} THEN 'nonpositive_price'`);
  return `(CASE ${whens.join(' ')} END)`;
}

/**
 * The rule (in RULE_ORDER) that drops the rows of a group, as clean.ts dropRule; NULL when they
 * are kept. The customer, invoice and date are the group's own; the number rule was decided per row
 * (`nrule`, a grouping key); each drop is counted under its first rule, as the default engine does.
 */
function ruleSql(m: ColumnMapping, options: LoadOptions): string {
  const d = dialect('duckdb');
  const whens = [`WHEN ${isMissingCustomerSql('customer_id')} THEN 'missing_customer'`];
  // (Only an invoice starting with C or whitespace can be one: the regex is skipped for the others.)
  if (!options.cleaning.keepCancelled) whens.push(`WHEN (left(invoice, 1) = 'C' OR ascii(invoice) <= 32) AND ${isCancellationSql(d, 'invoice')} THEN 'cancelled'`);
  // invalid_date: a value the column's layout does not read is NULL.
  whens.push(`WHEN ms IS NULL THEN 'invalid_date'`, `WHEN nrule IS NOT NULL THEN nrule`);
  if (options.asOf !== undefined && options.asOfFromModel !== true) whens.push(`WHEN ms > ${Math.trunc(options.asOf)} THEN 'after_as_of'`);
  return `(CASE ${whens.join(' ')} END)`;
}

/** A row's instant from its date parts (kept month first) in the decided order, or its typed value. */
const msSql = (r: Relation, m: ColumnMapping, d: Decisions) => (r.type(m.columns.date) === 'text' ? dateMsFromMdySql('date_class', d.order) : 'date_typed');

/** The numbers of the rows classedSql reads, under the decided marks. */
function typedSql(r: Relation, m: ColumnMapping, d: Decisions): string {
  const c = m.columns;
  const select = ['rn', 'customer_id', 'invoice', 'date_text', `${msSql(r, m, d)} AS ms`];
  for (const role of NUMBER_ROLES) {
    const i = c[role];
    if (i < 0) continue;
    select.push(`${role}_text`, r.type(i) === 'number' ? `${role}_typed AS ${role}` : `${numberValueSql(`${role}_text`, `${role}_class`, d.marks[role]!)} AS ${role}`);
  }
  return `typed AS (SELECT ${select.join(', ')} FROM kept)`;
}

/**
 * The one pass over the file. Its rows are grouped by their customer, invoice and date values (as
 * read, not yet trimmed or parsed), the classes of their numbers and their number rule, with the
 * count, the first row number and the exact line-value sum of each group: the rows come and go,
 * the groups (about one per invoice) stay. Everything read per value (the customer id, the date,
 * the invoice's cancellation) is read later once per group, or once per distinct date.
 * A text number is read under `marks`, which the caller may have to correct and run again.
 */
function groupsSql(r: Relation, m: ColumnMapping, marks: Decisions['marks'], options: LoadOptions): string {
  const c = m.columns;
  const plain: string[] = [];
  const classes: string[] = [];
  const values: string[] = [];
  const keys = ['cu', 'inv', 'd'];
  for (const role of NUMBER_ROLES) {
    const i = c[role];
    if (i < 0) continue;
    const raw = `f${i}`;
    if (r.type(i) === 'number') {
      // A typed column has no layout to decide: no class kept (classedGroupsSql says 'typed').
      classes.push(`${typedNumberSql(raw)} AS ${role}`);
      continue;
    }
    plain.push(`${plainNumberClassSql(raw)} AS ${role}_plain`);
    classes.push(`${rawNumberClassSql(raw, `${role}_plain`)} AS ${role}_class`);
    values.push(`${rawNumberValueSql(raw, `${role}_plain`, `${role}_class`, marks[role]!)} AS ${role}`, `(CASE WHEN ${role}_class = 'other' THEN ${jsTrimSql(raw)} END) AS ${role}_other`);
    keys.push(`${role}_class`, `${role}_other`);
  }
  keys.push('nrule');
  const value = c.amount >= 0 ? 'amount' : 'quantity * price';
  // (Each column under a name of the program's, f<i>: a Parquet column may be called "price".)
  const source = r.numbered(usedColumns(m).map((i) => `${r.column(i)} AS f${i}`).join(', '));
  const own = [`f${c.customer} AS cu`, `${c.invoice < 0 ? "''" : `f${c.invoice}`} AS inv`, `f${c.date} AS d`, ...plain];
  return (
    `WITH s0 AS (SELECT * FROM ${source}),\n` +
    `s1 AS (SELECT *, ${own.join(', ')} FROM s0),\n` +
    `s2 AS (SELECT *, ${classes.join(', ')} FROM s1),\n` +
    `s3 AS (SELECT *${values.map((v) => `, ${v}`).join('')} FROM s2),\n` +
    `s4 AS (SELECT *, ${numberRuleSql(m, options)} AS nrule FROM s3),\n` +
    // Monetary is summed exactly: each line value (a double) times 2^80 is an integer (for values
    // from 2^-28 to 2^46 at least), summed as HUGEINT in any order, and rounded once to a double in
    // JavaScript, which is the sum the default engine's compensated sum gives. Values outside that
    // range are counted (`inexact`), and refused if kept.
    `s5 AS (SELECT *, (CASE WHEN nrule IS NULL THEN ${value} * CAST('${SCALE}' AS DOUBLE) END) AS scaled FROM s4)\n` +
    `SELECT ${keys.join(', ')}, count(*) AS n, min(rn) AS rn, ` +
    `sum(CASE WHEN abs(scaled) < CAST('${LIMIT}' AS DOUBLE) THEN CAST(scaled AS HUGEINT) END) AS monetary, ` +
    `count(*) FILTER (WHERE scaled <> floor(scaled) OR abs(scaled) >= CAST('${LIMIT}' AS DOUBLE)) AS inexact FROM s5 GROUP BY ${keys.join(', ')}`
  );
}

/** The distinct dates of the groups, classified once each (parts kept month first, as classedSql). */
function datesSql(r: Relation, m: ColumnMapping): string {
  const type = r.type(m.columns.date);
  const distinct = 'distinct_dates AS (SELECT DISTINCT d FROM rfm_groups)';
  if (type !== 'text') {
    const ms = type === 'date' ? 'CAST(epoch_ms(CAST(d AS TIMESTAMP)) AS DOUBLE)' : 'CAST(epoch_ms(d) AS DOUBLE)';
    return `WITH ${distinct} SELECT d, CAST(d AS VARCHAR) AS date_text, ${ms} AS date_typed, (CASE WHEN ${ms} IS NULL THEN 'empty' ELSE 'typed' END) AS date_class, NULL::VARCHAR AS evidence FROM distinct_dates`;
  }
  return (
    `WITH ${distinct},\ntrimmed AS (SELECT d, ${jsTrimSql('d')} AS date_text FROM distinct_dates),\n` +
    `parts AS (SELECT *, ${dateFieldsSql('date_text')} FROM trimmed),\n` +
    `classed AS (SELECT *, ${dateClassSql('date_text')} AS date_class FROM parts),\n` +
    `evidenced AS (SELECT *, ${orderEvidenceSql('date_class')} AS evidence FROM classed)\n` +
    `SELECT * EXCLUDE (iso_parts, ymd8, dm_parts), ${datePartsSql('date_class', 'mdy')} FROM evidenced`
  );
}

/** The grouped file: the groups (rfm_groups) and their distinct dates (rfm_dates), two temp tables. */
async function groupFile(db: DuckSession, r: Relation, m: ColumnMapping, marks: Decisions['marks'], options: LoadOptions): Promise<void> {
  const pass = () => db.run(`CREATE OR REPLACE TEMP TABLE rfm_groups AS ${groupsSql(r, m, marks, options)}`);
  await (r.inFileOrder ? db.inFileOrder(pass) : pass());
  await db.run(`CREATE OR REPLACE TEMP TABLE rfm_dates AS ${datesSql(r, m)}`);
}

/**
 * `classed`: one row per group with its customer id, invoice text, date class, evidence and parts,
 * number classes, number rule, count, first row (`rn`) and line-value sum. A join each query makes
 * again (cheap: one row per invoice or so), rather than a third table as large as the groups.
 */
function classedGroupsSql(r: Relation, m: ColumnMapping): string {
  const c = m.columns;
  const typed = NUMBER_ROLES.filter((x) => c[x] >= 0 && r.type(c[x]) === 'number').map((x) => `'typed' AS ${x}_class, NULL::VARCHAR AS ${x}_other, `);
  return (
    `classed AS (SELECT g.* EXCLUDE (cu, inv, d), ${typed.join('')}${customerOf(r, c.customer, 'g.cu')} AS customer_id, ${invoiceOf(r, c.invoice, 'g.inv')} AS invoice, dt.* EXCLUDE (d) ` +
    `FROM rfm_groups g JOIN rfm_dates dt ON g.d IS NOT DISTINCT FROM dt.d)`
  );
}

/** The mark a text number column is read with before the counts decide it: the known one, or the likely one. */
function likelyMarks(r: Relation, m: ColumnMapping, options: LoadOptions): Decisions['marks'] {
  const marks: Decisions['marks'] = {};
  for (const role of NUMBER_ROLES) {
    if (m.columns[role] < 0) continue;
    marks[role] = options.decimal ?? (r.delimiter === ';' ? ',' : '.');
  }
  return marks;
}

/** Classes whose value depends on the decimal mark. */
const MARKED = new Set(['point', 'point?', 'comma', 'comma?', 'point-grouped', 'comma-grouped']);

export interface DuckLoad {
  /** The file (a path: DuckDB reads files, not stdin). */
  path: string;
  settings: DuckSettings;
}

/**
 * Another aggregation of the same read (duckdb-btyd.ts): `declines` a file it leaves to the default
 * reader (the load then gives undefined); `aggregate` gets `lines`, CTEs (without WITH) ending in
 * `lines`: every row of the file with its place `rn`, customer_id, ms, line `value` and the `rule`
 * that drops it (NULL: kept), as the RFM aggregation sees them.
 */
export interface DuckAggregation<T> {
  declines(relation: Relation): boolean;
  aggregate(rows: { db: DuckSession; name: string; lines: string; mapping: ColumnMapping; decisions: Decisions; firstBad(report: CleaningReport): Promise<FirstBad> }): Promise<T>;
}

/**
 * Reads customers through DuckDB; undefined for a CSV RFM table (nothing to aggregate: the caller
 * reads it with the default engine, which gives the same rows by definition).
 */
export async function loadCustomersDuckdb(load: DuckLoad, options: LoadOptions): Promise<LoadedCustomers | undefined>;
export async function loadCustomersDuckdb<T>(load: DuckLoad, options: LoadOptions, other: DuckAggregation<T>): Promise<T | undefined>;
export async function loadCustomersDuckdb<T>(load: DuckLoad, options: LoadOptions, other?: DuckAggregation<T>): Promise<LoadedCustomers | T | undefined> {
  const name = load.path;
  if (options.names !== undefined) throw refusal(name, 'it has no header line (--no-header)');
  if (options.cleaning.dedupe) throw refusal(name, '--dedupe compares whole lines as the default reader splits them');
  const parquet = await isParquetFile(name);
  let text: { header: TextHeader; gzip: boolean } | undefined;
  if (!parquet) {
    text = await readTextHeader(name);
    if (text.header.delimiter === 'whitespace') throw refusal(name, 'its columns are separated by spaces (a CDNOW-style text file)');
    if (text.header.delimiter === 'xlsx') throw refusal(name, 'it is an .xlsx workbook');
  }
  return withDuckdb(load.settings, async (db) => {
    for (const macro of VALUE_MACROS) await db.run(macro);
    let relation: Relation;
    if (parquet) relation = await parquetRelation(db, name);
    else {
      const { header, gzip } = text!;
      const encoding = await textEncoding(name, gzip);
      const from = readCsvSql({ path: name, delimiter: header.delimiter as ',' | ';' | '\t', columnCount: header.fields.length, gzip, encoding: encoding === 'latin1' ? 'latin-1' : 'utf-8' });
      // Rows numbered as read, in file order (duckdb.ts inFileOrder runs these scans).
      const numbered = (columns: string) => `(SELECT row_number() OVER () AS rn, ${columns} FROM ${from})`;
      relation = { from, header: header.fields, column: (i) => sqlIdentifier(csvColumn(i)), type: () => 'text', delimiter: header.delimiter, encoding, numbered, inFileOrder: true };
    }
    try {
      return await aggregate(db, name, relation, options, other);
    } catch (error) {
      throw readError(error, name);
    }
  });
}

/**
 * Rows read again from the file by their numbers, through classedSql and typedSql (`decisions`
 * when given): a scan that stops at the last of them (in file order for a CSV file).
 */
async function fileRows(db: DuckSession, r: Relation, m: ColumnMapping, rows: number[], decisions?: Decisions): Promise<Map<number, Record<string, unknown>>> {
  const wanted = [...new Set(rows)].sort((a, b) => a - b);
  const found = new Map<number, Record<string, unknown>>();
  if (wanted.length === 0) return found;
  const used = usedColumns(m);
  const numbered = r.numbered(used.map((i) => `${r.column(i)} AS f${i}`).join(', '));
  // In file order, a LIMIT under the filter ends the scan at the last row wanted (one above it
  // would wait for rows the filter never passes).
  const head = r.inFileOrder ? `(SELECT * FROM ${numbered} LIMIT ${wanted[wanted.length - 1]})` : numbered;
  const picked = `picked AS (SELECT * FROM ${head} WHERE rn IN (${wanted.join(', ')}))`;
  const fields: Relation = { ...r, from: 'picked', column: (i) => `f${i}` };
  const select = decisions === undefined ? 'SELECT * FROM kept' : `${typedSql(fields, m, decisions)}\nSELECT * FROM typed`;
  const query = () => db.rows(`WITH ${picked},\n${classedSql(fields, m)}${decisions === undefined ? '\n' : ',\n'}${select}`);
  for (const row of await (r.inFileOrder ? db.inFileOrder(query) : query())) found.set(Number(row.rn), row);
  return found;
}

const usedColumns = (m: ColumnMapping) => [...new Set(Object.values(m.columns).filter((i) => typeof i === 'number' && i >= 0))].sort((a, b) => a - b);

async function aggregate<T>(db: DuckSession, name: string, r: Relation, options: LoadOptions, other?: DuckAggregation<T>): Promise<LoadedCustomers | T | undefined> {
  if (other?.declines(r) === true) return undefined;
  const kind = other !== undefined ? 'transactions' : options.inputKind === 'auto' ? (isRfmHeader(r.header) ? 'rfm' : 'transactions') : options.inputKind;
  if (kind === 'rfm') {
    if (r.delimiter !== 'parquet') return undefined;
    return rfmTable(db, name, r, options);
  }
  const m = detectColumns(r.header, options.columns, name);
  if (needsRowPath(m)) {
    const what = m.layout !== null ? `it is a ${m.layout}, whose status, refund or order-level columns` : 'its status column';
    throw refusal(name, `${what} are read row by row in file order`);
  }
  // One scan of the file, into groups (rfm_groups); every later query reads the groups, and the
  // few rows a decision or a warning names are read again by their numbers.
  let marks = likelyMarks(r, m, options);
  await groupFile(db, r, m, marks, options);
  const classed = classedGroupsSql(r, m);
  const roles = NUMBER_ROLES.filter((x) => m.columns[x] >= 0);
  const classRows = await db.rows(
    `WITH ${classed}\nSELECT customer_id <> '' AS has_customer, date_class, evidence${roles.map((x) => `, ${x}_class`).join('')}, CAST(sum(n) AS DOUBLE) AS n FROM classed GROUP BY ALL`,
  );
  const counts: ClassCount[] = classRows.map((row) => ({
    hasCustomer: row.has_customer === true,
    dateClass: String(row.date_class),
    evidence: row.evidence === null ? null : String(row.evidence),
    classes: Object.fromEntries(roles.map((x) => [x, String(row[`${x}_class`])])),
    n: Number(row.n),
  }));
  const others = await otherValues(db, classed, name, m, counts);
  checkOthers(name, r, m, options, others);
  const textAt = async (row: number, role: NumberRole) => String((await fileRows(db, r, m, [row])).get(row)?.[`${role}_text`] ?? '');
  const decisions = await decide(db, classed, name, r, m, options, counts, others, textAt);
  // The pass read a number column with another mark than the counts decide: read it again.
  const misread = roles.some((x) => r.type(m.columns[x]) === 'text' && decisions.marks[x] !== marks[x] && counts.some((k) => MARKED.has(k.classes[x] ?? '')));
  if (misread) {
    marks = decisions.marks;
    await groupFile(db, r, m, marks, options);
  }

  const byInvoice = m.columns.invoice >= 0;
  const key = byInvoice ? 'invoice' : `floor(ms / ${DAY_MS})`;
  const ruled = `${classed},\ntimed AS (SELECT *, ${msSql(r, m, decisions)} AS ms FROM classed),\nruled AS (SELECT *, ${ruleSql(m, options)} AS rule FROM timed)`;
  if (other !== undefined) {
    // Every row of the file, read as fileRows reads a few (classedSql, typedSql), with its rule:
    // the number rule, then the group rules on the row's own values.
    const used = usedColumns(m);
    const fields: Relation = { ...r, from: 'file_rows', column: (i) => `f${i}` };
    const value = m.columns.amount >= 0 ? 'amount' : 'quantity * price';
    const lines =
      `file_rows AS (SELECT * FROM ${r.numbered(used.map((i) => `${r.column(i)} AS f${i}`).join(', '))}),\n${classedSql(fields, m)},\n${typedSql(fields, m, decisions)},\n` +
      `number_ruled AS (SELECT *, ${numberRuleSql(m, options)} AS nrule FROM typed),\n` +
      `lines AS (SELECT rn, customer_id, ms, ${value} AS value, ${ruleSql(m, options)} AS rule FROM number_ruled)`;
    const firstBad = (report: CleaningReport) => firstBadValues(db, ruled, r, m, report, decisions);
    // Row numbers of a CSV file are its order only on one thread (duckdb.ts inFileOrder).
    const work = () => other.aggregate({ db, name, lines, mapping: m, decisions, firstBad });
    return r.inFileOrder ? db.inFileOrder(work) : work();
  }
  // One group per customer (or dropping rule, whose rows have no customer and whose times are not
  // read); the frequency counts the customer's distinct invoices (or days).
  const result = await db.columns(
    `WITH ${ruled}\n` +
      `SELECT rule, CASE WHEN rule IS NULL THEN customer_id END AS customer_id, CAST(sum(n) AS DOUBLE) AS n, min(ms) AS first_ms, max(ms) AS last_ms, ` +
      `CAST(count(DISTINCT CASE WHEN rule IS NULL THEN ${key} END) AS DOUBLE) AS frequency, CAST(sum(monetary) FILTER (WHERE rule IS NULL) AS HUGEINT) AS monetary, ` +
      `CAST(coalesce(sum(inexact) FILTER (WHERE rule IS NULL), 0) AS DOUBLE) AS inexact FROM ruled GROUP BY 1, 2`,
  );
  if ((result.inexact as number[]).some((x) => x > 0)) {
    throw refusal(name, 'some line values are too small (below 4e-9) or too large (above 7e13) to be summed exactly in SQL');
  }
  const dropped = emptyDropCounts();
  const ids: string[] = [];
  const rows: number[] = [];
  let rowsRead = 0;
  let latest = -Infinity;
  const n = result.n.length;
  for (let i = 0; i < n; i++) {
    const count = result.n[i] as number;
    rowsRead += count;
    const rule = result.rule[i] as DropRule | 'after_as_of' | null;
    if (rule !== null) {
      dropped[rule] = count;
      continue;
    }
    ids.push(result.customer_id[i] as string);
    rows.push(i);
    const last = result.last_ms[i] as number;
    if (last > latest) latest = last;
  }
  const report: CleaningReport = { source: name, rowsRead, rowsKept: rowsRead - Object.values(dropped).reduce((a, b) => a + b, 0), dropped };
  if (report.rowsKept + dropped.after_as_of === 0) throw nothingKeptError({ ...report, dropped: { ...dropped, after_as_of: 0 } });
  if (ids.length === 0) throw dataError(`every kept row of ${name} is after the as-of date`, { file: name, hint: 'choose a later --as-of' });

  // As-of as loadCustomers decides it (a model's as-of gives way to a newer log).
  const modelAsOf = options.asOfFromModel === true ? options.asOf : undefined;
  const newer = modelAsOf !== undefined && latest > modelAsOf;
  const asOf = (newer ? undefined : modelAsOf) ?? (options.asOfFromModel === true ? undefined : options.asOf) ?? latest + DAY_MS;
  // Code-unit order of the ids, as RfmAccumulator.finish (DuckDB sorts by bytes).
  const order = ids.map((_, i) => i).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  const customers: RfmCustomer[] = order.map((j) => {
    const i = rows[j];
    const last = result.last_ms[i] as number;
    return {
      customerId: ids[j],
      recency: Math.floor((asOf - last) / DAY_MS),
      frequency: result.frequency[i] as number,
      // The exact sum, then the tool's one definition of monetary (core/rfm.ts: 9 decimal places).
      monetary: roundMonetary(Number(result.monetary[i] as bigint) / 2 ** 80),
      firstPurchase: result.first_ms[i] as number,
      lastPurchase: last,
    };
  });
  const overflow = customers.find((x) => !Number.isFinite(x.monetary));
  if (overflow !== undefined) {
    throw dataError(`the monetary total of customer ${overflow.customerId.slice(0, 40)} in ${name} is too large to represent (beyond 1.8e308)`, {
      file: name,
      hint: 'check the quantity and price (or amount) columns: they hold values no sale has',
    });
  }
  const firstBad = await firstBadValues(db, ruled, r, m, report, decisions);
  await db.run('DROP TABLE rfm_groups');
  await db.run('DROP TABLE rfm_dates');
  return {
    kind: 'transactions',
    customers,
    asOf,
    report,
    layouts: decisions.layouts,
    newerThanModel: newer ? { latestPurchase: latest, modelAsOf: modelAsOf! } : undefined,
    columnsNotice: m.notice,
    warnings: dropWarnings(report, firstBad),
  };
}

/** The first dropped row of each rule a warning will name (drop-warnings.ts): its line, column and value. */
async function firstBadValues(db: DuckSession, ctes: string, r: Relation, m: ColumnMapping, report: CleaningReport, decisions: Decisions): Promise<FirstBad> {
  // Which rules warn does not depend on the row: ask dropWarnings with a placeholder for each.
  const placeholder: FirstBad = {};
  for (const rule of RULE_ORDER) if (report.dropped[rule] > 0) placeholder[rule] = { line: 0, column: 'x', value: 'x' };
  const rules = dropWarnings(report, placeholder).map((w) => w.rule);
  if (rules.length === 0) return {};
  const c = m.columns;
  // The first row of each rule is the lowest first row of its groups; its values are read again.
  const firsts = await db.rows(`WITH ${ctes}\nSELECT rule, min(rn) AS rn FROM ruled WHERE rule IN (${rules.map((x) => `'${x}'`).join(', ')}) GROUP BY rule`);
  const rowOf = new Map(firsts.map((f) => [String(f.rule), Number(f.rn)]));
  const values = await fileRows(db, r, m, [...rowOf.values()], decisions);
  const firstBad: FirstBad = {};
  for (const rule of rules) {
    const rn = rowOf.get(rule);
    const row = rn === undefined ? undefined : values.get(rn);
    if (rn === undefined || row === undefined) continue;
    const parsed: ParsedRow = {
      customerId: String(row.customer_id ?? ''),
      invoice: String(row.invoice ?? ''),
      time: NaN,
      quantity: row.quantity === null || row.quantity === undefined ? NaN : Number(row.quantity),
      price: row.price === null || row.price === undefined ? NaN : Number(row.price),
      amount: row.amount === null || row.amount === undefined ? NaN : Number(row.amount),
      hasQuantity: c.quantity >= 0,
      hasPrice: c.price >= 0,
      hasAmount: c.amount >= 0,
    };
    const column = firstBadColumn(rule, parsed, m);
    const textOfColumn = (i: number): string => {
      if (i === c.customer) return String(row.customer_id ?? '');
      if (i === c.invoice) return String(row.invoice ?? '');
      if (i === c.date) return String(row.date_text ?? '');
      for (const role of NUMBER_ROLES) if (i === c[role]) return String(row[`${role}_text`] ?? '');
      return '';
    };
    // A Parquet file has rows, not lines: its row number stands for the line.
    firstBad[rule] = { line: r.delimiter === 'parquet' ? rn : lineOf(rn), column: column < 0 ? '' : r.header[column], value: column < 0 ? '' : textOfColumn(column) };
  }
  return firstBad;
}

/** An RFM table in Parquet: its four columns, checked as parseRfmRows checks a CSV one. */
async function rfmTable(db: DuckSession, name: string, r: Relation, options: LoadOptions): Promise<LoadedCustomers> {
  if (options.asOf !== undefined && options.asOfFromModel !== true) {
    throw usageError(`--as-of applies to transaction logs, but ${name} is an RFM table`, 'drop --as-of, or give the transaction log');
  }
  const c = detectRfmColumns(r.header, options.columns, name);
  const id = customerIdSql(jsTrimSql(r.type(c.customer) === 'text' ? r.column(c.customer) : `CAST(${r.column(c.customer)} AS VARCHAR)`));
  const number = (i: number) => (r.type(i) === 'number' ? `CAST(${r.column(i)} AS DOUBLE)` : `TRY_CAST(${jsTrimSql(r.column(i))} AS DOUBLE)`);
  // Streamed a chunk at a time into the rows (no column arrays of the whole table beside them), in
  // file order, so that an error names the row the default reader would name.
  const customers: RfmRow[] = [];
  const metrics = [['recency', c.recency], ['frequency', c.frequency], ['monetary', c.monetary]] as const;
  const check = (metric: string, index: number, v: unknown, row: number) => {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw dataError(`${metric} of row ${row} of ${name} is not a number >= 0`, {
        file: name,
        column: index + 1,
        hint: 'an RFM table holds plain numbers: recency in days, frequency as a count, monetary as an amount',
      });
    }
    return v;
  };
  const sql = `SELECT ${id} AS customer_id, ${metrics.map(([metric, i]) => `${number(i)} AS ${metric}`).join(', ')} FROM ${r.from}`;
  await db.inFileOrder(
    () =>
      db.eachChunk(sql, ([ids, recency, frequency, monetary], rows) => {
        for (let i = 0; i < rows; i++) {
          const row = customers.length + 1;
          customers.push({
            customerId: String(ids[i]),
            recency: check('recency', c.recency, recency[i], row),
            frequency: check('frequency', c.frequency, frequency[i], row),
            monetary: check('monetary', c.monetary, monetary[i], row),
          });
        }
      }),
    true,
  );
  if (customers.length === 0) throw dataError(`${name} has a header but no customers`, { file: name, hint: 'give an RFM table with at least one row' });
  customers.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  return { kind: 'rfm', customers, asOf: null, report: null, layouts: null, warnings: [] };
}
