/**
 * `rfm clv --engine duckdb`: the read and cleaning of duckdb-customers.ts (the same decisions,
 * rules and refusals; a line of value 0 kept as a purchase, as io/btyd.ts keeps it), then the BTYD
 * summary aggregated in DuckDB: per customer the calibration purchase days (count, first, last),
 * the holdout days, and the sums monetary_value is made of; per day the first purchases and repeat
 * days of the validation's tracking curve.
 *
 * The sums are not core/sql/btyd-query.ts's exact DECIMAL totals: the default engine's summary
 * (core/clv/summary.ts) adds each customer's line values as doubles in file order, and the fits
 * take those doubles bit for bit, so here the values are folded left in file order too
 * (list_reduce over list(value ORDER BY rn)), which gives the same bits. Recency, T and frequency
 * are btyd-query.ts's definitions, on the UTC day numbers of the kept lines.
 */
import { emptyDropCounts, type CleaningReport, type DropRule } from '../core/clean.js';
import { asTable, PERIOD_DAYS, type BtydRow, type BtydSummary, type SummaryOptions } from '../core/clv/index.js';
import { dataError } from '../core/errors.js';
import { isBtydHeader, type LoadedBtyd } from './btyd.js';
import type { LoadOptions } from './customers.js';
import { loadCustomersDuckdb, type DuckAggregation, type DuckLoad } from './duckdb-customers.js';
import { refusal } from './duckdb-decide.js';
import { dropWarnings } from './drop-warnings.js';
import { nothingKeptError } from './transactions.js';
import { DAY_MS } from './dates.js';

/**
 * The BTYD summary of a transaction log read through DuckDB; undefined for a CSV BTYD summary
 * table, which the default reader reads (the same rows by definition).
 */
export async function loadBtydDuckdb(load: DuckLoad, options: LoadOptions & SummaryOptions): Promise<LoadedBtyd | undefined> {
  const calibrationEnd = options.calibrationEnd ?? (options.asOf === undefined ? undefined : options.asOf - DAY_MS);
  const calibrationDay = calibrationEnd === undefined ? undefined : Math.floor(calibrationEnd / DAY_MS);
  const holdoutDay = options.holdoutEnd === undefined ? undefined : Math.floor(options.holdoutEnd / DAY_MS);
  const periodDays = PERIOD_DAYS[options.period];
  const aggregation: DuckAggregation<LoadedBtyd> = {
    declines(relation) {
      if (!isBtydHeader(relation.header)) return false;
      if (relation.delimiter === 'parquet') throw refusal(load.path, 'it is a BTYD summary table, which rfm clv reads from CSV', 'give it as CSV, or drop --engine duckdb');
      return true;
    },
    async aggregate({ db, name, lines, mapping, decisions, firstBad }) {
      const last = holdoutDay ?? calibrationDay;
      const dayOf = `CAST(floor(ms / ${DAY_MS}) AS BIGINT)`;
      const kept =
        `${lines},\nbtyd_kept AS (SELECT rn, customer_id, ${dayOf} AS day, value AS v FROM lines WHERE rule IS NULL),\n` +
        `counted AS (SELECT * FROM btyd_kept${last === undefined ? '' : ` WHERE day <= ${last}`})`;
      const rules = await db.columns(
        `WITH ${kept}\n` +
          `SELECT rule, CAST(count(*) AS DOUBLE) AS n FROM lines GROUP BY rule\n` +
          `UNION ALL SELECT '#after', CAST(count(*) AS DOUBLE) FROM btyd_kept${last === undefined ? ' WHERE false' : ` WHERE day > ${last}`}\n` +
          `UNION ALL SELECT '#latest', CAST(max(day) AS DOUBLE) FROM counted`,
      );
      const dropped = emptyDropCounts();
      let rowsRead = 0;
      let afterEnd = 0;
      let latest = -Infinity;
      (rules.rule as (string | null)[]).forEach((rule, i) => {
        const n = rules.n[i] as number | null;
        if (rule === '#after') afterEnd = n ?? 0;
        else if (rule === '#latest') latest = n ?? -Infinity;
        else {
          rowsRead += n!;
          if (rule !== null) dropped[rule as DropRule] = n!;
        }
      });
      const report: CleaningReport = { source: name, rowsRead, rowsKept: rowsRead - Object.values(dropped).reduce((a, b) => a + b, 0), dropped };
      if (report.rowsKept === 0) throw nothingKeptError(report);
      // The calibration end: given, else the latest purchase day kept.
      const calDay = calibrationDay ?? latest;
      const inCalibration = `day <= ${calDay}`;
      const result = await db.columns(
        `WITH ${kept},\nfirsts AS (SELECT *, min(CASE WHEN ${inCalibration} THEN day END) OVER (PARTITION BY customer_id) AS first_day FROM counted)\n` +
          `SELECT customer_id, CAST(count(DISTINCT day) FILTER (WHERE ${inCalibration}) AS DOUBLE) AS days, CAST(min(first_day) AS DOUBLE) AS first_day, ` +
          `CAST(max(day) FILTER (WHERE ${inCalibration}) AS DOUBLE) AS last_day, CAST(count(DISTINCT day) FILTER (WHERE day > ${calDay}) AS DOUBLE) AS holdout_days, ` +
          `list_reduce(list(v ORDER BY rn) FILTER (WHERE ${inCalibration}), (a, b) -> a + b) AS total, ` +
          `list_reduce(list(v ORDER BY rn) FILTER (WHERE day = first_day), (a, b) -> a + b) AS first_value\n` +
          `FROM firsts GROUP BY customer_id`,
      );
      const byDay = await db.columns(
        `WITH ${kept},\npairs AS (SELECT DISTINCT customer_id, day FROM counted),\n` +
          `firsts AS (SELECT customer_id, min(day) AS first_day FROM pairs WHERE ${inCalibration} GROUP BY customer_id)\n` +
          `SELECT 'first' AS kind, CAST(first_day AS DOUBLE) AS day, CAST(count(*) AS DOUBLE) AS n FROM firsts GROUP BY first_day\n` +
          `UNION ALL SELECT 'repeat', CAST(p.day AS DOUBLE), CAST(count(*) AS DOUBLE) FROM pairs p JOIN firsts f ON f.customer_id = p.customer_id AND p.day > f.first_day GROUP BY p.day`,
      );
      const ids = result.customer_id as string[];
      const order = ids.map((_, i) => i).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
      const rows: BtydRow[] = [];
      let firstAfterCalibration = 0;
      for (const i of order) {
        const days = result.days[i] as number;
        if (days === 0) {
          firstAfterCalibration++;
          continue;
        }
        const first = result.first_day[i] as number;
        const frequency = days - 1;
        const total = result.total[i] as number;
        const row: BtydRow = {
          customerId: ids[i],
          frequency,
          recency: ((result.last_day[i] as number) - first) / periodDays,
          T: (calDay - first) / periodDays,
          // As summary.ts: 0 + the values in file order (0 + v is v), the first day's likewise.
          monetaryValue: frequency > 0 ? (0 + total - (0 + (result.first_value[i] as number))) / frequency : 0,
        };
        if (holdoutDay !== undefined) row.holdoutFrequency = result.holdout_days[i] as number;
        rows.push(row);
      }
      const firstPurchasesByDay = new Map<number, number>();
      const repeatsByDay = new Map<number, number>();
      (byDay.kind as string[]).forEach((kind, i) => (kind === 'first' ? firstPurchasesByDay : repeatsByDay).set(byDay.day[i] as number, byDay.n[i] as number));
      const summary: BtydSummary = {
        period: options.period,
        periodDays,
        calibrationEnd: calDay * DAY_MS,
        holdoutEnd: holdoutDay === undefined ? null : holdoutDay * DAY_MS,
        holdoutLength: holdoutDay === undefined ? 0 : (holdoutDay - calDay) / periodDays,
        customers: asTable(rows),
        afterEnd,
        firstAfterCalibration,
        firstPurchasesByDay,
        repeatsByDay,
      };
      // As io/btyd.ts: the rows after the last day read are the ones counted after the as-of date.
      report.dropped.after_as_of = afterEnd;
      report.rowsKept -= afterEnd;
      if (rows.length === 0) throw dataError(`no customer of ${name} bought on or before the calibration end`, { file: name, hint: 'choose a later --calibration-end' });
      return {
        kind: 'transactions',
        summary,
        report,
        layouts: decisions.layouts,
        columnsNotice: mapping.notice,
        warnings: dropWarnings(report, await firstBad(report)),
        hasMonetary: true,
      };
    },
  };
  // No as-of rule in SQL: the summary leaves out the rows after the last day, as the default engine does.
  const read = { ...options, asOf: undefined, cleaning: { ...options.cleaning, keepZeroPrice: true } };
  return loadCustomersDuckdb(load, read, aggregation);
}
