/**
 * `rfm fit --clv`: the BTYD summary built from the same read as the fit (every kept row is handed
 * to it too), then BG/NBD, Pareto/NBD and Gamma-Gamma fitted and stored in the model's clv section
 * with each segment's mean P(alive), expected purchases and CLV.
 */
import { Option, type Command } from 'commander';
import { BtydAccumulator, type BtydTable, type Period } from '../core/clv/index.js';
import { fitClvSteps } from '../core/clv-model.js';
import { usageError } from '../core/errors.js';
import type { ModelClv } from '../core/model.js';
import type { RfmRow } from '../core/rfm.js';
import { DAY_MS } from '../io/dates.js';
import type { LoadOptions } from '../io/customers.js';
import { formatFixed } from '../render/numbers.js';
import type { Context } from './context.js';
import { loadOptions, parseAsOf, parseInteger } from './options.js';
import { runInterruptibly } from './shutdown.js';

export interface ClvFitFlags {
  clv?: boolean;
  period: string;
  horizon: string;
  discount: string;
  asOf?: string;
}

export function addClvFitOptions(command: Command): Command {
  return command
    .option('--clv', 'also fit lifetime-value models (BG/NBD, Pareto/NBD, Gamma-Gamma) on the log and store them in the model')
    .addOption(new Option('--period <unit>', 'with --clv: time unit of the BTYD summary (a week is 7 days, a month 30)').choices(['day', 'week', 'month']).default('week'))
    .option('--horizon <months>', 'with --clv: months ahead for the stored expected purchases and CLV', '12')
    .option('--discount <rate>', 'with --clv: monthly discount rate of the CLV', '0.01');
}

/** The cluster of each BTYD row: a merge of the two id-sorted lists (-1 for an id not segmented). */
function labelsOf(btyd: BtydTable, customers: readonly RfmRow[], labels: ArrayLike<number>): Int32Array {
  const out = new Int32Array(btyd.size).fill(-1);
  let j = 0;
  for (let i = 0; i < btyd.size; i++) {
    const id = btyd.id(i);
    while (j < customers.length && customers[j].customerId < id) j++;
    if (j < customers.length && customers[j].customerId === id) out[i] = labels[j];
  }
  return out;
}

/**
 * Undefined without --clv; else the load options that feed the BTYD summary, and `finish`, which
 * fits the models once the segmentation's labels are known. The calibration period ends the day
 * before the as-of date (with no --as-of: the latest purchase day).
 */
export function clvFit(o: ClvFitFlags, command: Command) {
  if (o.clv !== true) {
    const given = ['period', 'horizon', 'discount'].find((name) => command.getOptionValueSource(name) === 'cli');
    if (given !== undefined) throw usageError(`--${given} is for the lifetime-value models`, 'add --clv');
    return undefined;
  }
  const horizonMonths = parseInteger(o.horizon, '--horizon', 1);
  const monthlyDiscount = Number(o.discount);
  if (!/^[0-9.]+$/.test(o.discount) || !(monthlyDiscount >= 0 && monthlyDiscount < 1)) {
    throw usageError(`--discount "${o.discount}" must be a monthly rate from 0 to below 1`, 'e.g. --discount 0.01 for 1 % a month');
  }
  const asOf = parseAsOf(o.asOf);
  const calibrationEnd = asOf === undefined ? undefined : Math.floor((asOf - DAY_MS) / DAY_MS) * DAY_MS;
  const btyd = new BtydAccumulator({ period: o.period as Period, calibrationEnd });
  // A $0 line is a purchase for lifetime value (as in rfm clv and the CDNOW literature), though
  // the RFM drops it: both reach the BTYD summary. With --engine duckdb, DuckDB hands back no rows:
  // the summary is a second aggregation of the file there (io/duckdb-btyd.ts, as rfm clv makes it).
  const duckdb = (o as { engine?: string }).engine === 'duckdb';
  const load: Partial<LoadOptions> = duckdb ? {} : { onKept: (row) => void btyd.addRow(row), onZeroValue: (row) => void btyd.addRow(row) };
  const summaryOf = async (ctx: Context) => {
    if (!duckdb) return btyd.finish();
    const [{ loadBtydDuckdb }, { settingsFromEnv }] = await Promise.all([import('../io/duckdb-btyd.js'), import('../io/duckdb.js')]);
    const read = await loadBtydDuckdb({ path: command.args[0], settings: settingsFromEnv(ctx.streams.env) }, { ...loadOptions(command.opts()), period: o.period as Period, calibrationEnd });
    if (read === undefined) throw usageError('--clv needs the transaction log: a BTYD summary has no RFM', 'give the log to rfm fit --clv');
    return read.summary;
  };
  return {
    load,
    async finish(ctx: Context, kind: 'transactions' | 'rfm', customers: readonly RfmRow[], labels: ArrayLike<number>, k: number): Promise<ModelClv> {
      if (kind !== 'transactions') throw usageError('--clv needs the transaction log: an RFM table has no purchase days', 'give the log to rfm fit --clv');
      const summary = await summaryOf(ctx);
      const { section, warnings } = await runInterruptibly(fitClvSteps(summary, labelsOf(summary.customers, customers, labels), k, { horizonMonths, monthlyDiscount }));
      for (const warning of warnings) ctx.warn(warning);
      const { bgnbd: b, gammaGamma: g } = section;
      const f = (n: number) => formatFixed(n, 3);
      ctx.info(
        `clv: ${summary.customers.size} customers, ${section.period}s, calibration end ${section.calibrationEnd}; BG/NBD r ${f(b.r)} α ${f(b.alpha)} a ${f(b.a)} b ${f(b.b)}; Gamma-Gamma p ${f(g.p)} q ${f(g.q)} γ ${f(g.gamma)}`,
      );
      return section;
    },
  };
}
