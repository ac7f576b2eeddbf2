/**
 * rfm elbow <tx|rfm> — inertia for k = 1..10 and silhouette for k >= 2, the Kneedle knee as the
 * suggested k, and an ASCII line chart. JSON when piped.
 */
import { Command } from 'commander';
import { dataError, usageError } from '../../core/errors.js';
import { scaledFeatures, SILHOUETTE_SAMPLE } from '../../core/fit.js';
import { withSink } from '../../io/output.js';
import { writeRecords, type Column } from '../../io/records.js';
import type { ElbowPoint } from '../../core/elbow.js';
import { elbowChart, elbowTable } from '../../render/elbow.js';
import type { Context } from '../context.js';
import { elbowParallel, startHelpers } from '../parallel.js';
import { readCustomers } from '../load.js';
import { addCommonOptions, addEngineOption, addInputOptions, checkLargeK, parseInteger, type RawInputOptions } from '../options.js';
import { addModelingOptions, modelingParams, type ModelingOptions } from './fit.js';
import type { RunWrapper } from './index.js';

/** The rows of the elbow table in CSV/TSV: one per k, the suggested one marked. */
const pointColumns = (suggestedK: number | null): Column<ElbowPoint>[] => [
  { header: 'k', value: (p) => p.k },
  { header: 'inertia', value: (p) => p.inertia },
  { header: 'silhouette', value: (p) => p.silhouette },
  { header: 'suggested', value: (p) => (p.k === suggestedK ? 'true' : 'false') },
];

export function elbowCommand(run: RunWrapper): Command {
  const command = new Command('elbow')
    .description('inertia and silhouette for k = 1..10 and the suggested k (Kneedle knee)')
    .argument('[input]', 'transaction log or RFM table; - or nothing for stdin')
    .option('--k-min <k>', 'smallest k', '1')
    .option('--k-max <k>', 'largest k', '10');
  addModelingOptions(command);
  addInputOptions(command);
  addEngineOption(command);
  addCommonOptions(command, ['table', 'json', 'csv', 'tsv']);
  command.addHelpText(
    'after',
    `
Example:
  $ rfm elbow fixtures/online_retail_sample.csv
  (chart and table; the knee is the suggested k)
  $ rfm elbow tx.csv --format json | jq .suggestedK`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const [input] = command.args;
      const o = command.opts<RawInputOptions & ModelingOptions & { kMin: string; kMax: string }>();
      const kMin = parseInteger(o.kMin, '--k-min', 1);
      const kMax = parseInteger(o.kMax, '--k-max', 1);
      if (kMax < kMin) throw usageError(`--k-max "${o.kMax}" must be an integer >= --k-min`);
      checkLargeK('--k-max', kMax, o.allowLargeK);
      const params = modelingParams(o, kMin);
      const format = ctx.format('json', ['json', 'csv', 'tsv']);
      // Started before the read so that their start-up overlaps it (see parallel.ts).
      const helpers = startHelpers(9);
      try {
        const loaded = await readCustomers(ctx, input, o);
        const rows = loaded.customers;
        if (rows.length < 2) {
          const file = loaded.report?.source ?? (input === undefined || input === '-' ? 'stdin' : input);
          throw dataError(`only ${rows.length} customer: the elbow needs at least 2`, { file, hint: 'give a log with more customers' });
        }
        if (kMin > rows.length) throw usageError(`--k-min ${kMin} is more than the ${rows.length} customers`);
        const { x } = scaledFeatures(rows, params.transform);
        const result = await elbowParallel(x, rows.length, 3, {
          kMin,
          kMax: Math.min(kMax, rows.length),
          nInit: params.nInit,
          maxIter: params.maxIter,
          tol: params.tol,
          seed: params.seed,
          silhouetteSample: SILHOUETTE_SAMPLE,
        }, helpers);
        await withSink(await ctx.openOutput(), async (out) => {
          if (format === 'json' || format === 'ndjson') {
            await out.write(JSON.stringify({ customers: rows.length, transform: params.transform, ...result }, null, format === 'json' ? 2 : undefined) + '\n');
          } else if (format === 'csv' || format === 'tsv') {
            await writeRecords(out, format, pointColumns(result.suggestedK), result.points);
          } else {
            await out.write(elbowChart(result, ctx.style, ctx.view.width) + '\n' + elbowTable(result, ctx.style, ctx.view));
          }
        });
      } finally {
        for (const helper of helpers) helper.stop();
      }
    }),
  );
}
