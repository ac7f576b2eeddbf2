/**
 * The RFM pipeline as one SELECT for a warehouse (`rfm sql rfm`): the cleaning rules that make
 * sense on a typed table (rules.ts), then per customer exactly what ../rfm.ts computes:
 * - as-of = the given instant, or the latest kept purchase + 1 day; later rows are left out;
 * - recency = whole days from the last purchase to as-of, floored;
 * - frequency = distinct invoices, or distinct UTC purchase days without an invoice column;
 * - monetary = the sum of line values (amount, else quantity × price) rounded to 9 decimals, the
 *   definition ../rfm.ts gives: here each line is rounded to 9 decimals and summed exactly
 *   (DECIMAL), so the total is the same number in any order, and the same as the tool's;
 * and with `scores`, ../scores.ts's quintile scores: thresholds by linear interpolation between
 * order statistics at (n − 1) × p (numpy's default, simple-statistics' quantileSorted), score =
 * 1 + the number of thresholds a value exceeds, recency reversed, and the R/F grid segment.
 */
import { DEFAULT_CLEANING, type CleaningOptions } from '../clean.js';
import { usageError } from '../errors.js';
import { scoreSegment } from '../scores.js';
import { DAY_MS_SQL, dialect as dialectNamed, doubleLiteral, tablePath, utcDay, wholeDaysBetween, type Dialect, type DialectName } from './dialects.js';
import {
  customerIdSql,
  isCancellationSql,
  isMissingCustomerSql,
  isNonpositivePriceSql,
  isNonpositiveQuantitySql,
  isVoidStatusSql,
} from './rules.js';

/** A table path (`db.schema.table`, quoted part by part), or an SQL FROM item written by the program (never by a user). */
export type SqlSource = { table: string } | { from: string };

/** Column names of the transaction table, as they are stored (they are quoted, so case matters). */
export interface SqlColumns {
  customer: string;
  date: string;
  invoice?: string;
  quantity?: string;
  price?: string;
  amount?: string;
  status?: string;
}

export interface RfmQueryOptions {
  /** As-of instant (ms, UTC); default the latest kept purchase + 1 day. */
  asOf?: number;
  cleaning?: CleaningOptions;
  scores?: boolean;
}

export function sourceSql(d: Dialect, source: SqlSource): string {
  return 'table' in source ? tablePath(d, source.table) : source.from;
}

export function checkColumns(columns: SqlColumns): void {
  if (columns.amount === undefined && (columns.quantity === undefined || columns.price === undefined)) {
    throw usageError('the line value needs an amount column, or a quantity and a price column', 'give --amount-col, or --quantity-col and --price-col');
  }
}

export interface KeptLinesOptions {
  asOf?: number;
  cleaning: CleaningOptions;
  /** BTYD counts a line of value 0 as a purchase (issue 14): only negative values are dropped then. */
  zeroIsPurchase?: boolean;
}

/**
 * `tx_lines` and `kept` CTEs (without WITH): `kept` has customer_id (text), invoice (text), ms (epoch
 * milliseconds) and line_value (double) of every line that survives the rules and the as-of.
 */
export function keptLinesSql(d: Dialect, source: SqlSource, columns: SqlColumns, options: KeptLinesOptions): string {
  checkColumns(columns);
  const q = (name: string) => d.identifier(name);
  const c = options.cleaning;
  const select = [
    `${customerIdSql(d, q(columns.customer))} AS customer_id`,
    `${columns.invoice === undefined ? "''" : `COALESCE(${d.text(q(columns.invoice))}, '')`} AS invoice`,
    `${d.epochMs(q(columns.date))} AS ms`,
  ];
  if (columns.quantity !== undefined) select.push(`${d.double(q(columns.quantity))} AS quantity`);
  if (columns.price !== undefined) select.push(`${d.double(q(columns.price))} AS price`);
  if (columns.amount !== undefined) select.push(`${d.double(q(columns.amount))} AS amount`);
  if (columns.status !== undefined) select.push(`${q(columns.status)} AS status`);

  const hasAmount = columns.amount !== undefined;
  const value = hasAmount ? 'amount' : 'price';
  const where = [`NOT (${isMissingCustomerSql('customer_id')})`];
  if (!c.keepCancelled && columns.invoice !== undefined) where.push(`NOT ${isCancellationSql(d, 'invoice')}`);
  if (!c.keepStatus && columns.status !== undefined) where.push(`NOT ${isVoidStatusSql(d, 'status')}`);
  // invalid_date and invalid_number: on a typed table, a NULL (or a NaN or infinite double).
  where.push('ms IS NOT NULL');
  const numbers = hasAmount ? ['amount'] : ['quantity', 'price'];
  where.push(numbers.map((n) => `${n} IS NOT NULL AND ${d.isFinite(n)}`).join(' AND '));
  if (columns.quantity !== undefined && !c.keepNonpositiveQuantity) {
    // (Without an amount column the quantity was already required above.)
    where.push(`${hasAmount ? `quantity IS NOT NULL AND ${d.isFinite('quantity')} AND ` : ''}NOT (${isNonpositiveQuantitySql('quantity')})`);
  }
  if (!c.keepNonpositivePrice) where.push(options.zeroIsPurchase ? `${value} >= 0` : `NOT (${isNonpositivePriceSql(value)})`);
  if (options.asOf !== undefined) where.push(`ms <= ${Math.trunc(options.asOf)}`);

  const lineValue = hasAmount ? 'amount' : 'quantity * price';
  return [
    `tx_lines AS (\n  SELECT\n    ${select.join(',\n    ')}\n  FROM ${sourceSql(d, source)}\n)`,
    `kept AS (\n  SELECT customer_id, invoice, ms, ${lineValue} AS line_value\n  FROM tx_lines\n  WHERE ${where.join('\n    AND ')}\n)`,
  ].join(',\n');
}

/** The as-of CTE: one row, one column `as_of_ms`. */
function asOfSql(asOf: number | undefined): string {
  const expr = asOf === undefined ? `MAX(ms) + ${DAY_MS_SQL}` : String(Math.trunc(asOf));
  return `as_of AS (\n  SELECT ${expr} AS as_of_ms${asOf === undefined ? ' FROM kept' : ''}\n)`;
}

const QUINTILES = [0.2, 0.4, 0.6, 0.8];
const SCORED = [
  ['recency', 'r'],
  ['frequency', 'f'],
  ['monetary', 'm'],
] as const;

/** The R/F grid of scores.ts's scoreSegment as a CASE, derived from the function itself. */
function scoreSegmentSql(d: Dialect): string {
  const whens: string[] = [];
  for (let r = 1; r <= 5; r++) {
    for (let f = 1; f <= 5; f++) whens.push(`WHEN r_score = ${r} AND f_score = ${f} THEN ${d.string(scoreSegment(r, f))}`);
  }
  return `CASE ${whens.join(' ')} END`;
}

/** CTEs `positions`, `ranked`, `thresholds` and `scored`, from `rfm`. */
function scoresSql(d: Dialect): string {
  // idx = (n − 1) × p in doubles, as quantileSorted; threshold = x[lo] + (idx − lo) × (x[hi] − x[lo]).
  const positions = QUINTILES.map((p, i) => `${d.double('COUNT(*) - 1')} * ${doubleLiteral(d, p)} AS i${i + 1}`);
  const ranks = SCORED.map(([metric, s]) => `${d.double(metric)} AS ${s}_value, ROW_NUMBER() OVER (ORDER BY ${metric}) - 1 AS ${s}_pos`);
  const thresholds = SCORED.flatMap(([, s]) =>
    QUINTILES.map((_, i) => {
      const idx = `p.i${i + 1}`;
      const at = (pos: string) => `MAX(CASE WHEN ${s}_pos = ${pos} THEN ${s}_value END)`;
      return `${at(`FLOOR(${idx})`)} + (${idx} - FLOOR(${idx})) * (${at(`CEIL(${idx})`)} - ${at(`FLOOR(${idx})`)}) AS ${s}${i + 1}`;
    }),
  );
  const above = (metric: string, s: string) => QUINTILES.map((_, i) => `CASE WHEN ${metric} > t.${s}${i + 1} THEN 1 ELSE 0 END`).join(' + ');
  return [
    `positions AS (\n  SELECT ${positions.join(', ')}\n  FROM rfm\n)`,
    `ranked AS (\n  SELECT\n    ${ranks.join(',\n    ')}\n  FROM rfm\n)`,
    `thresholds AS (\n  SELECT\n    ${thresholds.join(',\n    ')}\n  FROM ranked CROSS JOIN positions p\n  GROUP BY p.i1, p.i2, p.i3, p.i4\n)`,
    `scored AS (\n  SELECT rfm.customer_id, rfm.recency, rfm.frequency, rfm.monetary,\n` +
      `    6 - (1 + ${above('rfm.recency', 'r')}) AS r_score,\n` +
      `    1 + ${above('rfm.frequency', 'f')} AS f_score,\n` +
      `    1 + ${above('rfm.monetary', 'm')} AS m_score\n` +
      `  FROM rfm CROSS JOIN thresholds t\n)`,
  ].join(',\n');
}

/**
 * One SELECT yielding customer_id, recency, frequency, monetary (and with `scores` r_score,
 * f_score, m_score, rfm_score, score_segment), ordered by customer_id in code-unit order.
 */
export function rfmQuery(dialectName: DialectName | Dialect, source: SqlSource, columns: SqlColumns, options: RfmQueryOptions = {}): string {
  const d = typeof dialectName === 'string' ? dialectNamed(dialectName) : dialectName;
  const cleaning = options.cleaning ?? DEFAULT_CLEANING;
  const frequencyKey = columns.invoice === undefined ? utcDay(d, 'ms') : 'invoice';
  const rfm =
    `rfm AS (\n  SELECT customer_id,\n` +
    `    ${wholeDaysBetween(d, 'MAX(as_of.as_of_ms)', 'MAX(kept.ms)')} AS recency,\n` +
    `    COUNT(DISTINCT ${frequencyKey}) AS frequency,\n` +
    `    ${d.double(`SUM(${d.decimal('line_value')})`)} AS monetary\n` +
    `  FROM kept CROSS JOIN as_of\n  GROUP BY customer_id\n)`;
  const ctes = [keptLinesSql(d, source, columns, { asOf: options.asOf, cleaning }), asOfSql(options.asOf), rfm];
  const order = `ORDER BY ${d.binaryOrder('customer_id')}`;
  if (!options.scores) return `WITH\n${ctes.join(',\n')}\nSELECT customer_id, recency, frequency, monetary\nFROM rfm\n${order}\n`;
  const rfmScore = `CONCAT(${d.text('r_score')}, ${d.text('f_score')}, ${d.text('m_score')})`;
  return (
    `WITH\n${[...ctes, scoresSql(d)].join(',\n')}\n` +
    `SELECT customer_id, recency, frequency, monetary, r_score, f_score, m_score,\n  ${rfmScore} AS rfm_score,\n  ${scoreSegmentSql(d)} AS score_segment\n` +
    `FROM scored\n${order}\n`
  );
}
