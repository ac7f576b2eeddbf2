/**
 * rfm segment — the segment of one customer (--recency --frequency --monetary), or of every
 * customer in a transaction log or RFM table. An RFM table streams through in its own order with
 * flat memory; a log is cleaned and aggregated with the model's as-of date unless --as-of is given.
 */
import { Command } from 'commander';
import { batchAssigner, explain, valueProblems, type CustomerValues } from '../../core/assign.js';
import { BTYD_FIELDS, btydProblems, predictClv, type BtydField, type BtydValues, type ClvPrediction } from '../../core/clv-model.js';
import { modelError, usageError } from '../../core/errors.js';
import type { RfmModel } from '../../core/model.js';
import type { RfmRow } from '../../core/rfm.js';
import { loadCustomers } from '../../io/customers.js';
import { parseNumber } from '../../io/transactions.js';
import { formatDate, formatTimestamp, parseTimestamp } from '../../io/dates.js';
import { modelPath, readModel } from '../../io/model-file.js';
import { withSink, type Sink } from '../../io/output.js';
import { delimited, numberText, writeRecords, type Cell, type Column, type MachineFormat } from '../../io/records.js';
import { clvLine } from '../../render/clv-summary.js';
import { formatNumber, plural } from '../../render/numbers.js';
import { renderRecords, renderWindow, RowWindow } from '../../render/table.js';
import { escapeControl } from '../../render/text.js';
import type { Context, Format } from '../context.js';
import { announceDrops, cleaningSummary, readWithDuckdb } from '../load.js';
import { addCommonOptions, addEngineOption, addInputOptions, addModelOption, loadOptions, type RawInputOptions } from '../options.js';
import type { RunWrapper } from './index.js';

interface SegmentOptions extends RawInputOptions {
  model?: string;
  recency?: string;
  frequency?: string;
  monetary?: string;
  explain?: boolean;
  btydFrequency?: string;
  btydRecency?: string;
  btydT?: string;
  btydMonetary?: string;
}

const BTYD_FLAGS: Record<BtydField, keyof SegmentOptions & `btyd${string}`> = {
  frequency: 'btydFrequency',
  recency: 'btydRecency',
  T: 'btydT',
  monetaryValue: 'btydMonetary',
};
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * With --explain and the --btyd-* flags: the customer's P(alive), expected purchases, spend and CLV
 * from the model's clv section. Undefined without the flags; a usage error when they are partial
 * or impossible, a model error when the model has no clv section.
 */
function btydPrediction(model: RfmModel, path: string, o: SegmentOptions): ClvPrediction | undefined {
  const given = BTYD_FIELDS.filter((field) => o[BTYD_FLAGS[field]] !== undefined);
  if (given.length === 0) return undefined;
  const example = 'e.g. --btyd-frequency 2 --btyd-recency 30.43 --btyd-t 38.86 --btyd-monetary 22.35 (in the model\'s clv period)';
  if (!o.explain) throw usageError(`${flagName(BTYD_FLAGS[given[0]])} is for --explain`, 'add --explain');
  const parse = (text: string | undefined) => (text === undefined ? undefined : parseNumber(text.trim()));
  const values = Object.fromEntries(BTYD_FIELDS.map((field) => [field, parse(o[BTYD_FLAGS[field]])]));
  const problems = btydProblems(values);
  if (problems.length > 0) {
    const [field, requirement] = problems[0];
    const text = o[BTYD_FLAGS[field]];
    throw usageError(`${flagName(BTYD_FLAGS[field])} ${requirement}${text === undefined ? '' : ` (got "${text}")`}`, example);
  }
  if (model.clv === undefined) {
    throw modelError(`model ${path} has no lifetime-value models`, { file: path, hint: 'fit them with: rfm fit <transactions> --clv' });
  }
  return predictClv(model.clv, values as unknown as BtydValues);
}

interface Scored {
  row: RfmRow;
  cluster: number;
}

function flagValues(o: SegmentOptions): CustomerValues {
  // As strict as a number in a file: "0x10", "1,234.50", "Infinity" and "" are not numbers.
  const parse = (text: string | undefined) => (text === undefined ? undefined : parseNumber(text.trim()));
  const values = { recency: parse(o.recency), frequency: parse(o.frequency), monetary: parse(o.monetary) };
  const problems = valueProblems(values);
  if (problems.length > 0) {
    const [field, requirement] = problems[0];
    const given = o[field];
    throw usageError(
      `--${field} ${requirement}${given === undefined ? '' : ` (got "${given}")`}`,
      'e.g. rfm segment --recency 30 --frequency 4 --monetary 2500 (recency in days >= 0, frequency >= 1, monetary >= 0)',
    );
  }
  return values as CustomerValues;
}

async function segmentOne(ctx: Context, model: RfmModel, path: string, o: SegmentOptions): Promise<void> {
  const values = flagValues(o);
  const result = explain(model, values);
  const clv = btydPrediction(model, path, o);
  const format = ctx.format('json');
  await withSink(await ctx.openOutput(), async (out) => {
    if (format === 'table') {
      const columns: Column<number>[] = [
        { header: 'cluster', value: (c) => c, kind: 'int' },
        { header: 'segment', value: (c) => model.segments[c].name },
        { header: 'distance', value: (c) => result.distances[c], kind: 'number' },
        { header: '', value: (c) => (c === result.cluster ? '← nearest' : '') },
      ];
      const segment = escapeControl(result.segment, false);
      const head = `recency ${formatNumber(values.recency)}, frequency ${formatNumber(values.frequency)}, monetary ${formatNumber(values.monetary)} → ${ctx.style.chalk.bold(segment)} (cluster ${result.cluster})\n`;
      // k is at most a few dozen: the explanation is shown whole.
      const lifetime = clv === undefined ? '' : clvLine(clv, model.clv!);
      await out.write(head + lifetime + (o.explain ? renderRecords(columns, model.segments.map((s) => s.cluster), ctx.style, { ...ctx.view, limitRows: false }) : ''));
      return;
    }
    if (format === 'csv' || format === 'tsv') {
      // One row: the values given, the answer, and with --explain the scaled values and distances.
      const row: [string, Cell][] = [
        ['recency', values.recency],
        ['frequency', values.frequency],
        ['monetary', values.monetary],
        ['cluster', result.cluster],
        ['segment', result.segment],
      ];
      if (o.explain) {
        (['recency', 'frequency', 'monetary'] as const).forEach((name, i) => row.push([`scaled_${name}`, result.scaled[i]]));
        for (const s of model.segments) row.push([`distance_${s.cluster}`, result.distances[s.cluster]]);
      }
      if (clv !== undefined) {
        row.push(['p_alive', clv.pAlive], ['expected_purchases', clv.expectedPurchases], ['expected_spend', clv.expectedSpend], ['clv', clv.clv]);
      }
      const columns: Column<null>[] = row.map(([header, value]) => ({ header, value: () => value }));
      await writeRecords(out, format, columns, [null]);
      return;
    }
    const object = o.explain
      ? {
          cluster: result.cluster,
          segment: result.segment,
          scaled: { recency: result.scaled[0], frequency: result.scaled[1], monetary: result.scaled[2] },
          distances: model.segments.map((s) => ({ cluster: s.cluster, segment: s.name, distance: result.distances[s.cluster] })),
          ...(clv === undefined ? {} : { clv: { ...clv, period: model.clv!.period, horizonMonths: model.clv!.horizonMonths, monthlyDiscount: model.clv!.monthlyDiscount } }),
        }
      : { cluster: result.cluster, segment: result.segment };
    await out.write(JSON.stringify(object) + '\n');
  });
}

function batchColumns(model: RfmModel): Column<Scored>[] {
  return [
    { header: 'customer_id', value: (s) => s.row.customerId },
    { header: 'recency', value: (s) => s.row.recency, kind: 'int' },
    { header: 'frequency', value: (s) => s.row.frequency, kind: 'int' },
    { header: 'monetary', value: (s) => s.row.monetary, kind: 'money' },
    { header: 'cluster', value: (s) => s.cluster, kind: 'int' },
    { header: 'segment', value: (s) => model.segments[s.cluster].name },
  ];
}

/**
 * Assigns and writes one batch; a JSON array is opened by the first batch and closed at the end.
 * CSV (the default when piped) and TSV are written line by line without the generic column
 * machinery (DESIGN.md §5: a million rows a second): the same text, far fewer allocations.
 */
function batchWriter(ctx: Context, out: Sink, format: Format, model: RfmModel) {
  const columns = batchColumns(model);
  const assign = batchAssigner(model);
  const { field, separator: sep } = delimited(format === 'tsv' ? 'tsv' : 'csv');
  const header = columns.map((c) => field(c.header)).join(sep) + '\n';
  const names = model.segments.map((s) => field(s.name));
  let first = true;
  // A terminal shows the first rows of a long batch (render/table.ts); the rest are only counted.
  const tableRows = new RowWindow<Scored>(ctx.view.limitRows);
  return {
    async write(rows: RfmRow[]) {
      if (format === 'csv' || format === 'tsv') {
        let text = first ? header : '';
        for (const row of rows) {
          const cluster = assign(row);
          text += `${field(row.customerId)}${sep}${numberText(row.recency)}${sep}${numberText(row.frequency)}${sep}${numberText(row.monetary)}${sep}${cluster}${sep}${names[cluster]}\n`;
        }
        await out.write(text);
        if (rows.length > 0) first = false;
        return;
      }
      if (format === 'table') {
        for (const row of rows) tableRows.push({ row, cluster: assign(row) });
        return;
      }
      const batch = rows.map((row): Scored => ({ row, cluster: assign(row) }));
      if (format === 'json') {
        const text = batch.map((s) => JSON.stringify(Object.fromEntries(columns.map((c) => [c.header, c.value(s)])))).join(',\n');
        if (batch.length > 0) await out.write((first ? '[\n' : ',\n') + text);
      } else {
        // NDJSON: one object a line.
        let text = '';
        const collector = { isTerminal: false, write: async (t: string) => void (text += t), commit: async () => undefined, abort: async () => undefined };
        await writeRecords(collector, format as MachineFormat, columns, batch);
        await out.write(text);
      }
      if (batch.length > 0) first = false;
    },
    async end() {
      if (format === 'table') await out.write(renderWindow(columns, tableRows, ctx.style, ctx.view));
      else if (format === 'json') await out.write(first ? '[]\n' : '\n]\n');
      else if ((format === 'csv' || format === 'tsv') && first) await out.write(header);
    },
  };
}

async function segmentBatch(ctx: Context, model: RfmModel, input: string | undefined, o: SegmentOptions): Promise<void> {
  const options = loadOptions(o);
  // A log is aggregated with the model's as-of date unless --as-of is given.
  const asOfGiven = options.asOf !== undefined;
  const format = ctx.format('csv');
  const open = () =>
    ctx.openInput(input, {
      also: 'give --recency, --frequency and --monetary',
      example: 'rfm segment customers.csv, or rfm segment --recency 30 --frequency 4 --monetary 2500',
    });
  // --engine duckdb reads the file itself (a CSV RFM table is still read by the default reader).
  const source = o.engine === 'duckdb' ? undefined : await open();
  const name = source?.name ?? input!;
  await withSink(await ctx.openOutput(), async (out) => {
    const writer = batchWriter(ctx, out, format, model);
    let streamed = 0;
    const withAsOf = { ...options, asOf: options.asOf ?? (model.training.asOf === null ? undefined : parseTimestamp(model.training.asOf)), asOfFromModel: !asOfGiven };
    const onBatch = (rows: RfmRow[]) => {
      streamed += rows.length;
      return writer.write(rows);
    };
    const loaded = (o.engine === 'duckdb' ? await readWithDuckdb(ctx, input, withAsOf) : undefined) ?? (await loadCustomers(source ?? (await open()), withAsOf, onBatch));
    if (loaded.kind === 'rfm' && loaded.customers.length > 0) await onBatch(loaded.customers);
    if (loaded.kind === 'transactions') {
      const report = loaded.report;
      if (loaded.columnsNotice !== undefined) ctx.info(loaded.columnsNotice);
      if (report) ctx.info(() => cleaningSummary(report));
      announceDrops(ctx, name, loaded.warnings, o.strict === true);
      // A model fitted on an RFM table has no as-of date: the log's own default applies then, as it
      // does for a log newer than the model (scored as of its own latest purchase + 1 day).
      const newer = loaded.newerThanModel;
      const asOfFrom = asOfGiven
        ? '--as-of'
        : newer !== undefined
          ? `the data's own: its latest purchase, ${formatDate(newer.latestPurchase)}, is after the model's as-of ${formatDate(newer.modelAsOf)}; --as-of DATE chooses another`
          : model.training.asOf !== null
            ? "the model's"
            : 'no as-of in the model: the latest purchase + 1 day';
      ctx.info(() => `as-of ${formatTimestamp(loaded.asOf!)} (${asOfFrom}), ${plural(loaded.customers.length, 'customer')}`);
      await writer.write(loaded.customers);
    } else {
      ctx.info(`segmented ${plural(streamed, 'customer')}`);
    }
    await writer.end();
  });
}

export function segmentCommand(run: RunWrapper): Command {
  const command = new Command('segment')
    .description('the segment of one customer (from flags) or of every customer in a file')
    .argument('[input]', 'transaction log or RFM table for a batch; - for stdin')
    .option('--recency <days>', 'days since the last purchase (>= 0)')
    .option('--frequency <n>', 'number of purchases (>= 1)')
    .option('--monetary <amount>', 'total spend (>= 0)')
    .option('--explain', 'add the scaled features and the distance to every centroid')
    .option('--btyd-frequency <x>', "with --explain and a model fitted with --clv: repeat purchase days (BTYD frequency)")
    .option('--btyd-recency <t>', "with --explain: time from the first to the last purchase day, in the model's clv period")
    .option('--btyd-t <T>', "with --explain: time from the first purchase day to the calibration end, in the model's clv period")
    .option('--btyd-monetary <m>', 'with --explain: mean value per repeat purchase day (0 for a one-time buyer)');
  addModelOption(command);
  addInputOptions(command);
  addEngineOption(command);
  addCommonOptions(command);
  command.addHelpText(
    'after',
    `
Example:
  $ rfm segment --recency 15 --frequency 2 --monetary 800
  {"cluster":1,"segment":"Potential Loyalists"}
  $ rfm segment customers_rfm.csv -o segmented.csv`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const [input] = command.args;
      const o = command.opts<SegmentOptions>();
      const single = o.recency !== undefined || o.frequency !== undefined || o.monetary !== undefined;
      if (single && input !== undefined) throw usageError('give either --recency/--frequency/--monetary or an input file, not both');
      const path = modelPath(o.model, ctx.streams.env);
      const model = await readModel(path);
      if (!single && BTYD_FIELDS.some((field) => o[BTYD_FLAGS[field]] !== undefined)) {
        throw usageError('the --btyd-* flags explain one customer', 'give --recency, --frequency and --monetary too, with --explain');
      }
      if (single) await segmentOne(ctx, model, path, o);
      else await segmentBatch(ctx, model, input, o);
    }),
  );
}
