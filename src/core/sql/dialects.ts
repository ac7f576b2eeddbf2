/**
 * Every difference between the SQL dialects `rfm sql` writes for, in one place: identifier and
 * string quoting, casts, epoch milliseconds of a timestamp, regular expressions, log1p, text order.
 * The queries (rfm-query.ts, btyd-query.ts, segment-query.ts) are written once against this
 * interface. They use only what all six dialects share besides: CTEs, GROUP BY, COUNT(DISTINCT),
 * CASE, LEAST, CONCAT, FLOOR and ROW_NUMBER() / COUNT(*) OVER (). None needs QUALIFY (Postgres and
 * Trino lack it; DuckDB, BigQuery, Snowflake and Databricks have it), so none uses it.
 *
 * No input reaches the SQL unquoted: identifiers are quoted (and refused where they hold a
 * character the dialect cannot quote), strings are escaped, numbers are written by JavaScript.
 */
import { usageError } from '../errors.js';

export const DIALECTS = ['duckdb', 'postgres', 'bigquery', 'snowflake', 'spark', 'trino'] as const;
export type DialectName = (typeof DIALECTS)[number];

export interface Dialect {
  name: DialectName;
  /** One identifier (column or one part of a table path), quoted. */
  identifier(name: string): string;
  /** A string literal holding exactly `text` as the engine's string functions and regexes see it. */
  string(text: string): string;
  /** `CAST(expr AS <double>)`. */
  double(expr: string): string;
  /** `CAST(expr AS <64-bit integer>)`. */
  bigint(expr: string): string;
  /** `CAST(expr AS <text>)`. */
  text(expr: string): string;
  /** `CAST(expr AS <exact decimal, 9 places>)`: money summed without rounding error, in any order. */
  decimal(expr: string): string;
  /** Milliseconds since 1970-01-01 UTC of a DATE or TIMESTAMP expression, as a number. */
  epochMs(expr: string): string;
  /** True when the double `expr` is neither NaN nor ±Infinity (the tool's numbers are finite). */
  isFinite(expr: string): string;
  /** ln(1 + x) as a double. */
  log1p(expr: string): string;
  /** exp(x) − 1 accurate near 0, where the dialect has it (the others: clv-query.ts's series). */
  expm1?(expr: string): string;
  /** True when the text `expr` contains a match of `pattern` (patterns here are anchored). */
  matches(expr: string, pattern: string): string;
  /** `expr` with every match of `pattern` replaced by `replacement`. */
  replaceAll(expr: string, pattern: string, replacement: string): string;
  /** A text expression for ORDER BY in code-unit order (the tool's order), not a locale's. */
  binaryOrder(expr: string): string;
}

const hasControl = (text: string) => /[\u0000-\u001f\u007f]/.test(text);

function checkIdentifier(name: string, dialect: DialectName): void {
  if (name === '') throw usageError(`an empty name cannot be a ${dialect} identifier`, 'name the table and columns as they are in the database');
  if (hasControl(name)) {
    throw usageError(`the name ${JSON.stringify(name)} holds a control character, which rfm does not put in SQL`, 'rename it, or make a view with plain names');
  }
}

/** "name" with " doubled: the SQL standard (DuckDB, Postgres, Snowflake, Trino). */
function doubleQuoted(dialect: DialectName) {
  return (name: string) => {
    checkIdentifier(name, dialect);
    return `"${name.replace(/"/g, '""')}"`;
  };
}

/** 'text' with ' doubled, backslashes literal (DuckDB, Trino). */
const standardString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * A literal in backslash-escaping syntax: \\ and \' and every control character as \uXXXX
 * (BigQuery, Snowflake and Spark single-quoted strings; Postgres E'' strings, whatever
 * standard_conforming_strings says).
 */
function backslashString(prefix: string) {
  return (text: string) => {
    const body = text.replace(/[\\'\u0000-\u001f\u007f]/g, (c) =>
      c === '\\' ? '\\\\' : c === "'" ? "\\'" : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    return `${prefix}'${body}'`;
  };
}

function cast(type: string) {
  return (expr: string) => `CAST(${expr} AS ${type})`;
}

const duckdb: Dialect = {
  name: 'duckdb',
  identifier: doubleQuoted('duckdb'),
  string: standardString,
  double: cast('DOUBLE'),
  bigint: cast('BIGINT'),
  text: cast('VARCHAR'),
  decimal: cast('DECIMAL(38, 9)'),
  // epoch_ms takes DATE, TIMESTAMP and TIMESTAMPTZ as they are (a cast of TIMESTAMPTZ would apply the session zone).
  epochMs: (e) => `epoch_ms(${e})`,
  isFinite: (e) => `isfinite(${e})`,
  log1p: (e) => `LN(1 + ${e})`,
  matches: (e, p) => `regexp_matches(${e}, ${standardString(p)})`,
  replaceAll: (e, p, r) => `regexp_replace(${e}, ${standardString(p)}, ${standardString(r)}, 'g')`,
  binaryOrder: (e) => e,
};

const postgresString = backslashString('E');
const postgres: Dialect = {
  name: 'postgres',
  identifier: doubleQuoted('postgres'),
  string: postgresString,
  double: cast('DOUBLE PRECISION'),
  bigint: cast('BIGINT'),
  text: cast('TEXT'),
  decimal: cast('NUMERIC(38, 9)'),
  // EXTRACT(EPOCH ...) is numeric seconds (exact, fractions kept); a timestamp without zone counts as UTC.
  epochMs: (e) => `FLOOR(EXTRACT(EPOCH FROM ${e}) * 1000)`,
  // (Postgres sorts NaN above every number and finds it equal to itself: a comparison would not do.)
  isFinite: (e) => `${e} NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)`,
  log1p: (e) => `LN(1 + ${e})`,
  matches: (e, p) => `(${e} ~ ${postgresString(p)})`,
  replaceAll: (e, p, r) => `regexp_replace(${e}, ${postgresString(p)}, ${postgresString(r)}, 'g')`,
  binaryOrder: (e) => `${e} COLLATE "C"`,
};

const bigqueryString = backslashString('');
const bigquery: Dialect = {
  name: 'bigquery',
  identifier: (name) => {
    checkIdentifier(name, 'bigquery');
    // Inside backticks BigQuery reads backslash escapes; rather than rely on them, refuse.
    if (/[`\\]/.test(name)) throw usageError(`the name ${JSON.stringify(name)} holds a backtick or backslash, which rfm does not put in BigQuery SQL`, 'make a view with plain names');
    return `\`${name}\``;
  },
  string: bigqueryString,
  double: cast('FLOAT64'),
  bigint: cast('INT64'),
  text: cast('STRING'),
  decimal: cast('NUMERIC'),
  // A DATE or DATETIME cast to TIMESTAMP is taken as UTC.
  epochMs: (e) => `UNIX_MILLIS(CAST(${e} AS TIMESTAMP))`,
  isFinite: (e) => `NOT (IS_NAN(${e}) OR IS_INF(${e}))`,
  log1p: (e) => `LN(1 + ${e})`,
  matches: (e, p) => `REGEXP_CONTAINS(${e}, ${bigqueryString(p)})`,
  replaceAll: (e, p, r) => `REGEXP_REPLACE(${e}, ${bigqueryString(p)}, ${bigqueryString(r)})`,
  binaryOrder: (e) => e,
};

const snowflakeString = backslashString('');
const snowflake: Dialect = {
  name: 'snowflake',
  identifier: doubleQuoted('snowflake'),
  string: snowflakeString,
  double: cast('DOUBLE'),
  bigint: cast('BIGINT'),
  text: cast('VARCHAR'),
  decimal: cast('NUMBER(38, 9)'),
  // The cast makes a DATE a timestamp; a TIMESTAMP_TZ / _LTZ column becomes its wall clock (README, Large data).
  epochMs: (e) => `DATE_PART(EPOCH_MILLISECOND, CAST(${e} AS TIMESTAMP_NTZ))`,
  isFinite: (e) => `${e} NOT IN ('NaN'::DOUBLE, 'inf'::DOUBLE, '-inf'::DOUBLE)`,
  log1p: (e) => `LN(1 + ${e})`,
  // REGEXP_LIKE matches the whole text; the patterns here are anchored at both ends anyway.
  matches: (e, p) => `REGEXP_LIKE(${e}, ${snowflakeString(p)})`,
  replaceAll: (e, p, r) => `REGEXP_REPLACE(${e}, ${snowflakeString(p)}, ${snowflakeString(r)})`,
  binaryOrder: (e) => e,
};

const sparkString = backslashString('');
const spark: Dialect = {
  name: 'spark',
  identifier: (name) => {
    checkIdentifier(name, 'spark');
    return `\`${name.replace(/`/g, '``')}\``;
  },
  string: sparkString,
  double: cast('DOUBLE'),
  bigint: cast('BIGINT'),
  text: cast('STRING'),
  decimal: cast('DECIMAL(38, 9)'),
  // A TIMESTAMP without zone is read in spark.sql.session.timeZone: set it to UTC (README, Large data).
  epochMs: (e) => `unix_millis(CAST(${e} AS TIMESTAMP))`,
  isFinite: (e) => `NOT (isnan(${e}) OR ${e} IN (double('Infinity'), double('-Infinity')))`,
  log1p: (e) => `log1p(${e})`,
  expm1: (e) => `expm1(${e})`,
  matches: (e, p) => `(${e} RLIKE ${sparkString(p)})`,
  replaceAll: (e, p, r) => `regexp_replace(${e}, ${sparkString(p)}, ${sparkString(r)})`,
  binaryOrder: (e) => e,
};

const trino: Dialect = {
  name: 'trino',
  identifier: doubleQuoted('trino'),
  string: standardString,
  double: cast('DOUBLE'),
  bigint: cast('BIGINT'),
  text: cast('VARCHAR'),
  decimal: cast('DECIMAL(38, 9)'),
  epochMs: (e) => `date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', CAST(${e} AS TIMESTAMP(3)))`,
  isFinite: (e) => `is_finite(${e})`,
  log1p: (e) => `LN(1 + ${e})`,
  matches: (e, p) => `regexp_like(${e}, ${standardString(p)})`,
  replaceAll: (e, p, r) => `regexp_replace(${e}, ${standardString(p)}, ${standardString(r)})`,
  binaryOrder: (e) => e,
};

const BY_NAME: Record<DialectName, Dialect> = { duckdb, postgres, bigquery, snowflake, spark, trino };

export function dialect(name: string): Dialect {
  if (!(DIALECTS as readonly string[]).includes(name)) {
    throw usageError(`unknown SQL dialect "${name}"`, `use one of ${DIALECTS.join(', ')}`);
  }
  return BY_NAME[name as DialectName];
}

/** A table path `db.schema.table` (split at dots), each part quoted. */
export function tablePath(d: Dialect, path: string): string {
  return path.split('.').map((part) => d.identifier(part)).join('.');
}

/** A double literal that reads back as exactly `value` (the shortest round-trip digits, cast). */
export function doubleLiteral(d: Dialect, value: number): string {
  if (!Number.isFinite(value)) throw usageError(`${value} cannot be written as an SQL number`);
  return d.double(String(value));
}

export const DAY_MS_SQL = '86400000';

/**
 * exp(x) − 1, accurate near 0: the dialect's own, else exp(x) − 1 (relative error below 3e-11 for
 * |x| >= 1e-5) and below that three terms of the series (error below x⁴/24).
 */
export function expm1Sql(d: Dialect, x: string): string {
  return d.expm1?.(x) ?? `CASE WHEN ABS(${x}) < 1e-5 THEN ${x} * (1 + ${x} / 2 * (1 + ${x} / 3)) ELSE EXP(${x}) - 1 END`;
}

/** Whole days from `earlierMs` to `laterMs` (millisecond expressions), floored like Timedelta.days. */
export function wholeDaysBetween(d: Dialect, laterMs: string, earlierMs: string): string {
  return d.bigint(`FLOOR(${d.double(`(${laterMs}) - (${earlierMs})`)} / ${DAY_MS_SQL})`);
}

/** The UTC day number (days since 1970-01-01) of a millisecond expression. */
export function utcDay(d: Dialect, ms: string): string {
  return d.bigint(`FLOOR(${d.double(ms)} / ${DAY_MS_SQL})`);
}
