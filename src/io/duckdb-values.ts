/**
 * Text fields read in DuckDB SQL exactly as the default engine reads them (dates.ts,
 * number-layout.ts, clean.ts normalizeCustomerId), for the layouts SQL can read without doubt:
 * - dates: YYYY-MM-DD or YYYY/MM/DD with an optional time and zone, YYYYMMDD, a/b/YYYY in the
 *   column's order, D.M.YYYY and DD-MM-YYYY;
 * - numbers: plain decimals (`-12`, `3.75`, `1e3`; `3,75` when the mark is a comma) and thousands
 *   groups of the other mark (`1,234.50`).
 * Every value SQL does not read is put in class `other`: duckdb-customers.ts hands those (few)
 * values to the default engine's own parsers, and refuses the file when one of them is a value
 * the default engine reads, so that the two engines can never read a value differently.
 */
import { dateLayoutName } from './dates.js';

/** The characters JavaScript's String.prototype.trim() removes (ECMAScript WhiteSpace and LineTerminator). */
const JS_WHITESPACE = '\t\n\u000b\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/** An SQL string literal for text the program writes (no quotes inside but doubled ones). */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * `text.trim()` of an SQL text expression (NULL becomes ''). trim() with a set of characters is
 * slow: a text that starts and ends with a visible ASCII character (nearly all) skips it.
 */
export function jsTrimSql(expr: string): string {
  return `(CASE WHEN ${expr} IS NULL THEN '' WHEN ascii(${expr}) BETWEEN 33 AND 126 AND ascii(right(${expr}, 1)) BETWEEN 33 AND 126 THEN ${expr} ELSE trim(${expr}, ${literal(JS_WHITESPACE)}) END)`;
}

/** Values pandas reads as missing: normalizeCustomerId makes them '' (clean.ts MISSING_TEXT). */
export const MISSING_ID_TEXT = [
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
];

/** normalizeCustomerId of a text expression already trimmed (jsTrimSql): missing words '', `17850.0` as `17850`. */
export function customerIdSql(t: string): string {
  return (
    // (list_contains, not IN: DuckDB plans a long IN list as a join.)
    `(CASE WHEN list_contains([${MISSING_ID_TEXT.map(literal).join(', ')}], ${t}) THEN '' ` +
    `WHEN ${t} LIKE '%.0%' AND regexp_full_match(${t}, '[0-9]+\\.0+') THEN split_part(${t}, '.', 1) ELSE ${t} END)`
  );
}

/**
 * Macros the expressions below use, created once per session: whole days since 1970-01-01 of a
 * civil date (valid or not: callers check validDay first), and a time of day with its zone in ms.
 */
export const VALUE_MACROS = [
  // validDay of dates.ts.
  `CREATE OR REPLACE TEMP MACRO rfm_valid_day(y, m, d) AS (m BETWEEN 1 AND 12 AND d >= 1 AND d <= CASE WHEN m = 2 THEN (CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END) WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END)`,
  // Days from civil (H. Hinnant), for years 0-9999: y - (m <= 2) is at least -1.
  `CREATE OR REPLACE TEMP MACRO rfm_days(y, m, d) AS (
     ((CASE WHEN y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) >= 0 THEN y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) ELSE y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) - 399 END) // 400) * 146097
     + (y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) - ((CASE WHEN y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) >= 0 THEN y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) ELSE y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) - 399 END) // 400) * 400) * 365
     + (y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) - ((CASE WHEN y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) >= 0 THEN y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) ELSE y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) - 399 END) // 400) * 400) // 4
     - (y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) - ((CASE WHEN y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) >= 0 THEN y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) ELSE y - (CASE WHEN m <= 2 THEN 1 ELSE 0 END) - 399 END) // 400) * 400) // 100
     + (153 * ((m + 9) % 12) + 2) // 5 + d - 1 - 719468)`,
  // parseTimeAndZone of dates.ts on the parts of TIME_ZONE below: ms from midnight UTC, NULL when out of range.
  `CREATE OR REPLACE TEMP MACRO rfm_time(h, mi, s, f, z) AS (
     CASE WHEN h IS NULL THEN 0
          WHEN h > 23 OR mi > 59 OR coalesce(s, 0) > 59 THEN NULL
          WHEN z IS NOT NULL AND z NOT IN ('Z', 'z') AND upper(z) <> 'UTC'
               AND (CAST(substr(z, 2, 2) AS INTEGER) > 14 OR CAST(right(z, 2) AS INTEGER) > 59) THEN NULL
          ELSE ((h * 60 + mi - (CASE WHEN z IS NULL OR z IN ('Z', 'z') OR upper(z) = 'UTC' THEN 0
                                   ELSE (CASE WHEN left(z, 1) = '-' THEN -1 ELSE 1 END) * (CAST(substr(z, 2, 2) AS INTEGER) * 60 + CAST(right(z, 2) AS INTEGER)) END)) * 60
                + coalesce(s, 0)) * 1000 + coalesce(CAST(rpad(f, 3, '0')[1:3] AS INTEGER), 0)
     END)`,
];

/**
 * `HH:MM[:SS[.f]]` and an optional zone (Z, UTC, ±HH[:]MM, one space before it allowed): groups
 * h, mi, s, f, z. Fractions of more than 6 digits are left to the default engine (`other`): its
 * float sum of them could round up to the next millisecond.
 */
const TIME_ZONE = '(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,6}))?)?(?: ?([Zz]|[Uu][Tt][Cc]|[+-]\\d{2}:?\\d{2}))?';
const ISO = `^(\\d{4})([-/])(\\d{2})([-/])(\\d{2})(?:[ Tt]${TIME_ZONE})?$`;
const DAY_MONTH = `^(\\d{1,2})([/.-])(\\d{1,2})([/.-])(\\d{4})(?:[ T]${TIME_ZONE})?$`;
const ISO_GROUPS = "['y', 's1', 'mo', 's2', 'd', 'h', 'mi', 's', 'f', 'z']";
const DAY_MONTH_GROUPS = "['a', 's1', 'b', 's2', 'y', 'h', 'mi', 's', 'f', 'z']";

/** The parts of a date text (trimmed): its class and the numbers SQL reads it from. */
export function dateFieldsSql(trimmed: string): string {
  const t = trimmed;
  // The common layouts by their shape (one anchored regex without groups is far cheaper than
  // the extracting one, and than translate()), the others by the extracting regular expression.
  const shape = `regexp_full_match(${t}, '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?|[0-9]{4}/[0-9]{2}/[0-9]{2}(?: [0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?')`;
  const part = (from: number, n: number, minLength = 0) => (minLength > 0 ? `(CASE WHEN length(${t}) >= ${minLength} THEN substr(${t}, ${from}, ${n}) ELSE '' END)` : `substr(${t}, ${from}, ${n})`);
  const fast =
    `struct_pack(y := ${part(1, 4)}, s1 := ${part(5, 1)}, mo := ${part(6, 2)}, s2 := ${part(8, 1)}, d := ${part(9, 2)}, ` +
    `h := ${part(12, 2, 16)}, mi := ${part(15, 2, 16)}, s := ${part(18, 2, 19)}, f := '', z := '')`;
  const iso = `(CASE WHEN ${shape} THEN ${fast} ELSE regexp_extract(${t}, ${literal(ISO)}, ${ISO_GROUPS}) END)`;
  const dm = `regexp_extract(${t}, ${literal(DAY_MONTH)}, ${DAY_MONTH_GROUPS})`;
  return `(CASE WHEN length(${t}) >= 10 AND substr(${t}, 5, 1) IN ('-', '/') THEN ${iso} END) AS iso_parts,
    (CASE WHEN length(${t}) = 8 AND regexp_full_match(${t}, '[0-9]{8}') THEN ${t} END) AS ymd8,
    (CASE WHEN length(${t}) >= 8 AND (substr(${t}, 2, 1) IN ('/', '.', '-') OR substr(${t}, 3, 1) IN ('/', '.', '-')) THEN ${dm} END) AS dm_parts`;
}

const int = (e: string) => `TRY_CAST(NULLIF(${e}, '') AS INTEGER)`;

/**
 * The date's class from dateFieldsSql's columns (in relation `r`): 'iso', 'ymd8', 'slash'
 * (a/b/YYYY, order from the column), 'dm' (D.M.YYYY, DD-MM-YYYY), 'empty', or 'other'.
 */
export function dateClassSql(trimmed: string): string {
  return `(CASE WHEN ${trimmed} = '' THEN 'empty'
    WHEN iso_parts.y <> '' AND iso_parts.s1 = iso_parts.s2 THEN 'iso'
    WHEN ymd8 IS NOT NULL THEN 'ymd8'
    WHEN dm_parts.y <> '' AND dm_parts.s1 = dm_parts.s2 THEN (CASE WHEN dm_parts.s1 = '/' THEN 'slash' ELSE 'dm' END)
    ELSE 'other' END)`;
}

/**
 * The date's parts (dy, dmo, dd, th, tmi, ts, tf, tz) as columns, from a classified date read in
 * `order` (for 'slash' dates): a SELECT list over dateFieldsSql's columns.
 */
export function datePartsSql(dateClass: string, order: 'mdy' | 'dmy' | 'ymd'): string {
  const y8 = (from: number, n: number) => `CAST(substr(ymd8, ${from}, ${n}) AS INTEGER)`;
  const [a, b] = [int('dm_parts.a'), int('dm_parts.b')];
  const slashMonth = order === 'dmy' ? b : a;
  const slashDay = order === 'dmy' ? a : b;
  const pick = (field: string) => `(CASE ${dateClass} WHEN 'iso' THEN iso_parts.${field} WHEN 'slash' THEN dm_parts.${field} WHEN 'dm' THEN dm_parts.${field} END)`;
  return [
    `(CASE ${dateClass} WHEN 'iso' THEN ${int('iso_parts.y')} WHEN 'ymd8' THEN ${y8(1, 4)} WHEN 'slash' THEN ${int('dm_parts.y')} WHEN 'dm' THEN ${int('dm_parts.y')} END) AS dy`,
    `(CASE ${dateClass} WHEN 'iso' THEN ${int('iso_parts.mo')} WHEN 'ymd8' THEN ${y8(5, 2)} WHEN 'slash' THEN ${slashMonth} WHEN 'dm' THEN ${b} END) AS dmo`,
    `(CASE ${dateClass} WHEN 'iso' THEN ${int('iso_parts.d')} WHEN 'ymd8' THEN ${y8(7, 2)} WHEN 'slash' THEN ${slashDay} WHEN 'dm' THEN ${a} END) AS dd`,
    `${int(pick('h'))} AS th`,
    `${int(pick('mi'))} AS tmi`,
    `${int(pick('s'))} AS ts`,
    `NULLIF(${pick('f')}, '') AS tf`,
    `NULLIF(${pick('z')}, '') AS tz`,
  ].join(', ');
}

/** The epoch ms of a date from datePartsSql's columns, NULL when it is not a valid date (a/b/YYYY under `ymd`). */
export function dateMsSql(dateClass: string, order: 'mdy' | 'dmy' | 'ymd', month = 'dmo', day = 'dd'): string {
  const readable = order === 'ymd' ? `${dateClass} IN ('iso', 'ymd8', 'dm')` : `${dateClass} IN ('iso', 'ymd8', 'slash', 'dm')`;
  return `(CASE WHEN ${readable} AND rfm_valid_day(dy, ${month}, ${day}) THEN CAST(rfm_days(dy, ${month}, ${day}) AS DOUBLE) * 86400000 + rfm_time(th, tmi, ts, tf, tz) END)`;
}

/**
 * dateMsSql in `order` from datePartsSql's columns read in `mdy` order (as the loaded table keeps
 * them, before the order is decided): under `dmy` an a/b/YYYY date's month and day swap.
 */
export function dateMsFromMdySql(dateClass: string, order: 'mdy' | 'dmy' | 'ymd'): string {
  if (order !== 'dmy') return dateMsSql(dateClass, order);
  return `(CASE WHEN ${dateClass} = 'slash' THEN ${dateMsSql(dateClass, order, 'dd', 'dmo')} ELSE ${dateMsSql(dateClass, order)} END)`;
}

/**
 * orderEvidence of dates.ts for a 'slash' date: 'dmy' (first part > 12), 'mdy' (second > 12),
 * 'either', 'neither'; NULL for other classes.
 */
export function orderEvidenceSql(dateClass: string): string {
  const [a, b] = [int('dm_parts.a'), int('dm_parts.b')];
  return `(CASE WHEN ${dateClass} = 'slash' THEN (CASE WHEN ${a} > 12 THEN (CASE WHEN ${b} > 12 THEN 'neither' ELSE 'dmy' END) WHEN ${b} > 12 THEN 'mdy' ELSE 'either' END) END)`;
}

// Bodies after an optional sign (number-layout.ts UNGROUPED / GROUPED, the marks SQL reads).
const INTEGER = '[+-]?[0-9]+';
const POINT = '[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?';
const COMMA = '[+-]?(?:[0-9]+,?[0-9]*|,[0-9]+)';
const POINT_GROUPED = '[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\\.[0-9]+)?';
const COMMA_GROUPED = '[+-]?[0-9]{1,3}(?:\\.[0-9]{3})+(?:,[0-9]+)?';
/** `1.234` and `1,234`: 1.234 one way, 1234 the other (unless every digit is 0). */
const POINT_AMBIGUOUS = '[+-]?[0-9]{1,3}\\.[0-9]{3}';
const COMMA_AMBIGUOUS = '[+-]?[0-9]{1,3},[0-9]{3}';
const ZEROS = '[+-]?0+\\.000';

/**
 * A number text's class (trimmed): 'empty', 'int', 'point' (a decimal only a point reads),
 * 'comma' (only a comma reads), 'point?' / 'comma?' (`1.234` / `1,234`: either), 'point-grouped'
 * (`1,234,567.5`: a point with comma groups, or ambiguous with `1,234`... see below),
 * 'comma-grouped', or 'other'.
 */
export function numberClassSql(t: string): string {
  const full = (re: string) => `regexp_full_match(${t}, ${literal(re)})`;
  // Unsigned integers and decimals (nearly every value) by short regexes (cheaper than translate());
  // the rest by the longer ones.
  const dot = `strpos(${t}, '.')`;
  return `(CASE WHEN ${t} = '' THEN 'empty'
    WHEN regexp_full_match(${t}, '[0-9]+') THEN 'int'
    WHEN regexp_full_match(${t}, '[0-9]+[.][0-9]+') THEN (CASE WHEN ${dot} BETWEEN 2 AND 4 AND length(${t}) - ${dot} = 3 THEN (CASE WHEN regexp_full_match(${t}, '[0.]+') THEN 'int' ELSE 'point?' END) ELSE 'point' END)
    WHEN ${full(INTEGER)} OR ${full(ZEROS)} THEN 'int'
    WHEN ${full(POINT_AMBIGUOUS)} THEN 'point?'
    WHEN ${full(COMMA_AMBIGUOUS)} THEN 'comma?'
    WHEN ${full(POINT)} THEN 'point'
    WHEN ${full(COMMA)} THEN 'comma'
    WHEN ${full(POINT_GROUPED)} THEN 'point-grouped'
    WHEN ${full(COMMA_GROUPED)} THEN 'comma-grouped'
    ELSE 'other' END)`;
}

/**
 * The class of an untrimmed text (NULL when the text is not a plain unsigned integer or decimal
 * with a point): numberClassSql's first answers without the trim, which costs more than the
 * regular expression on the common values. rawNumberClassSql completes it.
 */
export function plainNumberClassSql(raw: string): string {
  const dot = `strpos(${raw}, '.')`;
  return `(CASE WHEN regexp_full_match(${raw}, '[0-9]+') THEN 'int'
    WHEN regexp_full_match(${raw}, '[0-9]+[.][0-9]+') THEN (CASE WHEN ${dot} BETWEEN 2 AND 4 AND length(${raw}) - ${dot} = 3 THEN (CASE WHEN regexp_full_match(${raw}, '[0.]+') THEN 'int' ELSE 'point?' END) ELSE 'point' END) END)`;
}

/** numberClassSql of the trimmed text, given plainNumberClassSql's answer `plain` (CASE, not coalesce, which reads every argument). */
export const rawNumberClassSql = (raw: string, plain: string) => `(CASE WHEN ${plain} IS NOT NULL THEN ${plain} ELSE ${numberClassSql(jsTrimSql(raw))} END)`;

/** numberValueSql of an untrimmed text: a plain one as it is, the others trimmed first. */
export function rawNumberValueSql(raw: string, plain: string, numberClass: string, mark: '.' | ','): string {
  return `(CASE WHEN ${plain} IS NOT NULL THEN ${numberValueSql(raw, numberClass, mark)} ELSE ${numberValueSql(jsTrimSql(raw), numberClass, mark)} END)`;
}

/**
 * The value of a classified number under the column's decimal mark, NULL when it is not a number
 * that way (or not finite), as NumberColumn.parse reads it once the mark is known.
 */
export function numberValueSql(t: string, numberClass: string, mark: '.' | ','): string {
  const finite = (e: string) => `(CASE WHEN isfinite(${e}) THEN ${e} END)`;
  const cast = (e: string) => finite(`TRY_CAST(${e} AS DOUBLE)`);
  const point = cast(t);
  const withoutCommas = cast(`replace(${t}, ',', '')`);
  const withoutPoints = cast(`replace(${t}, '.', '')`);
  const commaAsPoint = cast(`replace(${t}, ',', '.')`);
  const commaGrouped = cast(`replace(replace(${t}, '.', ''), ',', '.')`);
  if (mark === '.') {
    return `(CASE ${numberClass} WHEN 'int' THEN ${point} WHEN 'point' THEN ${point} WHEN 'point?' THEN ${point} WHEN 'comma?' THEN ${withoutCommas} WHEN 'point-grouped' THEN ${withoutCommas} END)`;
  }
  return `(CASE ${numberClass} WHEN 'int' THEN ${commaAsPoint} WHEN 'comma' THEN ${commaAsPoint} WHEN 'comma?' THEN ${commaAsPoint} WHEN 'point?' THEN ${withoutPoints} WHEN 'comma-grouped' THEN ${commaGrouped} END)`;
}

/** The layout name a class stands for in the stderr note (dates.ts dateLayoutName, for a sample value). */
export function dateLayoutOf(sample: string, order: 'mdy' | 'dmy' | 'ymd' | undefined): string {
  return dateLayoutName(sample, order);
}
