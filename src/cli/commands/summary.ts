/**
 * rfm summary — per-segment statistics from the model alone (no data needed): the table and the
 * four bar charts on a terminal, JSON when piped. With --data FILE the same statistics are
 * recomputed for new customers assigned with the saved model.
 */
import { Command } from 'commander';
import { summaryForData, summaryFromModel, type ClvSummary, type SegmentSummary, type Summary } from '../../core/summary.js';
import { formatDate, formatTimestamp, parseTimestamp } from '../../io/dates.js';
import { modelPath, readModel } from '../../io/model-file.js';
import { withSink } from '../../io/output.js';
import { writeRecords, type Column } from '../../io/records.js';
import { formatInt } from '../../render/numbers.js';
import { clvTable } from '../../render/clv-summary.js';
import { actionsList, allCharts, segmentTable } from '../../render/segments.js';
import { escapeControl, wrapWords } from '../../render/text.js';
import type { Context } from '../context.js';
import { readCustomers } from '../load.js';
import { addCommonOptions, addInputOptions, addModelOption, type RawInputOptions } from '../options.js';
import type { RunWrapper } from './index.js';

const stat = (pick: (s: SegmentSummary) => SegmentSummary['recency'], key: 'mean' | 'median') => (s: SegmentSummary) => pick(s)?.[key] ?? null;

/** The columns of a segment table in CSV/TSV (summary and fit). */
export const SEGMENT_COLUMNS: Column<SegmentSummary>[] = [
  { header: 'cluster', value: (s) => s.cluster },
  { header: 'segment', value: (s) => s.name },
  { header: 'customers', value: (s) => s.size },
  { header: 'share', value: (s) => s.share },
  { header: 'recency_mean', value: stat((s) => s.recency, 'mean') },
  { header: 'recency_median', value: stat((s) => s.recency, 'median') },
  { header: 'frequency_mean', value: stat((s) => s.frequency, 'mean') },
  { header: 'frequency_median', value: stat((s) => s.frequency, 'median') },
  { header: 'monetary_mean', value: stat((s) => s.monetary, 'mean') },
  { header: 'monetary_median', value: stat((s) => s.monetary, 'median') },
  { header: 'revenue', value: (s) => s.revenue },
  { header: 'revenue_share', value: (s) => s.revenueShare },
  { header: 'description', value: (s) => s.description },
  { header: 'action', value: (s) => s.action },
];

/** With a clv section (rfm fit --clv): its per-segment figures after the segment columns. */
function clvColumns(clv: ClvSummary): Column<SegmentSummary>[] {
  const of = (s: SegmentSummary) => clv.segments[s.cluster];
  return [
    { header: 'p_alive_mean', value: (s) => of(s).pAlive },
    { header: 'expected_purchases_mean', value: (s) => of(s).expectedPurchases },
    { header: 'expected_spend_mean', value: (s) => of(s).expectedSpend },
    { header: 'clv_mean', value: (s) => of(s).clv },
    { header: 'clv_total', value: (s) => of(s).clvTotal },
  ];
}

function heading(summary: Summary, path: string, ctx: Context): string {
  const m = summary.model;
  const data =
    summary.data.source === m.source && summary.data.customers === m.customers
      ? `trained on ${m.source} (${formatInt(m.customers)} customers${m.asOf ? `, as of ${m.asOf.slice(0, 10)}` : ''})`
      : `${formatInt(summary.data.customers)} customers of ${summary.data.source}${summary.data.asOf ? ` as of ${summary.data.asOf.slice(0, 10)}` : ''}, in the segments of a model trained on ${m.source}`;
  // The path and the model's source name files: escaped, and wrapped to the terminal.
  return ctx.style.chalk.bold(wrapWords(escapeControl(`${path}: k = ${m.k}, ${m.transform} transform, ${data}`, false), ctx.view.width)) + '\n';
}

export function summaryCommand(run: RunWrapper): Command {
  const command = new Command('summary')
    .description('per-segment statistics and charts from the model (or for new data with --data)')
    .option('--data <file>', 'recompute the statistics for the customers of FILE (log or RFM table), assigned with the model')
    .option('--no-charts', 'the table alone, no bar charts');
  addModelOption(command);
  addInputOptions(command);
  addCommonOptions(command, ['table', 'json', 'ndjson', 'csv', 'tsv']);
  command.addHelpText(
    'after',
    `
Example:
  $ rfm summary                      # table + 4 bar charts of ./rfm-model.json
  $ rfm summary --format json | jq '.segments[] | {name, size}'
  $ rfm summary --data december.csv  # this month's customers in the saved segments`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const o = command.opts<RawInputOptions & { model?: string; data?: string; charts: boolean }>();
      const path = modelPath(o.model, ctx.streams.env);
      const model = await readModel(path);
      const format = ctx.format('json');
      let summary = summaryFromModel(model);
      if (o.data !== undefined) {
        // New data is aggregated with the model's as-of date unless --as-of is given.
        const modelAsOf = o.asOf === undefined && model.training.asOf !== null ? parseTimestamp(model.training.asOf) : undefined;
        const loaded = await readCustomers(ctx, o.data, o, modelAsOf === undefined ? {} : { asOf: modelAsOf, asOfFromModel: true });
        const newer = loaded.newerThanModel;
        if (newer !== undefined && loaded.asOf !== null) {
          ctx.info(
            `as-of ${formatTimestamp(loaded.asOf)} (the data's own: its latest purchase, ${formatDate(newer.latestPurchase)}, is after the model's as-of ${formatDate(newer.modelAsOf)}; --as-of DATE chooses another)`,
          );
        }
        summary = summaryForData(model, loaded.customers, o.data, loaded.asOf === null ? null : formatTimestamp(loaded.asOf));
      }
      await withSink(await ctx.openOutput(), async (out) => {
        if (format === 'json' || format === 'ndjson') {
          await out.write(JSON.stringify(summary, null, format === 'json' ? 2 : undefined) + '\n');
        } else if (format === 'csv' || format === 'tsv') {
          await writeRecords(out, format, summary.clv === undefined ? SEGMENT_COLUMNS : [...SEGMENT_COLUMNS, ...clvColumns(summary.clv)], summary.segments);
        } else {
          const width = ctx.view.width;
          let text = heading(summary, path, ctx) + segmentTable(summary.segments, ctx.style, ctx.view);
          if (summary.clv !== undefined) text += '\n' + clvTable(summary.clv, ctx.style, ctx.view);
          if (o.charts) text += '\n' + allCharts(summary.segments, ctx.style, Math.min(width ?? 80, 80));
          text += '\n' + actionsList(summary.segments, ctx.style, width);
          await out.write(text);
        }
      });
    }),
  );
}
