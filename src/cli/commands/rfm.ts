/**
 * rfm rfm <tx> — one Recency/Frequency/Monetary row per customer.
 * --scores adds R/F/M quintile scores and the R/F grid segment; --extended adds purchase dates,
 * tenure and average order value.
 */
import { extname } from 'node:path';
import { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { settingsFromEnv } from '../../io/duckdb.js';
import { DAY_MS, type RfmCustomer, type RfmRow } from '../../core/rfm.js';
import { computeScores, METRICS, type CustomerScores } from '../../core/scores.js';
import { formatTimestamp } from '../../io/dates.js';
import { writeRecords, type Column } from '../../io/records.js';
import { withSink } from '../../io/output.js';
import { formatNumber, plural } from '../../render/numbers.js';
import { renderRecords } from '../../render/table.js';
import type { Context } from '../context.js';
import { readCustomers } from '../load.js';
import { addCommonOptions, addEngineOption, addInputOptions, type RawInputOptions } from '../options.js';

interface OutputRow {
  row: RfmRow & Partial<RfmCustomer>;
  scores?: CustomerScores;
}

function columnsFor(scores: boolean, extended: boolean, asOf: number | null): Column<OutputRow>[] {
  const columns: Column<OutputRow>[] = [
    { header: 'customer_id', value: (o) => o.row.customerId },
    { header: 'recency', value: (o) => o.row.recency, kind: 'int' },
    { header: 'frequency', value: (o) => o.row.frequency, kind: 'int' },
    { header: 'monetary', value: (o) => o.row.monetary, kind: 'money' },
  ];
  if (scores) {
    columns.push(
      { header: 'r_score', value: (o) => o.scores!.r, kind: 'int' },
      { header: 'f_score', value: (o) => o.scores!.f, kind: 'int' },
      { header: 'm_score', value: (o) => o.scores!.m, kind: 'int' },
      { header: 'rfm_score', value: (o) => o.scores!.rfmScore },
      { header: 'score_segment', value: (o) => o.scores!.segment },
    );
  }
  if (extended) {
    const time = (t: number | undefined) => (t === undefined ? null : formatTimestamp(t));
    columns.push(
      { header: 'first_purchase', value: (o) => time(o.row.firstPurchase) },
      { header: 'last_purchase', value: (o) => time(o.row.lastPurchase) },
      {
        header: 'tenure_days',
        value: (o) => (o.row.firstPurchase === undefined || asOf === null ? null : Math.floor((asOf - o.row.firstPurchase) / DAY_MS)),
        kind: 'int',
      },
      { header: 'avg_order_value', value: (o) => (o.row.frequency > 0 ? o.row.monetary / o.row.frequency : null), kind: 'money' },
    );
  }
  return columns;
}

/** True for `-o FILE.parquet`, which needs --engine duckdb and takes no other --format. */
export function parquetOutput(ctx: Context, engine: string | undefined): boolean {
  const file = ctx.options.output;
  if (file === undefined || extname(file).toLowerCase() !== '.parquet') return false;
  if (engine !== 'duckdb') {
    throw usageError(
      `-o ${file}: cannot write .parquet files without --engine duckdb (Parquet is written through DuckDB)`,
      'add --engine duckdb, or give a file ending in .csv, .tsv, .json, .ndjson or .jsonl, or say which format with --format',
    );
  }
  if (ctx.options.format !== undefined) throw usageError(`-o ${file} is written as Parquet: --format ${ctx.options.format} does not apply`, 'drop --format, or give another file name');
  return true;
}

export function rfmCommand(run: (action: (ctx: Context) => Promise<void>) => (...args: unknown[]) => Promise<void>): Command {
  const command = new Command('rfm')
    .description('one Recency/Frequency/Monetary row per customer')
    .argument('[input]', 'transaction log (CSV, .gz, .xlsx); - or nothing for stdin')
    .option('--scores', 'add 1-5 quintile scores (recency reversed), rfm_score and the R/F grid segment')
    .option('--extended', 'add first/last purchase, tenure_days and avg_order_value')
    .option('--report <file>', 'also write the per-rule drop counts as JSON to FILE');
  addInputOptions(command);
  addEngineOption(command);
  addCommonOptions(command);
  command.addHelpText(
    'after',
    `
Example:
  $ rfm rfm fixtures/online_retail_sample.csv --format csv | head -3
  customer_id,recency,frequency,monetary
  12346,7,7,4243.74
  12348,3,5,2374.64

  $ rfm clean tx.csv | rfm rfm - --scores --as-of 2011-12-10`,
  );
  return command.action(
    run(async (ctx) => {
      const [input] = command.args;
      const raw = command.opts<RawInputOptions & { scores?: boolean; extended?: boolean; report?: string; engine?: string }>();
      // -o x.parquet: CSV records copied into Parquet by DuckDB (io/duckdb.ts parquetSink).
      const parquet = parquetOutput(ctx, raw.engine);
      const format = parquet ? 'csv' : ctx.format('csv');
      const sink = parquet
        ? await (await import('../../io/duckdb.js')).parquetSink(ctx.options.output!, columnsFor(raw.scores === true, raw.extended === true, null), settingsFromEnv(ctx.streams.env))
        : await ctx.openOutput();
      await withSink(sink, async () => {
        const loaded = await readCustomers(ctx, input, raw);
        let rows: OutputRow[] = loaded.customers.map((row) => ({ row }));
        if (raw.scores) {
          const result = computeScores(loaded.customers);
          rows = rows.map((o, i) => ({ ...o, scores: result.scores[i] }));
          for (const metric of METRICS) {
            ctx.info(`${metric} score thresholds (20/40/60/80%): ${result.thresholds[metric].map(formatNumber).join(', ')}`);
          }
          for (const { metric, distinctScores } of result.collapsed) {
            ctx.warn(`${metric} scores collapse on ties: only ${distinctScores} of 5 distinct scores are possible (equal values keep equal scores)`);
          }
        }
        if (loaded.asOf !== null) ctx.info(`as-of ${formatTimestamp(loaded.asOf)}, ${plural(loaded.customers.length, 'customer')}`);
        const columns = columnsFor(raw.scores === true, raw.extended === true, loaded.asOf);
        if (format === 'table') await sink.write(renderRecords(columns, rows, ctx.style, ctx.view));
        else await writeRecords(sink, format, columns, rows);
      });
    }),
  );
}
