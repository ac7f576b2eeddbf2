/**
 * rfm report -m model.json [--data tx.csv] -o report.html|report.pdf — one self-contained HTML
 * file (no script, no network) for people who do not live in a terminal: headline, segment table
 * with descriptions and actions, the four charts; with --data also the elbow curve, the recency ×
 * frequency heat map and the R/F grid. `.pdf` prints the same page through Chromium (io/pdf.ts).
 */
import { extname } from 'node:path';
import { Command } from 'commander';
import { assignRows } from '../../core/assign.js';
import { migrationMatrix } from '../../core/diff.js';
import { dataError, usageError } from '../../core/errors.js';
import { scaledFeatures, SILHOUETTE_SAMPLE } from '../../core/fit.js';
import { rfGrid } from '../../core/rf-grid.js';
import type { ElbowResult } from '../../core/elbow.js';
import type { ModelParams } from '../../core/model.js';
import type { RfmRow } from '../../core/rfm.js';
import { formatTimestamp, parseTimestamp } from '../../io/dates.js';
import { modelPath, readModel } from '../../io/model-file.js';
import { checkWritable, fileSink, stdoutSink, withSink } from '../../io/output.js';
import { reportHtml, type ReportInput, type TableSection } from '../../render/report.js';
import { clvSection, migrationSection } from '../../render/report-extras.js';
import type { Context } from '../context.js';
import { readCustomers } from '../load.js';
import { addInputOptions, addModelOption, addStderrOptions, parseDateOption, type RawInputOptions } from '../options.js';
import { elbowParallel, startHelpers } from '../parallel.js';
import type { RunWrapper } from './index.js';

/** The elbow curve of the report: k = 1..10 (fewer with fewer customers). */
const ELBOW_K_MAX = 10;

type ReportOptions = RawInputOptions & { model?: string; data?: string; output?: string; diffFrom?: string };

/** html or pdf, from -o's extension (stdout is HTML). */
function outputKind(path: string | undefined): 'html' | 'pdf' {
  const extension = path === undefined ? '.html' : extname(path).toLowerCase();
  if (extension === '.pdf') return 'pdf';
  if (extension === '.html' || extension === '.htm') return 'html';
  throw usageError(`-o ${path}: a report is written as .html or .pdf`, 'give a file ending in .html or .pdf, e.g. -o report.html');
}

export function reportCommand(run: RunWrapper): Command {
  const command = new Command('report')
    .description('one self-contained HTML (or PDF) report: headline, segments, charts; with --data the elbow, heat map and R/F grid')
    .option('--data <file>', 'customers (log or RFM table) for the elbow curve, the heat map and the R/F grid')
    .option('--diff-from <date>', 'with --data (a log): the migration matrix of rfm diff, from DATE to the data\'s as-of')
    .option('-o, --output <file>', 'write to FILE.html (or FILE.pdf, printed by Chromium: $RFM_CHROMIUM or /usr/bin/chromium)');
  addModelOption(command);
  addInputOptions(command);
  addStderrOptions(command, 'no progress or warnings on stderr');
  command.addHelpText(
    'after',
    `
Example:
  $ rfm report -m rfm-model.json -o report.html
  $ rfm report -m rfm-model.json --data fixtures/online_retail_sample.csv -o report.html
  $ rfm report -m rfm-model.json --data tx.csv --diff-from 2011-06-30 -o report.html   # adds who moved where
  $ rfm report --data tx.csv -o report.pdf    # the same page as a PDF (needs Chromium)`,
  );
  return command.action(
    run(async (ctx: Context) => {
      const o = command.opts<ReportOptions>();
      const kind = outputKind(o.output);
      if (o.output === undefined && ctx.streams.stdout.isTTY === true) {
        throw usageError('a report is an HTML file, not terminal output', 'give -o report.html (or pipe it: rfm report > report.html)');
      }
      if (o.output !== undefined) await checkWritable(o.output); // before the work, not after it
      const diffFrom = parseDateOption(o.diffFrom, '--diff-from');
      if (diffFrom !== undefined && o.data === undefined) throw usageError('--diff-from needs the transaction log as --data', 'e.g. rfm report --data tx.csv --diff-from 2011-06-30 -o report.html');
      const model = await readModel(modelPath(o.model, ctx.streams.env));
      const extra: TableSection[] = [];
      const clv = clvSection(model);
      if (clv !== undefined) extra.push(clv);
      const input: ReportInput = { model, extra };
      if (o.data !== undefined) {
        // Recency counted from the model's as-of date (as rfm summary --data does) unless --as-of is given.
        const modelAsOf = o.asOf === undefined && model.training.asOf !== null ? parseTimestamp(model.training.asOf) : undefined;
        const asOfOptions = modelAsOf === undefined ? {} : { asOf: modelAsOf, asOfFromModel: true };
        const loaded = await readCustomers(ctx, o.data, o, diffFrom === undefined ? asOfOptions : { ...asOfOptions, snapshotAsOf: [diffFrom] });
        const rows = loaded.customers;
        if (rows.length < 2) throw dataError(`only ${rows.length} customer in ${o.data}: the elbow curve and the grids need at least 2`, { file: o.data, hint: 'give the log the model was trained on, or leave --data out' });
        input.data = { source: o.data, asOf: loaded.asOf === null ? null : formatTimestamp(loaded.asOf), grid: rfGrid(rows) };
        if (diffFrom !== undefined) {
          // As rfm diff does: both dates from the one read, assigned with the same model.
          if (diffFrom >= loaded.asOf!) throw usageError(`--diff-from ${o.diffFrom} must be before the data's as-of (${formatTimestamp(loaded.asOf!)})`, 'give an earlier --diff-from');
          const [before] = loaded.snapshots!;
          const matrix = migrationMatrix({
            segments: model.segments.map((s) => s.name),
            from: { customers: before.customers, labels: assignRows(model, before.customers) },
            to: { customers: rows, labels: assignRows(model, rows) },
          });
          extra.push(migrationSection(matrix, dayOrInstant(diffFrom), dayOrInstant(loaded.asOf!)));
        }
        input.elbow = await elbowOf(ctx, rows, model.params);
      }
      const html = reportHtml(input);
      const bytes = kind === 'pdf' ? await (await import('../../io/pdf.js')).htmlToPdf(html, ctx.streams.env, o.output!) : html;
      await withSink(o.output === undefined ? stdoutSink(ctx.streams.stdout) : await fileSink(o.output), (out) => out.write(bytes));
    }),
  );
}

/** A date as YYYY-MM-DD when it is a midnight (UTC), else the whole instant. */
function dayOrInstant(ms: number): string {
  const text = formatTimestamp(ms);
  return text.endsWith('T00:00:00Z') ? text.slice(0, 10) : text;
}

/** The elbow over the data with the model's own transform, restarts and seed, on this thread and helpers. */
async function elbowOf(ctx: Context, rows: readonly RfmRow[], params: ModelParams): Promise<ElbowResult> {
  const spinner = ctx.spinner('the elbow curve: k-means for k = 1..10');
  const helpers = startHelpers(ELBOW_K_MAX - 1);
  try {
    const { x } = scaledFeatures(rows, params.transform);
    return await elbowParallel(x, rows.length, 3, {
      kMin: 1,
      kMax: Math.min(ELBOW_K_MAX, rows.length),
      nInit: params.nInit,
      maxIter: params.maxIter,
      tol: params.tol,
      seed: params.seed,
      silhouetteSample: SILHOUETTE_SAMPLE,
    }, helpers);
  } finally {
    spinner.stop();
    for (const helper of helpers) helper.stop();
  }
}
