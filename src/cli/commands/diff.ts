/**
 * rfm diff — who moved between segments: the migration matrix of one log at two as-of dates (read
 * once, aggregated at both with the same cleaning rules, assigned with the same model), or of two
 * saved `rfm segment` batches. --customers lists the movers instead.
 */
import { Command } from 'commander';
import { assignRows } from '../../core/assign.js';
import { byName, forEachCustomer, migrationMatrix, type MigrationInput, type MigrationMatrix, type Movement } from '../../core/diff.js';
import { usageError } from '../../core/errors.js';
import { formatDate, formatTimestamp } from '../../io/dates.js';
import { modelPath, readModel } from '../../io/model-file.js';
import { withSink } from '../../io/output.js';
import { writeRecords, type Cell, type Column, type MachineFormat } from '../../io/records.js';
import { readSegmented } from '../../io/segmented.js';
import { columnLabel, moversLine, renderMigration, rowLabel } from '../../render/diff.js';
import { plural } from '../../render/numbers.js';
import { renderRecords } from '../../render/table.js';
import type { Context } from '../context.js';
import { readCustomers } from '../load.js';
import { addCommonOptions, addInputOptions, addModelOption, columnOverrides, parseDateOption, parseInteger, type RawInputOptions } from '../options.js';
import type { RunWrapper } from './index.js';

interface DiffOptions extends RawInputOptions {
  model?: string;
  from?: string;
  to?: string;
  lostAfter?: string;
  customers?: boolean;
}

/** What the output says about where the two snapshots came from. */
interface Origin {
  from: string | null;
  to: string | null;
  sources: { from: string; to: string };
  model: { file: string; createdAt: string; k: number } | null;
}

/** One log at --from and --to: read once, both aggregations from the same kept rows. */
async function fromLog(ctx: Context, input: string | undefined, o: DiffOptions, lostAfter: number | undefined): Promise<{ input: MigrationInput; origin: Origin }> {
  if (o.asOf !== undefined) throw usageError('rfm diff takes --from and --to, not --as-of', 'e.g. rfm diff tx.csv --from 2011-06-30 --to 2011-12-09');
  const from = parseDateOption(o.from, '--from');
  if (from === undefined) throw usageError('rfm diff of one log needs --from DATE', 'e.g. rfm diff tx.csv --from 2011-06-30 [--to 2011-12-09], or give two segmented files');
  const to = parseDateOption(o.to, '--to');
  if (to !== undefined && from >= to) throw usageError(`--from ${o.from} must be before --to ${o.to}`);
  const path = modelPath(o.model, ctx.streams.env);
  const model = await readModel(path);
  const loaded = await readCustomers(ctx, input, o, { asOf: to, snapshotAsOf: [from] });
  const asOf = loaded.asOf!;
  if (from >= asOf) throw usageError(`--from ${o.from} must be before --to, here the latest purchase + 1 day (${formatTimestamp(asOf)})`, 'give an earlier --from or a later --to');
  const [before] = loaded.snapshots!;
  ctx.info(`from ${formatTimestamp(from)}: ${plural(before.customers.length, 'customer')}; to ${formatTimestamp(asOf)}${to === undefined ? ' (the latest purchase + 1 day)' : ''}: ${plural(loaded.customers.length, 'customer')}; model ${path}`);
  if (before.customers.length === 0) ctx.warn(`nobody bought by --from ${formatDate(from)}: every customer is new`);
  return {
    input: {
      segments: model.segments.map((s) => s.name),
      from: { customers: before.customers, labels: assignRows(model, before.customers) },
      to: { customers: loaded.customers, labels: assignRows(model, loaded.customers) },
      lostAfter,
    },
    origin: {
      from: formatTimestamp(from),
      to: formatTimestamp(asOf),
      sources: { from: loaded.report?.source ?? String(input), to: loaded.report?.source ?? String(input) },
      model: { file: path, createdAt: model.createdAt, k: model.params.k },
    },
  };
}

/** Two saved batches: segments matched by name. */
async function fromFiles(ctx: Context, a: string, b: string, o: DiffOptions, lostAfter: number | undefined): Promise<{ input: MigrationInput; origin: Origin }> {
  const flag = o.model !== undefined ? '-m' : o.from !== undefined ? '--from' : o.to !== undefined ? '--to' : o.asOf !== undefined ? '--as-of' : undefined;
  if (flag !== undefined) throw usageError(`${flag} is for one transaction log; two segmented files already carry their segments`, `drop ${flag}, or give one log: rfm diff tx.csv --from DATE`);
  if (a === '-' && b === '-') throw usageError('only one of the two files can be stdin (-)');
  const overrides = columnOverrides(o);
  const before = await readSegmented(await ctx.openInput(a), overrides, o.sheet);
  const after = await readSegmented(await ctx.openInput(b), overrides, o.sheet);
  const named = (f: typeof before) => ({ customers: f.customers, names: f.segments, clusters: f.clusters });
  const { input, renamed } = byName(named(before), named(after), lostAfter);
  if (renamed.length > 0) {
    ctx.warn(`${a} and ${b} name cluster ${renamed.join(', ')} differently: they may come from different models (segments are matched by name)`);
  }
  ctx.info(`from ${a}: ${plural(before.customers.length, 'customer')}; to ${b}: ${plural(after.customers.length, 'customer')}`);
  return { input, origin: { from: null, to: null, sources: { from: a, to: b }, model: null } };
}

const cellText = (value: number | undefined): Cell => (value === undefined ? null : value);

/** The movers' rows (segment changed, new or lost), for --customers. */
function movers(input: MigrationInput, machine: boolean): { rows: Record<string, Cell>[]; all: number } {
  const rows: Record<string, Cell>[] = [];
  let all = 0;
  const name = (index: number, label: (p: null) => string) => (index < 0 ? (machine ? null : label(null)) : input.segments[index]);
  forEachCustomer(input, (m: Movement) => {
    all++;
    if (m.from === m.to) return;
    rows.push({
      customer_id: m.customerId,
      from_segment: name(m.from, rowLabel),
      to_segment: name(m.to, columnLabel),
      recency_from: cellText(m.before?.recency),
      recency_to: cellText(m.after?.recency),
      frequency_from: cellText(m.before?.frequency),
      frequency_to: cellText(m.after?.frequency),
      monetary_from: cellText(m.before?.monetary),
      monetary_to: cellText(m.after?.monetary),
      revenue: m.revenue,
    });
  });
  return { rows, all };
}

const MOVER_KINDS: Record<string, Column<unknown>['kind']> = {
  recency_from: 'int',
  recency_to: 'int',
  frequency_from: 'int',
  frequency_to: 'int',
  monetary_from: 'money',
  monetary_to: 'money',
  revenue: 'money',
};
const MOVER_HEADERS = ['customer_id', 'from_segment', 'to_segment', ...Object.keys(MOVER_KINDS)];

async function writeMovers(ctx: Context, input: MigrationInput): Promise<void> {
  const format = ctx.format('csv');
  // JSON keeps null for new (from) and lost (to); text formats write the labels.
  const { rows, all } = movers(input, format === 'json' || format === 'ndjson');
  ctx.info(moversLine(rows.length, all));
  const columns: Column<Record<string, Cell>>[] = MOVER_HEADERS.map((header) => ({ header, value: (row) => row[header], kind: MOVER_KINDS[header] }));
  await withSink(await ctx.openOutput(), async (out) => {
    if (format === 'table') await out.write(renderRecords(columns, rows, ctx.style, ctx.view));
    else await writeRecords(out, format as MachineFormat, columns, rows);
  });
}

const MATRIX_COLUMNS: Column<MigrationMatrix['cells'][number]>[] = [
  { header: 'from', value: (c) => rowLabel(c.from) },
  { header: 'to', value: (c) => columnLabel(c.to) },
  { header: 'customers', value: (c) => c.customers },
  { header: 'revenue', value: (c) => c.revenue },
];

async function writeMatrix(ctx: Context, matrix: MigrationMatrix, origin: Origin): Promise<void> {
  const format = ctx.format('json');
  await withSink(await ctx.openOutput(), async (out) => {
    if (format === 'table') await out.write(renderMigration(matrix, ctx.style, ctx.view));
    else if (format === 'csv' || format === 'tsv') await writeRecords(out, format, MATRIX_COLUMNS, matrix.cells);
    else {
      const document = { ...origin, matrix: matrix.cells, rowTotals: matrix.rowTotals, columnTotals: matrix.columnTotals, totals: matrix.totals };
      await out.write(JSON.stringify(document, null, format === 'json' ? 2 : undefined) + '\n');
    }
  });
}

export function diffCommand(run: RunWrapper): Command {
  const command = new Command('diff')
    .description('who moved between segments: the migration matrix between two dates')
    .argument('[input]', 'transaction log (- for stdin), or the first of two files as rfm segment writes them')
    .argument('[second]', 'the second segmented file')
    .option('--from <date>', 'first as-of date (log form): segments as of then')
    .option('--to <date>', 'second as-of date (default: the latest purchase + 1 day)')
    .option('--lost-after <days>', 'count a customer as lost when their recency at --to is more than DAYS (default: never; they stay in the segment the model gives them)')
    .option('--customers', 'list each customer who changed segment (new and lost included) instead of the matrix');
  addModelOption(command);
  addInputOptions(command);
  addCommonOptions(command);
  command.addHelpText(
    'after',
    `
The log is read once and aggregated at both dates with the same cleaning rules; both are assigned
with the same model (-m, else $RFM_MODEL, else ./rfm-model.json, as rfm segment finds it). Rows are
the segments at --from plus (new): no purchase by --from. Columns are the segments at --to, plus
(lost) with --lost-after or for ids in the first file only. Revenue is what each cell's customers
spent between the dates. JSON writes null for (new) and (lost).

Example:
  $ rfm diff tx.csv --from 2011-06-30 --to 2011-12-09
  $ rfm diff tx.csv --from 2011-06-30 --lost-after 180 --customers -o movers.csv
  $ rfm segment tx.csv --as-of 2011-06-30 -o june.csv && rfm segment tx.csv -o dec.csv
  $ rfm diff june.csv dec.csv --format csv`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const [first, second] = command.args;
      const o = command.opts<DiffOptions>();
      const lostAfter = o.lostAfter === undefined ? undefined : parseInteger(o.lostAfter, '--lost-after', 0);
      const { input, origin } = second === undefined ? await fromLog(ctx, first, o, lostAfter) : await fromFiles(ctx, first, second, o, lostAfter);
      if (o.customers) await writeMovers(ctx, input);
      else await writeMatrix(ctx, migrationMatrix(input), origin);
    }),
  );
}
