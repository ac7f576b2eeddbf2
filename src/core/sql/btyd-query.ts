/**
 * The BTYD summary as one SELECT (`rfm sql btyd`), with issue 14's definitions: per customer over
 * the calibration period (purchase days up to and including its end),
 * - frequency = repeat purchase days (distinct UTC purchase days − 1);
 * - recency = time from the first to the last purchase day; T = from the first purchase day to
 *   the end of the calibration period; in days, weeks (7 days) or months (30 days) of whole days;
 * - monetary_value = the mean value of the repeat purchase days (0 for one-time buyers).
 * A line of value 0 is a purchase here (the CDNOW literature counts them); negative values and
 * cancellations are dropped as in `rfm sql rfm`.
 */
import { DEFAULT_CLEANING, type CleaningOptions } from '../clean.js';
import { PERIOD_DAYS, type Period } from '../clv/data.js';
import { DAY_MS_SQL, dialect as dialectNamed, type Dialect, type DialectName, utcDay } from './dialects.js';
import { keptLinesSql, type SqlColumns, type SqlSource } from './rfm-query.js';

export type { Period };

export interface BtydQueryOptions {
  period?: Period;
  /** Last day of the calibration period (ms of any instant of that UTC day), inclusive. */
  calibrationEnd?: number;
  /** As-of instant: later rows are left out, and the calibration period ends the day before it. */
  asOf?: number;
  cleaning?: CleaningOptions;
}

/** customer_id, frequency, recency, T, monetary_value ordered by customer_id. */
export function btydQuery(dialectName: DialectName | Dialect, source: SqlSource, columns: SqlColumns, options: BtydQueryOptions = {}): string {
  const d = typeof dialectName === 'string' ? dialectNamed(dialectName) : dialectName;
  const unit = PERIOD_DAYS[options.period ?? 'week'];
  const kept = keptLinesSql(d, source, columns, { asOf: options.asOf, cleaning: options.cleaning ?? DEFAULT_CLEANING, zeroIsPurchase: true });
  const endMs =
    options.calibrationEnd !== undefined ? String(Math.trunc(options.calibrationEnd)) : options.asOf !== undefined ? `${Math.trunc(options.asOf)} - ${DAY_MS_SQL}` : null;
  const calibration =
    endMs === null ? `calibration AS (\n  SELECT ${utcDay(d, 'MAX(ms)')} AS end_day FROM kept\n)` : `calibration AS (\n  SELECT ${utcDay(d, endMs)} AS end_day\n)`;
  const days =
    `days AS (\n  SELECT customer_id, purchase_day, day_value, MIN(purchase_day) OVER (PARTITION BY customer_id) AS first_day\n` +
    `  FROM (\n    SELECT customer_id, ${utcDay(d, 'ms')} AS purchase_day, SUM(${d.decimal('line_value')}) AS day_value\n    FROM kept\n    GROUP BY customer_id, ${utcDay(d, 'ms')}\n  ) per_day CROSS JOIN calibration\n` +
    `  WHERE purchase_day <= calibration.end_day\n)`;
  const inUnit = (daysExpr: string) => (unit === 1 ? d.double(daysExpr) : `${d.double(daysExpr)} / ${unit}`);
  const summary =
    `summary AS (\n  SELECT customer_id,\n` +
    `    COUNT(*) - 1 AS frequency,\n` +
    `    ${inUnit('MAX(purchase_day) - MIN(purchase_day)')} AS recency,\n` +
    `    ${inUnit('MAX(calibration.end_day) - MIN(purchase_day)')} AS t,\n` +
    `    CASE WHEN COUNT(*) > 1 THEN ${d.double(`SUM(CASE WHEN purchase_day > first_day THEN day_value END)`)} / ${d.double('COUNT(*) - 1')} ELSE ${d.double('0')} END AS monetary_value\n` +
    `  FROM days CROSS JOIN calibration\n  GROUP BY customer_id\n)`;
  return (
    `WITH\n${[kept, calibration, days, summary].join(',\n')}\n` +
    `SELECT customer_id, frequency, recency, t AS ${d.identifier('T')}, monetary_value\nFROM summary\nORDER BY ${d.binaryOrder('customer_id')}\n`
  );
}
