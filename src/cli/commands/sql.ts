/**
 * rfm sql rfm|btyd|segment — print the SELECT that runs the pipeline (or the BTYD summary, or a
 * model's scoring, with --clv its lifetime values too) inside a database, for the dialect asked. Only the query is written: nothing
 * connects anywhere. The table's columns are named by flags and quoted as given.
 */
import { Command, Option } from 'commander';
import { usageError } from '../../core/errors.js';
import { PERIOD_DAYS } from '../../core/clv/data.js';
import { btydQuery, type Period } from '../../core/sql/btyd-query.js';
import { DIALECTS, type DialectName } from '../../core/sql/dialects.js';
import { rfmQuery, type SqlColumns } from '../../core/sql/rfm-query.js';
import { DEFAULT_BTYD_COLUMNS } from '../../core/sql/clv-query.js';
import { segmentQuery } from '../../core/sql/segment-query.js';
import { parseTimestamp } from '../../io/dates.js';
import { modelPath, readModel } from '../../io/model-file.js';
import { withSink } from '../../io/output.js';
import type { Context } from '../context.js';
import { addModelOption, cleaningOptions, parseAsOf, type RawInputOptions } from '../options.js';
import type { RunWrapper } from './index.js';

interface SqlOptions extends RawInputOptions {
  dialect: DialectName;
  table: string;
  statusCol?: string;
  scores?: boolean;
  period: Period;
  calibrationEnd?: string;
  model?: string;
  recencyCol: string;
  frequencyCol: string;
  monetaryCol: string;
  clv?: boolean;
  btydFrequencyCol: string;
  btydRecencyCol: string;
  btydTCol: string;
  btydMonetaryCol: string;
}

const BTYD_FLAGS = ['btydFrequencyCol', 'btydRecencyCol', 'btydTCol', 'btydMonetaryCol'] as const;

function base(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .addOption(new Option('--dialect <name>', 'SQL dialect').choices(DIALECTS).makeOptionMandatory())
    .requiredOption('--table <name>', 'table (or view) to read: name or db.schema.name, quoted part by part, so case matters')
    .option('-o, --output <file>', 'write the query to FILE (atomically) instead of stdout')
    .option('-q, --quiet', 'nothing on stderr but errors')
    .option('--verbose', 'stack traces for internal errors')
    .addOption(new Option('--errors <style>', 'error format on stderr').choices(['text', 'json']).default('text'));
}

/** The transaction table's columns and the cleaning flags, as on `rfm rfm` (plus --status-col). */
function addTransactionOptions(command: Command): Command {
  return command
    .requiredOption('--customer-col <name>', 'customer id column')
    .requiredOption('--date-col <name>', 'purchase DATE or TIMESTAMP column (a timestamp without zone counts as UTC)')
    .option('--invoice-col <name>', 'invoice column (frequency = distinct invoices; without it, distinct purchase days)')
    .option('--quantity-col <name>', 'quantity column')
    .option('--price-col <name>', 'unit price column')
    .option('--amount-col <name>', 'line amount column (used instead of quantity × price)')
    .option('--status-col <name>', 'order status column (rows whose status says the sale did not stand are dropped)')
    .option('--as-of <date>', 'as-of date for recency (default: latest purchase + 1 day); later rows are left out')
    .option('--keep-cancelled', 'keep cancellations (invoice C + digits)')
    .option('--keep-nonpositive-quantity', 'keep rows with quantity <= 0')
    .option('--keep-nonpositive-price', 'keep rows with price (or amount) <= 0')
    .option('--keep-status', 'keep rows whose status says the sale did not stand');
}

function columnsOf(o: SqlOptions): SqlColumns {
  return { customer: o.customerCol!, date: o.dateCol!, invoice: o.invoiceCol, quantity: o.quantityCol, price: o.priceCol, amount: o.amountCol, status: o.statusCol };
}

async function print(ctx: Context, query: string): Promise<void> {
  await withSink(await ctx.openOutput(), (sink) => sink.write(query));
}

export function sqlCommand(run: RunWrapper): Command {
  const rfm = addTransactionOptions(base('rfm', 'the SELECT of customer_id, recency, frequency, monetary (cleaning included)'))
    .option('--scores', 'add 1-5 quintile scores (recency reversed), rfm_score and score_segment')
    .action(
      run(async (ctx) => {
        const o = rfm.opts<SqlOptions>();
        await print(ctx, rfmQuery(o.dialect, { table: o.table }, columnsOf(o), { asOf: parseAsOf(o.asOf), cleaning: cleaningOptions(o), scores: o.scores === true }));
      }),
    );

  const btyd = addTransactionOptions(base('btyd', 'the SELECT of the BTYD summary: customer_id, frequency, recency, T, monetary_value'))
    .addOption(new Option('--period <unit>', 'time unit of recency and T (a week is 7 days, a month 30)').choices(Object.keys(PERIOD_DAYS)).default('week'))
    .option('--calibration-end <date>', 'last day of the calibration period, inclusive (default: the as-of date - 1 day)')
    .action(
      run(async (ctx) => {
        const o = btyd.opts<SqlOptions>();
        let calibrationEnd: number | undefined;
        if (o.calibrationEnd !== undefined) {
          calibrationEnd = parseTimestamp(o.calibrationEnd, 'ymd');
          if (Number.isNaN(calibrationEnd)) throw usageError(`--calibration-end "${o.calibrationEnd}" is not a date`, 'use YYYY-MM-DD, e.g. --calibration-end 1997-09-30');
        }
        const query = btydQuery(o.dialect, { table: o.table }, columnsOf(o), { period: o.period, calibrationEnd, asOf: parseAsOf(o.asOf), cleaning: cleaningOptions(o) });
        await print(ctx, query);
      }),
    );

  const segment = addModelOption(base('segment', "the SELECT of customer_id, cluster, segment for an RFM table, with the model's scaling and centroids"))
    .option('--customer-col <name>', 'customer id column of the RFM table', 'customer_id')
    .option('--recency-col <name>', 'recency column (days)', 'recency')
    .option('--frequency-col <name>', 'frequency column', 'frequency')
    .option('--monetary-col <name>', 'monetary column', 'monetary')
    .option('--clv', "add the model's lifetime-value predictions (p_alive, expected_purchases, expected_spend, clv) from the table's BTYD columns (a model fitted with rfm fit --clv)")
    .option('--btyd-frequency-col <name>', 'with --clv: BTYD frequency column (repeat purchase days)', DEFAULT_BTYD_COLUMNS.frequency)
    .option('--btyd-recency-col <name>', "with --clv: BTYD recency column (first to last purchase day, in the model's clv period)", DEFAULT_BTYD_COLUMNS.recency)
    .option('--btyd-t-col <name>', "with --clv: BTYD T column (first purchase day to the calibration end, in the model's clv period)", DEFAULT_BTYD_COLUMNS.T)
    .option('--btyd-monetary-col <name>', 'with --clv: BTYD monetary_value column (mean value per repeat purchase day)', DEFAULT_BTYD_COLUMNS.monetary)
    .action(
      run(async (ctx) => {
        const o = segment.opts<SqlOptions>();
        const given = BTYD_FLAGS.find((name) => segment.getOptionValueSource(name) === 'cli');
        if (o.clv !== true && given !== undefined) {
          const flag = `--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
          throw usageError(`${flag} names a column of the lifetime-value predictions`, 'add --clv');
        }
        const model = await readModel(modelPath(o.model, ctx.streams.env));
        const columns = { customer: o.customerCol!, recency: o.recencyCol, frequency: o.frequencyCol, monetary: o.monetaryCol };
        const btyd = { frequency: o.btydFrequencyCol, recency: o.btydRecencyCol, T: o.btydTCol, monetary: o.btydMonetaryCol };
        await print(ctx, segmentQuery(o.dialect, { table: o.table }, model, columns, { clv: o.clv === true ? btyd : undefined }));
      }),
    );

  const command = new Command('sql')
    .description('print SQL that runs rfm, the BTYD summary or a model inside a database')
    .argument('[query]', 'rfm, btyd or segment')
    .allowExcessArguments()
    .action((query: string | undefined) => {
      const what = query === undefined ? 'no query named' : `unknown query "${query}"`;
      throw usageError(`rfm sql: ${what}`, 'say which: rfm sql rfm|btyd|segment --dialect NAME --table NAME … (see rfm sql --help)');
    });
  command.addHelpText(
    'after',
    `
Example:
  $ rfm sql rfm --dialect postgres --table sales.lines --customer-col customer_id \\
      --invoice-col invoice --date-col invoice_date --quantity-col quantity --price-col price > rfm.sql
  $ psql --csv -q -f rfm.sql > rfm.csv && rfm fit rfm.csv
  $ rfm sql segment -m rfm-model.json --dialect bigquery --table shop.rfm
  $ rfm sql segment -m rfm-model.json --dialect bigquery --table shop.rfm_btyd --clv   # btyd_frequency, btyd_recency, btyd_t, btyd_monetary`,
  );
  for (const sub of [rfm, btyd, segment]) command.addCommand(sub);
  return command;
}
