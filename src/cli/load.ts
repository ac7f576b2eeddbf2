/** Reading customers for a command, with a progress spinner and the cleaning summary on stderr. */
import { RULE_DESCRIPTIONS, type CleaningReport, type DropRule } from '../core/clean.js';
import { loadCustomers, type LoadedCustomers, type LoadOptions } from '../io/customers.js';
import { DAY_MS, formatDate } from '../io/dates.js';
import { fileSink, withSink } from '../io/output.js';
import { formatInt, plural } from '../render/numbers.js';
import { valueNote } from '../render/value-note.js';
import type { Context } from './context.js';
import { loadOptions, type RawInputOptions } from './options.js';
import { createdAt } from './version.js';
import { dataError, usageError } from '../core/errors.js';
import { warningText, type DropWarning } from '../io/drop-warnings.js';

export function cleaningSummary(report: CleaningReport): string {
  const drops = Object.entries(report.dropped)
    .filter(([, n]) => n > 0)
    .map(([rule, n]) => `${rule === 'after_as_of' ? 'after the as-of date' : RULE_DESCRIPTIONS[rule as DropRule]} ${formatInt(n)}`);
  return (
    `read ${plural(report.rowsRead, 'row')} from ${report.source}, kept ${formatInt(report.rowsKept)}` +
    (drops.length > 0 ? `; dropped: ${drops.join(' · ')}` : '')
  );
}

/**
 * Says what reading decided and what it dropped loudly: the `columns: …` line when a role was
 * guessed, then the warnings (drop-warnings.ts); with --strict a warning is a data error instead,
 * raised before any output is written.
 */
export function announceDrops(ctx: Context, file: string, warnings: readonly DropWarning[], strict: boolean): void {
  if (strict && warnings.length > 0) {
    const [first] = warnings;
    throw dataError(`${first.message} (--strict)`, {
      file,
      line: first.line,
      hint: `${first.fix}; or drop --strict to read on with a warning`,
    });
  }
  for (const warning of warnings) ctx.warn(warningText(warning));
}

export async function writeReport(path: string, report: CleaningReport): Promise<void> {
  // A side file: its rename does not commit the run (see fileSink).
  await withSink(await fileSink(path, { commitPoint: false }), (sink) => sink.write(JSON.stringify(report, null, 2) + '\n'));
}

/** --engine duckdb: loaded only then (io/duckdb-customers.ts); undefined for a CSV RFM table, which the default reader reads. */
export async function readWithDuckdb(ctx: Context, path: string | undefined, options: LoadOptions): Promise<LoadedCustomers | undefined> {
  if (path === undefined || path === '-') throw usageError('--engine duckdb reads a file, not stdin', 'give the file path, or drop --engine duckdb');
  // The purchase days of --clv and the second as-of of a migration need every kept row, which
  // DuckDB's aggregation does not hand back: refused rather than answered without them.
  if (options.onKept !== undefined || options.onZeroValue !== undefined || (options.snapshotAsOf?.length ?? 0) > 0) {
    throw usageError('--engine duckdb aggregates in DuckDB and cannot also give the rows --clv or a second as-of (--diff-from) needs', 'drop --engine duckdb');
  }
  const [{ loadCustomersDuckdb }, { settingsFromEnv }] = await Promise.all([import('../io/duckdb-customers.js'), import('../io/duckdb.js')]);
  return loadCustomersDuckdb({ path, settings: settingsFromEnv(ctx.streams.env) }, options);
}

export async function readCustomers(
  ctx: Context,
  input: string | undefined,
  raw: RawInputOptions & { report?: string },
  overrides: Partial<LoadOptions> = {},
): Promise<LoadedCustomers> {
  // Flags first (a bad --as-of is a usage error), then the file.
  const options = loadOptions(raw);
  const duckdb = raw.engine === 'duckdb';
  // DuckDB reads the file itself: the default engine's source is opened only when it reads.
  const source = duckdb ? undefined : await ctx.openInput(input);
  const name = source?.name ?? input!;
  const spinner = ctx.spinner(`reading ${name}`);
  try {
    const withOptions = { ...options, onProgress: (rows: number) => spinner.update(() => `reading ${name}: ${formatInt(rows)} rows`), ...overrides };
    const loaded =
      (duckdb ? await readWithDuckdb(ctx, input, withOptions) : undefined) ??
      (await loadCustomers(source ?? (await ctx.openInput(input)), withOptions));
    spinner.stop();
    if (loaded.columnsNotice !== undefined) ctx.info(loaded.columnsNotice);
    if (loaded.layouts !== null) {
      const note = valueNote(loaded.layouts);
      if (note !== undefined) ctx.info(note);
    }
    if (loaded.report !== null) {
      const report = loaded.report;
      ctx.info(() => cleaningSummary(report));
      announceDrops(ctx, name, loaded.warnings, raw.strict === true);
      if (raw.report !== undefined) await writeReport(raw.report, report);
    }
    // The default as-of follows the latest purchase, however far off: say so when that is in the future.
    const now = Date.parse(createdAt(ctx.streams.env));
    if (loaded.asOf !== null && raw.asOf === undefined && overrides.asOf === undefined && loaded.asOf - DAY_MS > now) {
      ctx.warn(
        `the latest purchase in ${name} (${formatDate(loaded.asOf - DAY_MS)}) is in the future; recency is counted from ${formatDate(loaded.asOf)}: give --as-of DATE to count from another day`,
      );
    }
    return loaded;
  } finally {
    spinner.stop();
  }
}
