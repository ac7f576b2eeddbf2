/**
 * rfm clv <tx|btyd-summary> — customer lifetime value: the BTYD summary, a purchase model (BG/NBD or
 * Pareto/NBD), the Gamma-Gamma spend model and per customer P(alive), expected purchases, expected
 * spend and the discounted CLV; with --holdout-end the holdout validation.
 */
import { Command, Option } from 'commander';
import {
  fitBgNbdSteps,
  fitParetoNbdSteps,
  groupRows,
  MONTH_DAYS,
  PERIOD_DAYS,
  spendColumns,
  valueTableSteps,
  validateSteps,
  type CustomerValue,
  type GammaGammaParams,
  type Period,
  type PurchaseModel,
  type Validation,
} from '../../core/clv/index.js';
import { usageError } from '../../core/errors.js';
import { loadBtyd } from '../../io/btyd.js';
import { DAY_MS, formatDate, parseTimestamp } from '../../io/dates.js';
import { withSink } from '../../io/output.js';
import { writeRecords } from '../../io/records.js';
import { decileTable, modelLines, topCustomersTable, unitsLines, validationText, type ClvUnits } from '../../render/clv.js';
import { formatInt, plural } from '../../render/numbers.js';
import type { Context } from '../context.js';
import { announceDrops, cleaningSummary } from '../load.js';
import { addCommonOptions, addEngineOption, addInputOptions, loadOptions, parseInteger, type RawInputOptions } from '../options.js';
import { clvColumns, PARALLEL_MIN_BUYERS, PARALLEL_MIN_ROWS, range, recordsJob, startRecords, startSpendFit } from '../clv-records.js';
import type { Helper } from '../parallel.js';
import { runInterruptibly } from '../shutdown.js';
import type { RunWrapper } from './index.js';

interface ClvFlags extends RawInputOptions {
  model: 'bgnbd' | 'pareto-nbd';
  period: Period;
  calibrationEnd?: string;
  holdoutEnd?: string;
  horizon: string;
  discount: string;
  penalizer: string;
  top: string;
}

type Row = CustomerValue & { holdoutActual?: number; holdoutPredicted?: number };

function day(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseTimestamp(text, 'ymd');
  if (Number.isNaN(ms)) throw usageError(`${flag} "${text}" is not a date`, 'use YYYY-MM-DD (a whole UTC day, inclusive)');
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function rate(text: string, flag: string, max: number): number {
  const value = /^[0-9]*\.?[0-9]+(e-?[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= max)) throw usageError(`${flag} "${text}" is not a number from 0 to ${max}`, `e.g. ${flag} 0.01`);
  return value;
}

/** --engine duckdb: loaded only then; undefined for a CSV BTYD summary table, which the default reader reads. */
async function readBtydWithDuckdb(ctx: Context, input: string | undefined, options: Parameters<typeof loadBtyd>[1]) {
  if (input === undefined || input === '-') throw usageError('--engine duckdb reads a file, not stdin', 'give the file path, or drop --engine duckdb');
  const [{ loadBtydDuckdb }, { settingsFromEnv }] = await Promise.all([import('../../io/duckdb-btyd.js'), import('../../io/duckdb.js')]);
  return loadBtydDuckdb({ path: input, settings: settingsFromEnv(ctx.streams.env) }, options);
}

export function clvCommand(run: RunWrapper): Command {
  const command = new Command('clv')
    .description('customer lifetime value: BG/NBD or Pareto/NBD purchases, Gamma-Gamma spend, discounted CLV')
    .argument('[input]', 'transaction log, or a BTYD summary (columns frequency, recency, T, optional monetary_value, id); - for stdin')
    .addOption(new Option('--model <model>', 'purchase model').choices(['bgnbd', 'pareto-nbd']).default('bgnbd'))
    .addOption(new Option('--period <unit>', 'time unit of recency and T (week = 7 days, month = 30 days)').choices(['day', 'week', 'month']).default('week'))
    .option('--calibration-end <date>', 'last day of the calibration period, inclusive (default: the as-of date − 1 day, i.e. the latest purchase day)')
    .option('--holdout-end <date>', 'last day of a holdout period after --calibration-end: validate the predictions against it')
    .option('--horizon <months>', 'months ahead for expected purchases and CLV (a month = 30 days)', '12')
    .option('--discount <rate>', 'monthly discount rate of the CLV sum', '0.01')
    .option('--penalizer <coef>', 'L2 penalty on the parameters (coef × Σ θ² on the mean log-likelihood), for fits that do not converge', '0')
    .option('--top <n>', 'customers in the table of top customers', '20');
  addInputOptions(command);
  addEngineOption(command);
  addCommonOptions(command);
  command.addHelpText(
    'after',
    `
Example:
  $ rfm clv fixtures/cdnow/cdnow_customers_summary.csv -q --format json | jq -c '.bgnbd | [.r, .alpha, .a, .b] | map(. * 1000 | round / 1000)'
  [0.243,4.414,0.793,2.426]

  $ rfm clv tx.csv --calibration-end 1997-09-30 --holdout-end 1998-06-30`,
  );
  return command.action(
    run(async (ctx) => {
      const [input] = command.args;
      const flags = command.opts<ClvFlags>();
      const horizonMonths = parseInteger(flags.horizon, '--horizon', 1);
      const monthlyDiscount = rate(flags.discount, '--discount', 1);
      const penalizer = rate(flags.penalizer, '--penalizer', 1e6);
      const top = parseInteger(flags.top, '--top', 1);
      const calibrationEnd = day(flags.calibrationEnd, '--calibration-end');
      const holdoutEnd = day(flags.holdoutEnd, '--holdout-end');
      if (holdoutEnd !== undefined && (calibrationEnd === undefined || holdoutEnd <= calibrationEnd)) {
        throw usageError('--holdout-end needs a --calibration-end before it', 'e.g. --calibration-end 1997-09-30 --holdout-end 1998-06-30');
      }
      const format = ctx.format('csv');
      const options = { ...loadOptions(flags), period: flags.period, calibrationEnd, holdoutEnd };
      // A helper thread for the spend fit of many buyers (started after the read: see below).
      let helpers: Helper[] = [];
      try {
        // --engine duckdb reads the file itself (io/duckdb-btyd.ts); a CSV BTYD summary table is left to the default reader.
        const duck = flags.engine === 'duckdb' ? await readBtydWithDuckdb(ctx, input, options) : undefined;
        const opened = duck === undefined ? await ctx.openInput(input) : undefined;
        const source = opened ?? { name: input! };
        const spinner = ctx.spinner(`reading ${source.name}`);
        const loaded = duck ?? (await loadBtyd(opened!, options, runInterruptibly).finally(() => spinner.stop()));
        const summary = loaded.summary;
        if (loaded.kind === 'btyd-summary') {
          ctx.info(`${source.name} is a BTYD summary table (${loaded.tableColumns}); recency and T read as ${flags.period}s (--period)`);
        } else {
          if (loaded.columnsNotice !== undefined) ctx.info(loaded.columnsNotice);
          // Rows after the last day read are counted as after_as_of; here that day is the calibration (or holdout) end.
          const end = holdoutEnd === undefined ? 'after the calibration end' : 'after the holdout end';
          ctx.info(() => `${cleaningSummary(loaded.report!).replace('after the as-of date', end)}; $0 amounts kept as purchases`);
          announceDrops(ctx, source.name, loaded.warnings, flags.strict === true);
          const left = summary.firstAfterCalibration > 0 ? `; ${plural(summary.firstAfterCalibration, 'customer')} first bought after it and are left out` : '';
          ctx.info(`${source.name} is a transaction log: BTYD summary of ${plural(summary.customers.size, 'customer')} to ${formatDate(summary.calibrationEnd)}${left}`);
        }
        const units: ClvUnits = {
          period: flags.period,
          periodDays: PERIOD_DAYS[flags.period],
          calibrationEnd: Number.isNaN(summary.calibrationEnd) ? null : formatDate(summary.calibrationEnd),
          holdoutEnd: summary.holdoutEnd === null ? null : formatDate(summary.holdoutEnd),
          horizonMonths,
          monthDays: MONTH_DAYS,
          monthlyDiscount,
          definitions: {
            frequency: 'repeat purchase days in the calibration period (distinct purchase days − 1)',
            recency: `${flags.period}s from the first to the last purchase day`,
            T: `${flags.period}s from the first purchase day to the end of the calibration period`,
            monetary_value: 'mean value per repeat purchase day, the first purchase excluded (0 for one-time buyers); $0 purchases count',
            expected_purchases: `E[Y(${horizonMonths} months) | frequency, recency, T]`,
            expected_spend: 'Gamma-Gamma conditional mean value per purchase',
            clv: `Σ_{i=1..${horizonMonths}} (E[Y(i months)] − E[Y(i−1 months)]) × expected_spend / (1 + ${monthlyDiscount})^i, a month = ${MONTH_DAYS} days`,
          },
        };
        for (const line of unitsLines(units)) ctx.info(line);
        const customers = summary.customers;
        // A helper thread, when there are enough buyers for the spend fit there to pay (the worker's
        // start-up, ~0.1 s of the other core, overlaps the grouping and the fit here) or enough
        // customers for it to write the second half of a CSV or TSV. For fewer, starting it (and
        // loading the threads' module, k-means and all) costs more than it saves.
        const buyers = loaded.hasMonetary ? spendColumns(customers) : undefined;
        const split = (format === 'csv' || format === 'tsv') && customers.size >= PARALLEL_MIN_ROWS;
        if ((buyers !== undefined && buyers.frequency.length >= PARALLEL_MIN_BUYERS) || split) helpers = (await import('../parallel.js')).startHelpers(1);
        const spendFit = buyers === undefined ? undefined : startSpendFit(buyers, { penalizer }, helpers);
        // One grouping of the customers by (frequency, recency, T) for the fit and the predictions.
        const grouping = groupRows(customers);
        const model: PurchaseModel =
          flags.model === 'bgnbd'
            ? await runInterruptibly(fitBgNbdSteps(customers, flags.period, { penalizer }, grouping))
            : await runInterruptibly(fitParetoNbdSteps(customers, flags.period, { penalizer }, grouping));
        const gg: GammaGammaParams | null = spendFit === undefined ? null : await spendFit();
        if (!loaded.hasMonetary) ctx.warn(`${source.name} has no monetary_value column: expected_spend and clv are left empty`);
        // Made only when shown: their number formats (Intl) cost a quiet run ~20 ms of ICU start-up.
        if (ctx.options.quiet !== true) for (const line of modelLines(model, gg)) ctx.info(line);
        for (const warning of [...model.warnings, ...(gg?.warnings ?? [])]) ctx.warn(warning);
        const table = await runInterruptibly(valueTableSteps(model, gg, customers, { horizonMonths, monthlyDiscount }, grouping));
        const validation: Validation | undefined = summary.holdoutEnd === null ? undefined : await runInterruptibly(validateSteps(model, summary));
        if (validation !== undefined) {
          const v = validation;
          ctx.info(`holdout: ${formatInt(v.actualTotal)} repeat purchases, ${v.predictedTotal.toFixed(1)} predicted; MAE ${v.mae.toFixed(4)}, RMSE ${v.rmse.toFixed(4)}`);
        }
        const sink = await ctx.openOutput();
        await withSink(sink, async () => {
          if (format === 'table') {
            const all = Array.from({ length: customers.size }, (_, i): Row => {
              const row: Row = table.customer(i);
              if (validation !== undefined) {
                row.holdoutActual = validation.actual[i];
                row.holdoutPredicted = validation.predicted[i];
              }
              return row;
            });
            const parts = [...unitsLines(units), ...modelLines(model, gg), '', topCustomersTable(all, top, ctx.style, ctx.view), decileTable(all, ctx.style, ctx.view)];
            if (validation !== undefined) parts.push(validationText(validation, flags.period, ctx.style, ctx.view.width));
            await sink.write(parts.join('\n'));
          } else if (format === 'json') {
            const { predicted: _p, actual: _a, ...aggregate } = validation ?? { predicted: null, actual: null };
            const head = { units, [model.model === 'bgnbd' ? 'bgnbd' : 'paretoNbd']: model, gammaGamma: gg, ...(validation === undefined ? {} : { validation: aggregate }) };
            await sink.write(JSON.stringify(head).slice(0, -1) + ',"customers":');
            await writeRecords(sink, 'json', clvColumns(customers, table, validation), range(0, customers.size));
            await sink.write('}\n');
          } else if (format === 'csv' || format === 'tsv') {
            // The second half on the helper while this thread writes the first: the same bytes.
            const n = customers.size;
            const half = split && helpers.length > 0 ? Math.ceil(n / 2) : n;
            const theirs = half < n ? startRecords(recordsJob(format, customers, table, validation, half, n), helpers) : Promise.resolve(undefined);
            await writeRecords(sink, format, clvColumns(customers, table, validation), range(0, half));
            const blocks = await theirs;
            if (blocks !== undefined) for (const block of blocks) await sink.write(block);
            else if (half < n) await writeRecords(sink, format, clvColumns(customers, table, validation), range(half, n), { header: false });
          } else {
            await writeRecords(sink, format, clvColumns(customers, table, validation), range(0, customers.size));
          }
        });
      } finally {
        for (const helper of helpers) helper.stop();
      }
    }),
  );
}
