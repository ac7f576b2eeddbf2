/**
 * rfm fit <tx|rfm> — fits k-means on the customers' scaled features, names the segments, writes the
 * model atomically (an existing model is replaced only by a complete new one) and prints the
 * segment table and size chart on a terminal, or a JSON report when piped.
 */
import { Command, Option } from 'commander';
import { RfmError, usageError } from '../../core/errors.js';
import { DEFAULT_PARAMS, fitSteps, scaledFeatures, SILHOUETTE_SAMPLE, type FitResult } from '../../core/fit.js';
import type { KMeansOptions, KMeansResult } from '../../core/kmeans.js';
import { MODEL_SCHEMA, MODEL_VERSION, type ModelParams, type RfmModel } from '../../core/model.js';
import { readLabels as labelsFromJson } from '../../core/relabel.js';
import { summaryFromModel } from '../../core/summary.js';
import { formatTimestamp } from '../../io/dates.js';
import { modelPath, withoutBom, writeModel } from '../../io/model-file.js';
import { checkWritable, withSink } from '../../io/output.js';
import { writeRecords } from '../../io/records.js';
import { readOptionFile } from '../../io/source.js';
import { formatFixed, formatInt } from '../../render/numbers.js';
import { actionsList, segmentChart, segmentTable } from '../../render/segments.js';
import type { Context } from '../context.js';
import { elbowParallel, kmeansParallelSteps, startHelpers, startSilhouette } from '../parallel.js';
import { runInterruptibly } from '../shutdown.js';
import { addClvFitOptions, clvFit, type ClvFitFlags } from '../fit-clv.js';
import { readCustomers } from '../load.js';
import { addCommonOptions, addEngineOption, addInputOptions, addModelOption, checkLargeK, LARGE_K, parseInteger, type RawInputOptions } from '../options.js';
import { createdAt, TOOL } from '../version.js';
import type { RunWrapper } from './index.js';
import { SEGMENT_COLUMNS } from './summary.js';

/** Customers up to which `fit -k auto` keeps the elbow's clusterings to reuse the chosen one. */
const KEEP_CLUSTERINGS_UP_TO = 200_000;

export interface ModelingOptions {
  transform: 'log' | 'none';
  nInit: string;
  maxIter: string;
  tol: string;
  seed: string;
  allowLargeK?: boolean;
}

export function addModelingOptions(command: Command): Command {
  return command
    .addOption(new Option('--transform <t>', 'log: log1p then z-score (default); none: z-score of raw values (the original method)').choices(['log', 'none']).default('log'))
    .option('--n-init <n>', 'k-means restarts, the best is kept', String(DEFAULT_PARAMS.nInit))
    .option('--max-iter <n>', 'Lloyd iterations per restart at most', String(DEFAULT_PARAMS.maxIter))
    .option('--tol <x>', 'convergence tolerance (scaled by mean feature variance, as scikit-learn)', String(DEFAULT_PARAMS.tol))
    .option('--seed <n>', 'random seed: same input + options = byte-identical result', String(DEFAULT_PARAMS.seed))
    .option('--allow-large-k', `allow -k and --k-max above ${LARGE_K} (each k costs a k-means run)`);
}

export function modelingParams(o: ModelingOptions, k: number): ModelParams {
  const tol = Number(o.tol);
  if (!Number.isFinite(tol) || tol < 0) throw usageError(`--tol "${o.tol}" must be a number >= 0`);
  return {
    k,
    transform: o.transform,
    nInit: parseInteger(o.nInit, '--n-init', 1),
    maxIter: parseInteger(o.maxIter, '--max-iter', 1),
    tol,
    seed: parseInteger(o.seed, '--seed', 0),
  };
}

async function readLabels(path: string, k: number): Promise<Map<number, string>> {
  const text = await readOptionFile(path, '--labels', { missing: 'check the path, or leave --labels out to keep the generated names', directory: 'give the JSON file of names' });
  let json: unknown;
  try {
    json = JSON.parse(withoutBom(text));
  } catch (error) {
    throw usageError(`--labels ${path}: ${(error as Error).message}`, 'give a JSON object like {"0": "VIP", "1": "Regulars"}');
  }
  return labelsFromJson(json, `--labels ${path}`, k);
}

export function fitCommand(run: RunWrapper): Command {
  const command = new Command('fit')
    .description('fit the k-means model, name the segments, write the model JSON')
    .argument('[input]', 'transaction log or RFM table (CSV, .gz, .xlsx); - or nothing for stdin')
    .option('-k, --clusters <k>', 'number of segments, or "auto" for the elbow knee', '4')
    .option('--labels <file>', 'JSON {"0": "VIP", ...} overriding segment names');
  addModelOption(command);
  addModelingOptions(command);
  addClvFitOptions(command);
  addInputOptions(command);
  addEngineOption(command);
  addCommonOptions(command, ['table', 'json', 'csv', 'tsv']);
  command.addHelpText(
    'after',
    `
Example:
  $ rfm fit fixtures/online_retail_sample.csv
  (segment table and chart; model written to rfm-model.json)
  $ rfm fit tx.csv -k auto -m models/q4.json --transform none`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const [input] = command.args;
      const o = command.opts<RawInputOptions & ModelingOptions & ClvFitFlags & { clusters: string; labels?: string; model?: string; report?: string }>();
      const clv = clvFit(o, command);
      const path = modelPath(o.model, ctx.streams.env);
      const auto = o.clusters === 'auto';
      const params = modelingParams(o, auto ? 1 : parseInteger(o.clusters, '-k', 1));
      checkLargeK('-k', params.k, o.allowLargeK);
      await checkWritable(path);
      // Resolved before the work: an -o file we cannot write is refused before the model is replaced.
      const format = ctx.format('json', ['json', 'csv', 'tsv']);
      // Started before the read so that their start-up overlaps it (see parallel.ts).
      const helpers = startHelpers(auto ? 9 : 1);
      try {
        // An RFM table comes as columns, sorted by id but without the ids, which a fit does not need
        // (no object per customer: a million customers fit in a few hundred MB).
        const loaded = await readCustomers(ctx, input, o, { columnar: { ids: false }, ...clv?.load });
        const rows = loaded.columns ?? loaded.customers;
        const customers = loaded.columns?.recency.length ?? loaded.customers.length;
        let clustering: KMeansResult | undefined;
        if (auto) {
          const { x } = scaledFeatures(rows, params.transform);
          // The elbow runs the very k-means the fit needs: its result for the chosen k is kept, up
          // to a size where ten clusterings' labels are a few MB.
          const keepClusterings = customers <= KEEP_CLUSTERINGS_UP_TO;
          const { nInit, maxIter, tol, seed } = params;
          const result = await elbowParallel(x, customers, 3, { kMin: 1, kMax: Math.min(10, customers), nInit, maxIter, tol, seed, silhouettes: false, keepClusterings }, helpers);
          // Without a knee, the default k — or every customer its own segment when there are fewer.
          params.k = result.suggestedK ?? Math.min(4, customers);
          clustering = result.points.find((p) => p.k === params.k)?.clustering;
          if (result.suggestedK === null) ctx.warn(`the elbow curve has no clear knee; using k = ${params.k}`);
          else ctx.info(`elbow knee: k = ${params.k}`);
        }
        const labels = o.labels === undefined ? undefined : await readLabels(o.labels, params.k);
        const source = loaded.report?.source ?? (input === undefined || input === '-' ? 'stdin' : input);
        let fit: FitResult;
        try {
          // The silhouette's helper starts as soon as the labels are known; this thread's share
          // comes after the segments' statistics.
          let silhouette: (() => Promise<number>) | undefined;
          const onLabels = (features: Float64Array, final: Int32Array) => {
            const options = { sampleSize: SILHOUETTE_SAMPLE, seed: params.seed };
            if (params.k >= 2) silhouette = startSilhouette(features, customers, 3, final, params.k, options, helpers);
          };
          const kmeans = (x: Float64Array, n: number, d: number, options: KMeansOptions) => kmeansParallelSteps(x, n, d, options, helpers);
          fit = await runInterruptibly(fitSteps(rows, params, { customNames: labels, silhouette: false, clustering, onLabels, kmeans }));
          if (silhouette !== undefined) fit.silhouette = await silhouette();
        } catch (error) {
          // A data error of the fit (one customer, too few distinct ones) is about this input: name it.
          throw error instanceof RfmError && error.kind === 'data' ? error.at({ file: source }) : error;
        }
        const names = fit.segments.map((s) => s.name);
        const duplicate = names.find((n, i) => names.indexOf(n) !== i);
        if (duplicate !== undefined) throw usageError(`two segments would be named "${duplicate}"`, 'give each cluster a different name in --labels');
        const report = loaded.report;
        const model: RfmModel = {
          schema: MODEL_SCHEMA,
          version: MODEL_VERSION,
          createdAt: createdAt(ctx.streams.env),
          tool: TOOL,
          training: {
            source,
            asOf: loaded.asOf === null ? null : formatTimestamp(loaded.asOf),
            rowsRead: report?.rowsRead ?? null,
            rowsKept: report?.rowsKept ?? null,
            dropped: report?.dropped ?? null,
            customers,
          },
          params,
          scaler: fit.scaler,
          centroids: fit.centroids,
          inertia: fit.inertia,
          silhouette: fit.silhouette,
          segments: fit.segments,
        };
        if (clv !== undefined) model.clv = await clv.finish(ctx, loaded.kind, loaded.customers, fit.labels, params.k);
        await writeModel(path, model);
        ctx.info(`model written to ${path} (k = ${params.k}, ${formatInt(customers)} customers, inertia ${formatFixed(fit.inertia, 2)})`);
        const summary = summaryFromModel(model);
        await withSink(await ctx.openOutput(), async (out) => {
          if (format === 'json' || format === 'ndjson') {
            await out.write(JSON.stringify({ modelPath: path, ...summary }, null, format === 'json' ? 2 : undefined) + '\n');
          } else if (format === 'csv' || format === 'tsv') {
            await writeRecords(out, format, SEGMENT_COLUMNS, summary.segments);
          } else {
            const { view, style } = ctx;
            const chart = segmentChart('customers', summary.segments, style, Math.min(view.width ?? 80, 80));
            await out.write(segmentTable(summary.segments, style, view) + '\n' + chart + '\n' + actionsList(summary.segments, style, view.width));
          }
        });
      } finally {
        for (const helper of helpers) helper.stop();
      }
    }),
  );
}
